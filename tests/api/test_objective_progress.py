"""The person records progress on their own agreed objectives over the API
(POST …/objectives/<id>/progress/), as on their growth page: under the
appraisal's If-Match, never overwriting a manager's change, and nobody else
writes it as them.

The cast (tests/cast.py): Bea (head) ── Mo (manager) ── Sam (person);
Bea ── Olu (other manager) ── Tia (other person); Harriet: HR."""

import pytest

from appraisals import plans
from appraisals.models import Objective, Stage
from tests.api.helpers import assert_problem
from tests.cast import take_to

pytestmark = pytest.mark.django_db


@pytest.fixture
def objective(cast, appraisal):
    """An objective Mo proposed and Sam agreed."""
    appraisal = take_to(appraisal, Stage.MANAGER_REVIEW)
    made = plans.add_objective(
        appraisal=appraisal,
        by=cast.manager.account,
        confirmed_stage="manager_review",
        title="Run the retrospectives",
    )
    take_to(appraisal, Stage.AGREED)
    made.refresh_from_db()
    return made


def one(objective, tail=""):
    return f"/api/v1/appraisals/{objective.appraisal_id}/objectives/{objective.pk}/{tail}"


def etag(client, objective):
    response = client.get(one(objective))
    assert response.status_code == 200, response.content
    return response["ETag"]


def kept(objective):
    fresh = Objective.objects.get(pk=objective.pk)
    return (fresh.title, fresh.status, fresh.progress_notes, fresh.appraisal.revision)


def test_the_person_records_progress_and_reads_it_back(cast, objective):
    sam = cast.api("person")
    tag = etag(sam, objective)
    done = sam.post(
        one(objective, "progress/"),
        {"status": "in_progress", "progress_notes": "Two held."},
        format="json",
        HTTP_IF_MATCH=tag,
    )
    assert done.status_code == 200, done.content
    assert (done.json()["status"], done.json()["progress_notes"]) == ("in_progress", "Two held.")
    assert done["ETag"] != tag and done["ETag"] == etag(sam, objective)
    # What is not sent is kept.
    note = sam.post(
        one(objective, "progress/"),
        {"progress_notes": "Three held."},
        format="json",
        HTTP_IF_MATCH=done["ETag"],
    )
    assert (note.json()["status"], note.json()["progress_notes"]) == ("in_progress", "Three held.")
    assert (
        Objective.objects.get(pk=objective.pk).history.first().history_user == cast.person.account
    )
    # The manager reads what Sam wrote.
    assert cast.api("manager").get(one(objective)).json()["progress_notes"] == "Three held."


def test_without_if_match_it_is_428_and_with_an_old_one_412(cast, objective):
    sam = cast.api("person")
    before = kept(objective)
    sent = {"status": "done"}
    assert_problem(sam.post(one(objective, "progress/"), sent, format="json"), 428)
    tag = etag(sam, objective)
    plans.update_objective(
        objective=objective, by=cast.manager.account, confirmed_stage="agreed", title="Renamed"
    )
    assert_problem(
        sam.post(one(objective, "progress/"), sent, format="json", HTTP_IF_MATCH=tag), 412
    )
    assert kept(objective)[1:3] == before[1:3]


def test_a_managers_change_after_it_needs_the_new_etag_and_keeps_the_progress(cast, objective):
    mo, sam = cast.api("manager"), cast.api("person")
    read_by_mo = etag(mo, objective)
    recorded = sam.post(
        one(objective, "progress/"),
        {"status": "in_progress", "progress_notes": "Two held."},
        format="json",
        HTTP_IF_MATCH=etag(sam, objective),
    )
    assert recorded.status_code == 200, recorded.content
    # Mo's read is stale: his change is refused, not written over Sam's.
    stale = mo.patch(
        one(objective), {"progress_notes": "Mine."}, format="json", HTTP_IF_MATCH=read_by_mo
    )
    assert_problem(stale, 412)
    renamed = mo.patch(
        one(objective),
        {"title": "Run every retrospective"},
        format="json",
        HTTP_IF_MATCH=recorded["ETag"],
    )
    assert renamed.status_code == 200, renamed.content
    assert kept(objective)[:3] == ("Run every retrospective", "in_progress", "Two held.")


@pytest.mark.parametrize("role", ["manager", "head", "hr"])
def test_those_who_read_it_do_not_write_it_as_the_person(cast, objective, role):
    client = cast.api(role)
    before = kept(objective)
    refused = client.post(
        one(objective, "progress/"),
        {"status": "done"},
        format="json",
        HTTP_IF_MATCH=etag(client, objective),
    )
    assert "Only the person" in assert_problem(refused, 403)["detail"]
    assert kept(objective) == before


@pytest.mark.parametrize("role", ["other_manager", "other_person"])
def test_others_objectives_are_not_found(cast, objective, role):
    before = kept(objective)
    refused = cast.api(role).post(
        one(objective, "progress/"), {"status": "done"}, format="json", HTTP_IF_MATCH="*"
    )
    assert_problem(refused, 404)
    assert kept(objective) == before


def test_a_guessed_id_is_not_found(cast, objective):
    sam = cast.api("person")
    missing = f"/api/v1/appraisals/{objective.appraisal_id}/objectives/999999/progress/"
    assert_problem(sam.post(missing, {"status": "done"}, format="json", HTTP_IF_MATCH="*"), 404)


def test_an_objective_not_shared_yet_is_not_found_and_one_not_agreed_waits(cast, appraisal):
    appraisal = take_to(appraisal, Stage.MANAGER_REVIEW)
    proposed = plans.add_objective(
        appraisal=appraisal,
        by=cast.manager.account,
        confirmed_stage="manager_review",
        title="Draft",
    )
    sam = cast.api("person")
    sent = {"status": "done"}
    assert_problem(
        sam.post(one(proposed, "progress/"), sent, format="json", HTTP_IF_MATCH="*"), 404
    )
    take_to(appraisal, Stage.REVIEW_SHARED)
    refused = sam.post(one(proposed, "progress/"), sent, format="json", HTTP_IF_MATCH="*")
    assert "not agreed yet" in assert_problem(refused, 409)["detail"]
    assert Objective.objects.get(pk=proposed.pk).status == "not_started"


def test_not_once_signed_off_nor_with_an_empty_body(cast, objective):
    sam = cast.api("person")
    empty = sam.post(one(objective, "progress/"), {}, format="json", HTTP_IF_MATCH="*")
    assert assert_problem(empty, 400)["errors"][0]["pointer"] == "#/status"
    bad = sam.post(
        one(objective, "progress/"), {"status": "nearly"}, format="json", HTTP_IF_MATCH="*"
    )
    assert_problem(bad, 400)
    take_to(objective.appraisal, Stage.SIGNED_OFF)
    refused = sam.post(
        one(objective, "progress/"), {"status": "done"}, format="json", HTTP_IF_MATCH="*"
    )
    assert "signed off" in assert_problem(refused, 409)["detail"]
    assert Objective.objects.get(pk=objective.pk).status == "not_started"
