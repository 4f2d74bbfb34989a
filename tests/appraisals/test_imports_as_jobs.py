"""HR's confirmed imports are background jobs (profiles/tasks.py,
appraisals/tasks.py). Without a broker, as here, the job runs in the
request that confirms: the pages answer as they always did, and the job is
recorded. Its file comes from the PendingUpload the confirmation claimed;
only HR may follow an import's job."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from appraisals.models import Person
from competency.models import BackgroundJob
from profiles import uploads
from profiles.models import PendingUpload, RoleProfile
from tests.cast import account, client_as
from tests.paths import DATA, DDAT_ROLES

pytestmark = pytest.mark.django_db

HEADER = (
    "employee id,name,email,manager's employee id,profile slug,job title,start date,"
    "probation end date\n"
)
LEAD = DATA / "lead-data-engineer-technical.txt"


def people():
    return list(Person.objects.order_by("pk").values()), Person.history.count()


def starters(cast, *ids):
    rows = [f"{i},Starter {i},{i.lower()}@example.org,{cast.manager.employee_id},,,," for i in ids]
    return HEADER + "\n".join(rows) + "\n"


def preview_people(client, text, mode="add_and_update"):
    page = client.post(
        reverse("appraisals:people_import"),
        {"file": SimpleUploadedFile("starters.csv", text.encode()), "mode": mode},
    )
    assert page.status_code == 200 and "token" in page.context, page.content.decode()[:400]
    return page.context["token"]


def test_a_people_import_is_a_job_done_in_the_request(cast):
    client = cast.client("hr")
    token = preview_people(client, starters(cast, "E900", "E901"))
    response = client.post(reverse("appraisals:people_import"), {"token": token}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("appraisals:people")
    assert "Imported starters.csv: Add and update only: 2 to create" in response.content.decode()
    job = BackgroundJob.objects.get()
    assert (job.kind, job.state, job.started_by, job.attempts) == (
        "import_people",
        "done",
        cast.hr,
        1,
    )
    assert job.result["created"] == 2
    assert Person.objects.filter(employee_id__in=["E900", "E901"]).count() == 2
    # The file is deleted with the job done: nothing waits any more.
    assert not PendingUpload.objects.exists()


def test_a_file_the_people_no_longer_fit_fails_with_its_errors_and_writes_nothing(cast):
    client = cast.client("hr")
    token = preview_people(client, starters(cast, "E900", "E901"))
    # Their manager's employee id changes after the preview: both rows now
    # name nobody.
    Person.objects.filter(pk=cast.manager.pk).update(employee_id="M-RENAMED")
    before = people()
    response = client.post(reverse("appraisals:people_import"), {"token": token}, follow=True)
    html = response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("appraisals:people_import")
    job = BackgroundJob.objects.get()
    assert job.state == "failed" and job.result is None
    problems = job.error.splitlines()
    assert len(problems) == 2 and all("no person with employee id" in p for p in problems)
    assert problems[0] in html.replace("&#x27;", "'")
    assert people() == before
    assert not PendingUpload.objects.exists()
    # The job's page lists every error and says nothing was changed.
    page = client.get(reverse("job", kwargs={"pk": job.pk})).content.decode()
    assert page.count("<li>Row ") == 2 and "Nothing was changed." in page
    assert f'href="{reverse("appraisals:people_import")}">Upload a file again' in page


def test_the_same_confirmation_twice_imports_once(cast):
    client = cast.client("hr")
    token = preview_people(client, starters(cast, "E900"))
    client.post(reverse("appraisals:people_import"), {"token": token})
    again = client.post(reverse("appraisals:people_import"), {"token": token}, follow=True)
    assert "That upload has expired" in again.content.decode()
    assert BackgroundJob.objects.count() == 1
    assert Person.objects.filter(employee_id="E900").count() == 1


def test_a_profile_import_is_a_job_done_in_the_request(hr, ddat):
    page = hr.post(
        reverse("imports:profile"), {"file": SimpleUploadedFile("lead.txt", LEAD.read_bytes())}
    )
    response = hr.post(reverse("imports:profile"), {"token": page.context["token"]}, follow=True)
    profile = RoleProfile.objects.get()
    assert response.redirect_chain[-1][0] == reverse("profiles:detail", args=[profile.slug])
    assert f"Imported ‘{profile.title}’." in response.content.decode()
    job = BackgroundJob.objects.get()
    assert (job.kind, job.state) == ("import_profile", "done")
    assert job.result["url"] == reverse("profiles:detail", args=[profile.slug])
    assert not PendingUpload.objects.exists()


def test_a_framework_import_is_a_job_done_in_the_request(hr):
    page = hr.post(
        reverse("imports:framework"),
        {"file": SimpleUploadedFile("roles.csv", DDAT_ROLES.read_bytes()), "format": "ddat-roles"},
    )
    response = hr.post(reverse("imports:framework"), {"token": page.context["token"]})
    assert "Framework imported" in response.content.decode()
    job = BackgroundJob.objects.get()
    assert (job.kind, job.state) == ("import_framework", "done")
    made = RoleProfile.objects.order_by("title")
    assert made.exists()
    assert sorted(link["text"] for link in job.result["links"]) == [p.title for p in made]
    # The job's page shows the same: what it did, and a link to each draft.
    html = hr.get(reverse("job", kwargs={"pk": job.pk})).content.decode()
    for line in job.result["lines"]:
        assert f"<li>{line}</li>".replace("'", "&#x27;") in html
    for profile in made:
        assert (
            f'href="{reverse("profiles:detail", args=[profile.slug])}">{profile.title}</a>' in html
        )


# --- who may follow an import's job ----------------------------------------------------


def an_import_job(by, **fields):
    return BackgroundJob.objects.create(
        kind=BackgroundJob.Kind.IMPORT_PEOPLE,
        title="Importing people.csv",
        started_by=by,
        state="done",
        result={"message": "Imported people.csv: 3 to create."},
        **fields,
    )


@pytest.mark.parametrize("role", ["manager", "person", "other_manager"])
def test_only_hr_follows_an_import(cast, role):
    job = an_import_job(cast.hr)
    url = reverse("job", kwargs={"pk": job.pk})
    assert "Imported people.csv: 3 to create." in cast.client("hr").get(url).content.decode()
    # Another HR officer too: the import is HR's work, not one person's.
    assert client_as(account("hazel", "HR")).get(url).status_code == 200
    assert cast.client(role).get(url).status_code == 404
    assert cast.api(role).get(f"/api/v1/jobs/{job.pk}/").status_code == 404


def test_someone_no_longer_in_hr_cannot_follow_an_import_they_started(cast):
    # Started while they were HR; since then they have moved on.
    job = an_import_job(cast.manager.account)
    assert cast.client("manager").get(reverse("job", kwargs={"pk": job.pk})).status_code == 404
    assert cast.api("manager").get(f"/api/v1/jobs/{job.pk}/").status_code == 404


# --- the upload a job was given ---------------------------------------------------------


def test_a_claimed_upload_outlives_the_preview_lifetime_and_the_newest_few(cast):
    """A job waiting in the queue keeps its file: later uploads by the same
    person, and the hour a preview lasts, do not take it away."""
    client = cast.client("hr")
    token = preview_people(client, starters(cast, "E900"))
    upload = PendingUpload.objects.get(token=token)
    assert uploads.claim(upload)
    assert not uploads.claim(upload)  # the same token cannot be claimed twice
    PendingUpload.objects.filter(pk=upload.pk).update(
        created_at=timezone.now() - PendingUpload.LIFETIME - timedelta(minutes=1)
    )
    for n in range(PendingUpload.KEEP + 1):
        preview_people(client, starters(cast, f"E90{n + 1}"))
    assert PendingUpload.objects.filter(pk=upload.pk).exists()
    # A day on, its job will have failed for good: the next upload clears it.
    PendingUpload.objects.filter(pk=upload.pk).update(
        created_at=timezone.now() - PendingUpload.CLAIMED_LIFETIME - timedelta(minutes=1)
    )
    preview_people(client, starters(cast, "E999"))
    assert not PendingUpload.objects.filter(pk=upload.pk).exists()
