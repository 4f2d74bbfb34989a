"""Opening a cycle as a background job, with a real Celery worker on Redis
and the test's PostgreSQL database (tests/workers.py): HR's page hands over
to the job's page, the API answers 202, the work is done once however often
its message is delivered, and a worker killed in the middle leaves nothing
half-written for the next worker to finish."""

from django.urls import reverse

from appraisals import tasks
from appraisals.models import Appraisal, AppraisalEvent, Cycle, Requirement
from competency.models import BackgroundJob
from tests.workers import (
    NEEDS_A_WORKER,
    Worker,
    progress_reported,
    wait_until,
)

pytestmark = NEEDS_A_WORKER

EVERYONE = {"scope": "everyone", "confirmed": "4"}  # Bea has no line manager


def written(cycle):
    return {
        "appraisals": Appraisal.objects.filter(cycle=cycle).count(),
        "requirements": Requirement.objects.filter(appraisal__cycle=cycle).count(),
        "events": AppraisalEvent.objects.filter(appraisal__cycle=cycle).count(),
    }


def finished(job):
    job.refresh_from_db()
    return job.finished


def test_hr_page_hands_over_to_the_job_page_which_shows_the_result(cast, cycle, worker):
    client = cast.client("hr")
    url = reverse("appraisals:cycle_open", kwargs={"pk": cycle.pk})
    response = client.post(url, EVERYONE)
    job = BackgroundJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("job", kwargs={"pk": job.pk})
    waiting = client.get(response["Location"])
    # Until it is done, the page reloads itself (no script).
    if not job.finished:
        assert ">Check progress</a>" in waiting.content.decode()
    wait_until(lambda: finished(job), what="the worker to open the cycle")
    assert job.state == "done" and job.attempts == 1
    page = client.get(response["Location"]).content.decode()
    assert "Opened Annual review 2025 for everyone: 4 appraisals created" in page
    assert "Check progress" not in page
    assert reverse("appraisals:cycle", kwargs={"pk": cycle.pk}) in page
    assert written(cycle) == {"appraisals": 4, "requirements": 16, "events": 4}
    cycle.refresh_from_db()
    assert cycle.status == "open"
    # The audit trail names HR as who created the appraisals, as in the request.
    records = Appraisal.history.filter(cycle=cycle)
    assert {record.history_user for record in records} == {cast.hr}


def test_the_api_answers_202_with_the_job_to_follow(cast, cycle, worker):
    api = cast.api("hr")
    response = api.post(
        f"/api/v1/cycles/{cycle.pk}/open/",
        {"scope": "everyone", "confirmed": 4},
        format="json",
        HTTP_IF_MATCH="*",
    )
    assert response.status_code == 202, response.content
    location = response["Location"]
    assert location == f"/api/v1/jobs/{response.json()['id']}/"
    job = BackgroundJob.objects.get()
    wait_until(lambda: finished(job), what="the worker to open the cycle")
    body = api.get(location).json()
    assert body["state"] == "done"
    assert body["result"]["created"] == 4
    assert body["done"] == body["total"] == 4
    # Nobody else may follow it.
    assert cast.api("manager").get(location).status_code == 404


def test_a_refusal_is_answered_at_once_and_starts_nothing(cast, cycle, broker):
    # No worker needed: the checks are made in the request.
    api = cast.api("hr")
    stale = api.post(
        f"/api/v1/cycles/{cycle.pk}/open/",
        {"scope": "everyone", "confirmed": 3},
        format="json",
        HTTP_IF_MATCH="*",
    )
    assert stale.status_code == 409
    assert not BackgroundJob.objects.exists()
    assert written(cycle)["appraisals"] == 0


def test_a_task_delivered_again_after_it_finished_does_nothing(cast, cycle, worker):
    cast.client("hr").post(reverse("appraisals:cycle_open", kwargs={"pk": cycle.pk}), EVERYONE)
    job = BackgroundJob.objects.get()
    wait_until(lambda: finished(job), what="the first delivery")
    before = written(cycle)
    # The same message again, as a broker redelivers one whose ack was lost.
    tasks.open_cycle.delay(str(job.pk))
    tasks.open_cycle.delay(str(job.pk))
    worker.wait_for("succeeded", within=30)
    wait_until(lambda: worker.output().count("succeeded") >= 3, what="both redeliveries")
    job.refresh_from_db()
    assert job.attempts == 1 and job.state == "done"
    assert written(cycle) == before


def test_a_worker_killed_mid_task_leaves_nothing_and_the_next_one_finishes(
    cast, cycle, broker, tmp_path
):
    # The first worker pauses for a minute after writing its batch, inside
    # the transaction: it is killed there.
    slow = Worker(tmp_path / "slow.log", pause=60)
    try:
        cast.client("hr").post(reverse("appraisals:cycle_open", kwargs={"pk": cycle.pk}), EVERYONE)
        job = BackgroundJob.objects.get()
        wait_until(
            lambda: BackgroundJob.objects.filter(pk=job.pk, state="running").exists(),
            what="the task to start",
        )
        # Its first batch is written (it has said so) and it is pausing.
        wait_until(lambda: progress_reported(job), what="the first batch")
        slow.kill()
    finally:
        slow.stop()
    # Killed with its rows written but not committed: none of them stay.
    assert written(cycle) == {"appraisals": 0, "requirements": 0, "events": 0}
    assert Cycle.objects.get(pk=cycle.pk).status == "draft"
    job.refresh_from_db()
    assert job.state == "running" and job.attempts == 1
    # The message was never acknowledged: a new worker gets it again.
    fresh = Worker(tmp_path / "fresh.log")
    try:
        wait_until(lambda: finished(job), within=90, what="the next worker to finish")
    finally:
        fresh.stop()
    assert job.state == "done" and job.attempts == 2
    assert written(cycle) == {"appraisals": 4, "requirements": 16, "events": 4}
