"""HR's imports with a broker configured and a real Celery worker on Redis
and the test's PostgreSQL database (tests/workers.py): a large file's
confirmation hands over to the job's page, which shows the result when the
worker is done; a file the worker refuses leaves the job failed with its
errors and nothing written; a message delivered again does nothing twice;
a small file is still written in the request."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from appraisals import tasks
from appraisals.models import Person
from competency.models import BackgroundJob
from profiles.models import PendingUpload, RoleProfile
from tests.paths import DATA, DDAT_ROLES
from tests.workers import (
    NEEDS_A_WORKER,
    wait_until,
)

pytestmark = NEEDS_A_WORKER

HEADER = (
    "employee id,name,email,manager's employee id,profile slug,job title,start date,"
    "probation end date\n"
)
# Every file counts as large: it goes to the worker.
EVERY_FILE = override_settings(IMPORTS_IN_BACKGROUND_FROM_BYTES=0)


def finished(job):
    job.refresh_from_db()
    return job.finished


def people():
    return list(Person.objects.order_by("pk").values()), Person.history.count()


def starters(cast, *ids):
    rows = [f"{i},Starter {i},{i.lower()}@example.org,{cast.manager.employee_id},,,," for i in ids]
    return HEADER + "\n".join(rows) + "\n"


def preview_people(client, text):
    page = client.post(
        reverse("appraisals:people_import"),
        {"file": SimpleUploadedFile("starters.csv", text.encode()), "mode": "add_and_update"},
    )
    assert "token" in page.context, page.content.decode()[:400]
    return page.context["token"]


def confirm_people(client, token):
    return client.post(reverse("appraisals:people_import"), {"token": token})


@EVERY_FILE
def test_a_people_import_hands_over_to_the_job_page_which_shows_the_result(cast, worker):
    client = cast.client("hr")
    response = confirm_people(client, preview_people(client, starters(cast, "E900", "E901")))
    job = BackgroundJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("job", kwargs={"pk": job.pk})
    waiting = client.get(response["Location"]).content.decode()
    if not finished(job):
        assert ">Check progress</a>" in waiting
    wait_until(lambda: finished(job), what="the worker to import the people")
    assert (job.kind, job.state, job.attempts) == ("import_people", "done", 1), job.error
    page = client.get(response["Location"]).content.decode()
    assert "Imported starters.csv: Add and update only: 2 to create" in page
    assert f'href="{reverse("appraisals:people")}">See the people</a>' in page
    assert "Check progress" not in page
    new = Person.objects.filter(employee_id__in=["E900", "E901"])
    assert {person.line_manager for person in new} == {cast.manager}
    # Written as HR, as the request would have: the audit trail says so.
    assert {r.history_user for r in Person.history.filter(employee_id="E900")} == {cast.hr}
    # And so does the security log, which the worker writes.
    (record,) = [line for line in worker.output().splitlines() if '"people_imported"' in line]
    assert f'"actor": "{cast.hr.username}"' in record and '"added": 2' in record
    assert not PendingUpload.objects.exists()
    # Only HR follows it.
    assert cast.client("manager").get(response["Location"]).status_code == 404


@EVERY_FILE
def test_a_file_the_worker_refuses_fails_with_its_errors_and_writes_nothing(cast, worker):
    client = cast.client("hr")
    token = preview_people(client, starters(cast, "E900", "E901"))
    # Between preview and confirmation their manager's employee id changes:
    # both rows now name nobody.
    Person.objects.filter(pk=cast.manager.pk).update(employee_id="M-RENAMED")
    before = people()
    response = confirm_people(client, token)
    job = BackgroundJob.objects.get()
    assert response["Location"] == reverse("job", kwargs={"pk": job.pk})
    wait_until(lambda: finished(job), what="the worker to refuse the file")
    assert job.state == "failed" and job.result is None
    problems = job.error.splitlines()
    assert len(problems) == 2 and all("no person with employee id" in p for p in problems)
    page = client.get(response["Location"]).content.decode()
    assert "This did not finish" in page and "Nothing was changed." in page
    assert page.count("<li>Row ") == 2
    assert people() == before
    assert not PendingUpload.objects.exists()


@EVERY_FILE
def test_a_message_delivered_again_imports_nothing_twice(cast, worker):
    client = cast.client("hr")
    confirm_people(client, preview_people(client, starters(cast, "E900")))
    job = BackgroundJob.objects.get()
    wait_until(lambda: finished(job), what="the first delivery")
    before = people()
    # The same message again, as a broker redelivers one whose ack was lost.
    tasks.import_people.delay(str(job.pk))
    tasks.import_people.delay(str(job.pk))
    wait_until(lambda: worker.output().count("succeeded") >= 3, what="both redeliveries")
    job.refresh_from_db()
    assert (job.state, job.attempts) == ("done", 1)
    assert people() == before


@EVERY_FILE
def test_a_framework_import_hands_over_to_the_job_page_with_links_to_its_drafts(hr, worker):
    preview = hr.post(
        reverse("imports:framework"),
        {"file": SimpleUploadedFile("roles.csv", DDAT_ROLES.read_bytes()), "format": "ddat-roles"},
    )
    response = hr.post(reverse("imports:framework"), {"token": preview.context["token"]})
    job = BackgroundJob.objects.get()
    assert response["Location"] == reverse("job", kwargs={"pk": job.pk})
    wait_until(lambda: finished(job), what="the worker to import the framework")
    assert job.state == "done", job.error
    page = hr.get(response["Location"]).content.decode()
    assert "Framework imported from roles.csv." in page
    made = RoleProfile.objects.all()
    assert made.exists()
    for profile in made:
        assert (
            f'href="{reverse("profiles:detail", args=[profile.slug])}">{profile.title}</a>' in page
        )


@EVERY_FILE
def test_a_profile_import_hands_over_to_the_job_page_which_links_to_the_profile(hr, ddat, worker):
    data = (DATA / "lead-data-engineer-technical.txt").read_bytes()
    preview = hr.post(reverse("imports:profile"), {"file": SimpleUploadedFile("lead.txt", data)})
    response = hr.post(
        reverse("imports:profile"), {"token": preview.context["token"], "publish": "on"}
    )
    job = BackgroundJob.objects.get()
    assert response["Location"] == reverse("job", kwargs={"pk": job.pk})
    wait_until(lambda: finished(job), what="the worker to import the profile")
    assert (job.kind, job.state) == ("import_profile", "done"), job.error
    profile = RoleProfile.objects.get()
    page = hr.get(response["Location"]).content.decode()
    assert f"Imported ‘{profile.title}’ and published it as version 1." in page
    assert f'href="{reverse("profiles:detail", args=[profile.slug])}">See ‘{profile.title}’' in page
    assert profile.versions.count() == 1
    assert not PendingUpload.objects.exists()


def test_a_small_file_is_still_written_in_the_request(cast, broker):
    # No worker: a file under IMPORTS_IN_BACKGROUND_FROM_BYTES needs none.
    client = cast.client("hr")
    response = confirm_people(client, preview_people(client, starters(cast, "E900")))
    assert response["Location"] == reverse("appraisals:people")
    job = BackgroundJob.objects.get()
    assert (job.state, job.attempts) == ("done", 1)
    assert Person.objects.filter(employee_id="E900").exists()
