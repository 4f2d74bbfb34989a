"""The API's imports of large files as background jobs, with a broker
configured and a real Celery worker on Redis and the test's PostgreSQL
database (tests/workers.py): the call answers 202 with the job to follow;
the job's result is what the call answers when it runs at once (its body,
or its refusal's problem details with each error at its row) and a refused
file writes nothing; a retried call with the same Idempotency-Key starts no
second job; only its starter and HR may follow it. A small file, or no
broker (`make run`), is written in the request as before."""

from django.test import override_settings

from appraisals.models import Person
from competency import roles
from competency.models import BackgroundJob
from profiles.models import PendingUpload, RoleProfile
from tests.api.helpers import assert_problem
from tests.cast import account, api_as
from tests.paths import DATA, DDAT_ROLES
from tests.workers import (
    needs_a_worker,
    wait_until,
)

PEOPLE = "/api/v1/people/import/?mode=add_and_update"
PROFILES = "/api/v1/profiles/import/"
FRAMEWORKS = "/api/v1/frameworks/import/?format=ddat-roles"
HEADER = (
    "employee id,name,email,manager's employee id,profile slug,job title,start date,"
    "probation end date\n"
)
# Every file counts as large: with a broker, it goes to the worker.
EVERY_FILE = override_settings(IMPORTS_IN_BACKGROUND_FROM_BYTES=0)


def starters(manager_id, *ids):
    rows = [f"{i},Starter {i},{i.lower()}@example.org,{manager_id},,,," for i in ids]
    return (HEADER + "\n".join(rows) + "\n").encode()


def people():
    return list(Person.objects.order_by("pk").values()), Person.history.count()


def followed(api, response):
    """The job a 202 points at, once the worker has finished it, as the
    API shows it."""
    assert response.status_code == 202, response.content
    location = response["Location"]
    assert location == f"/api/v1/jobs/{response.json()['id']}/"
    assert response.json()["state"] == "queued"

    def finished():
        return api.get(location).json()["state"] in ("done", "failed")

    wait_until(finished, what="the worker to finish the import")
    return api.get(location).json()


@needs_a_worker
@EVERY_FILE
def test_a_large_people_file_answers_202_and_its_job_gives_the_imports_answer(cast, worker):
    hr = cast.api("hr")
    response = hr.post(
        PEOPLE, starters(cast.manager.employee_id, "E900", "E901"), content_type="text/csv"
    )
    job = followed(hr, response)
    assert (job["kind"], job["state"], job["error"]) == ("import_people", "done", "")
    new = {p.employee_id: p for p in Person.objects.filter(employee_id__in=["E900", "E901"])}
    assert {p.line_manager for p in new.values()} == {cast.manager}
    # The body the call answers when it runs at once (ImportPlanSerializer).
    result = job["result"]
    assert set(result) == {
        "summary",
        "mode",
        "rows",
        "created",
        "moved",
        "updated",
        "leavers",
        "unchanged",
        "confirmed",
    }
    assert result["created"] == [
        {"id": new["E900"].pk, "employee_id": "E900", "name": "Starter E900"},
        {"id": new["E901"].pk, "employee_id": "E901", "name": "Starter E901"},
    ]
    assert result["mode"] == "add_and_update" and result["leavers"] == []
    # Written as HR, as the request would have been; the upload is gone.
    assert {r.history_user for r in Person.history.filter(employee_id="E900")} == {cast.hr}
    assert not PendingUpload.objects.exists()


@needs_a_worker
def test_a_refused_file_writes_nothing_and_its_job_has_the_errors_at_their_rows(cast, worker):
    hr = cast.api("hr")
    data = starters("NOBODY", "E900", "E901")
    before = people()
    # Small: refused in the request, as before.
    at_once = assert_problem(hr.post(PEOPLE, data, content_type="text/csv"), 400)
    assert [e["pointer"] for e in at_once["errors"]] == [
        "#/file/rows/2/manager",
        "#/file/rows/3/manager",
    ]
    with EVERY_FILE:
        job = followed(hr, hr.post(PEOPLE, data, content_type="text/csv"))
    assert job["state"] == "failed"
    # The same problem details as the call's own answer, and in words too.
    assert job["result"] == at_once
    assert job["error"].splitlines() == [e["detail"] for e in at_once["errors"]]
    assert people() == before
    assert not PendingUpload.objects.exists()


