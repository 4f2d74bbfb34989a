"""A background job's page and its API: for whoever started it and HR,
404 for anyone else; it reloads itself until the job is finished, then
shows what came of it. Without a broker (as here) a job runs in the request
that starts it: HR's opening of a cycle is done when the page answers."""

import uuid

import pytest
from django.urls import reverse

from appraisals.models import Appraisal
from competency.models import BackgroundJob

pytestmark = pytest.mark.django_db


def a_job(by, **fields):
    return BackgroundJob.objects.create(
        kind=BackgroundJob.Kind.OPEN_CYCLE,
        title="Opening Annual review for everyone",
        started_by=by,
        **fields,
    )


def test_without_a_broker_opening_is_done_in_the_request_and_its_job_recorded(cast, cycle):
    client = cast.client("hr")
    url = reverse("appraisals:cycle_open", kwargs={"pk": cycle.pk})
    response = client.post(url, {"scope": "everyone", "confirmed": "4"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("appraisals:cycle", kwargs={"pk": cycle.pk})
    assert (
        "Opened Annual review 2025 for everyone: 4 appraisals created" in response.content.decode()
    )
    job = BackgroundJob.objects.get()
    assert (job.state, job.attempts, job.started_by) == ("done", 1, cast.hr)
    assert job.result["created"] == 4
    assert Appraisal.objects.filter(cycle=cycle).count() == 4


def test_a_refused_opening_writes_nothing_and_says_why(cast, cycle):
    client = cast.client("hr")
    url = reverse("appraisals:cycle_open", kwargs={"pk": cycle.pk})
    response = client.post(url, {"scope": "everyone", "confirmed": "3"}, follow=True)
    assert "changed since you looked" in response.content.decode()
    assert BackgroundJob.objects.get().state == "failed"
    assert not Appraisal.objects.exists()


def test_a_running_job_shows_its_progress_and_a_way_to_check_again(cast):
    job = a_job(cast.hr, state="running", done=500, total=2000)
    page = cast.client("hr").get(reverse("job", kwargs={"pk": job.pk}))
    html = page.content.decode()
    assert page.status_code == 200
    # Never a meta refresh (WCAG 2.2.1): a link, and a script that updates
    # the status in place (tests/browser/test_import_job_pages.py).
    assert 'http-equiv="refresh"' not in html
    assert (
        f'href="{reverse("job", kwargs={"pk": job.pk})}" data-job-check>Check progress</a>' in html
    )
    assert 'data-poll-seconds="3"' in html
    assert "500 of 2000 done (25%)" in html


def test_a_finished_job_shows_its_result_and_no_progress(cast):
    job = a_job(
        cast.hr,
        state="done",
        result={
            "message": "Opened it: 4 appraisals created.",
            "url": "/cycles/",
            "link_text": "See it",
        },
    )
    html = cast.client("hr").get(reverse("job", kwargs={"pk": job.pk})).content.decode()
    assert "Opened it: 4 appraisals created." in html
    assert '<a class="govuk-link" href="/cycles/">See it</a>' in html
    assert "Check progress" not in html and "data-poll-seconds" not in html


def test_a_failed_job_says_why_and_that_nothing_changed(cast):
    job = a_job(cast.hr, state="failed", error="The people in scope changed.")
    html = cast.client("hr").get(reverse("job", kwargs={"pk": job.pk})).content.decode()
    assert "The people in scope changed." in html and "Nothing was changed." in html


@pytest.mark.parametrize("role", ["manager", "person", "other_manager"])
def test_nobody_else_finds_someone_elses_job(cast, role):
    job = a_job(cast.hr, state="done", result={"message": "Secret"})
    assert cast.client(role).get(reverse("job", kwargs={"pk": job.pk})).status_code == 404
    assert cast.api(role).get(f"/api/v1/jobs/{job.pk}/").status_code == 404


def test_signed_out_people_are_sent_to_sign_in(cast):
    job = a_job(cast.hr)
    response = cast.client("anonymous").get(reverse("job", kwargs={"pk": job.pk}))
    assert response.status_code == 302 and reverse("login") in response["Location"]
    assert cast.api("anonymous").get(f"/api/v1/jobs/{job.pk}/").status_code == 401


def test_people_follow_their_own_jobs_and_hr_every_job(cast):
    mine = a_job(cast.manager.account, state="queued")
    assert cast.client("manager").get(reverse("job", kwargs={"pk": mine.pk})).status_code == 200
    assert cast.client("hr").get(reverse("job", kwargs={"pk": mine.pk})).status_code == 200
    body = cast.api("manager").get(f"/api/v1/jobs/{mine.pk}/").json()
    assert (body["state"], body["done"], body["total"]) == ("queued", 0, None)


def test_a_guessed_id_is_404(cast):
    assert cast.client("hr").get(reverse("job", kwargs={"pk": uuid.uuid4()})).status_code == 404
    assert cast.api("hr").get(f"/api/v1/jobs/{uuid.uuid4()}/").status_code == 404
    assert cast.api("hr").get("/api/v1/jobs/not-a-job/").status_code == 404