@needs_a_worker
@EVERY_FILE
def test_a_stale_confirmation_fails_the_job_as_a_conflict(cast, worker):
    hr = cast.api("hr")
    response = hr.post(
        f"{PEOPLE}&confirmed=not-the-preview",
        starters(cast.manager.employee_id, "E900"),
        content_type="text/csv",
    )
    job = followed(hr, response)
    assert job["state"] == "failed"
    assert job["result"]["status"] == 409
    assert not Person.objects.filter(employee_id="E900").exists()


@needs_a_worker
@EVERY_FILE
def test_a_retry_with_the_same_key_starts_no_second_job(cast, worker):
    hr = cast.api("hr")
    data = starters(cast.manager.employee_id, "E900")
    first = hr.post(PEOPLE, data, content_type="text/csv", HTTP_IDEMPOTENCY_KEY="big-1")
    again = hr.post(PEOPLE, data, content_type="text/csv", HTTP_IDEMPOTENCY_KEY="big-1")
    assert again.status_code == 202 and again["Idempotent-Replayed"] == "true"
    assert again["Location"] == first["Location"]
    job = followed(hr, first)
    assert job["state"] == "done"
    # And again once it is done: the same job, not a new one.
    later = hr.post(PEOPLE, data, content_type="text/csv", HTTP_IDEMPOTENCY_KEY="big-1")
    assert later["Location"] == first["Location"]
    assert BackgroundJob.objects.count() == 1
    assert Person.objects.filter(employee_id="E900").count() == 1


@needs_a_worker
@EVERY_FILE
def test_only_its_starter_and_hr_may_follow_the_job(cast, worker):
    response = cast.api("hr").post(
        PEOPLE, starters(cast.manager.employee_id, "E900"), content_type="text/csv"
    )
    location = response["Location"]
    followed(cast.api("hr"), response)
    for role in ("manager", "head", "person", "other_manager", "other_person"):
        assert_problem(cast.api(role).get(location), 404)
    for role in ("anonymous", "revoked", "expired"):
        assert_problem(cast.api(role).get(location), 401)
    # Another HR officer may: HR follows every job.
    assert api_as(account("hilda", roles.HR)).get(location).status_code == 200


@needs_a_worker
@EVERY_FILE
def test_a_large_profile_answers_202_and_its_job_gives_the_imports_answer(cast, ddat, worker):
    hr = cast.api("hr")
    data = (DATA / "lead-data-engineer-technical.txt").read_bytes()
    job = followed(
        hr, hr.post(f"{PROFILES}?publish=true", data, content_type="text/plain; charset=utf-8")
    )
    assert (job["kind"], job["state"]) == ("import_profile", "done"), job["error"]
    result = job["result"]
    profile = RoleProfile.objects.get(slug=result["slug"])
    assert set(result) == {"action", "slug", "version", "summary", "url"}
    assert (result["action"], result["slug"], result["version"]) == ("created", profile.slug, 1)
    assert result["url"] == f"http://testserver/api/v1/profiles/{profile.slug}/"
    assert hr.get(result["url"]).status_code == 200
    assert profile.versions.count() == 1


@needs_a_worker
@EVERY_FILE
def test_a_large_framework_answers_202_and_its_job_gives_the_imports_answer(cast, worker):
    hr = cast.api("hr")
    job = followed(hr, hr.post(FRAMEWORKS, DDAT_ROLES.read_bytes(), content_type="text/csv"))
    assert (job["kind"], job["state"]) == ("import_framework", "done"), job["error"]
    result = job["result"]
    assert set(result) == {"lines", "profiles", "confirmed"}
    made = {p["slug"] for p in result["profiles"]}
    assert made and RoleProfile.objects.filter(slug__in=made).count() == len(made)


@EVERY_FILE
def test_without_a_broker_a_large_file_is_written_in_the_request(cast):
    hr = cast.api("hr")
    data = starters(cast.manager.employee_id, "E900")
    response = hr.post(PEOPLE, data, content_type="text/csv")
    assert response.status_code == 200, response.content
    assert response.json()["created"][0]["employee_id"] == "E900"
    assert not BackgroundJob.objects.exists()


@needs_a_worker
def test_with_a_broker_a_small_file_is_written_in_the_request(cast, broker):
    # No worker: a file under IMPORTS_IN_BACKGROUND_FROM_BYTES needs none.
    hr = cast.api("hr")
    response = hr.post(PEOPLE, starters(cast.manager.employee_id, "E900"), content_type="text/csv")
    assert response.status_code == 200, response.content
    assert not BackgroundJob.objects.exists() and not PendingUpload.objects.exists()
