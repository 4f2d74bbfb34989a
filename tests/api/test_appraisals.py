"""Appraisals over the API: who sees which appraisals and which of their
fields, the moves and saves through the workflow services with If-Match,
objectives and the development plan, gaps, and query counts.

The cast (tests/cast.py):
Bea (head) ── Mo (manager) ── Sam (person); Bea ── Olu (other manager) ──
Tia (other person); Harriet: HR."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from appraisals import cycles, plans, workflow
from appraisals.models import Appraisal, AppraisalEvent, DevelopmentAction, Objective, Stage
from tests import factories
from tests.api.helpers import assert_problem
from tests.appraisals.helpers import rows
from tests.cast import SIGNED_OUT, fresh, issue, take_to, with_token

pytestmark = pytest.mark.django_db

URL = "/api/v1/appraisals/"
READERS = ["hr", "manager", "head", "person"]
STRANGERS = ["other_manager", "other_person"]


def path(appraisal, tail=""):
    return f"{URL}{appraisal.pk}/{tail}"


def etag(client, appraisal):
    response = client.get(path(appraisal))
    assert response.status_code == 200, response.content
    return response["ETag"]


def state(appraisal):
    """What a refused request must leave as it was."""
    fresh = Appraisal.objects.get(pk=appraisal.pk)
    return (
        fresh.stage,
        fresh.revision,
        fresh.manager_id,
        fresh.outcome,
        list(fresh.requirements.values_list("self_rating", "manager_rating")),
        AppraisalEvent.objects.filter(appraisal=appraisal).count(),
        Objective.objects.filter(appraisal=appraisal).count(),
        DevelopmentAction.objects.filter(appraisal=appraisal).count(),
    )


@pytest.fixture
def everyone(cast, cycle):
    """One appraisal each for Mo, Olu, Sam and Tia (Bea has no manager)."""
    opening = cycles.open_cycle(cycle=cycle, scope=cycles.Scope.everyone())
    return {appraisal.person.name: appraisal for appraisal in opening.created}


# --- Reading: who sees which appraisals ------------------------------------------------

LISTED = {
    "hr": {"Mo", "Olu", "Sam", "Tia"},
    "manager": {"Mo", "Sam"},
    "head": {"Mo", "Olu", "Sam", "Tia"},
    "person": {"Sam"},
    "other_manager": {"Olu", "Tia"},
    "other_person": {"Tia"},
}


@pytest.mark.parametrize("role", list(LISTED))
def test_the_list_shows_each_person_what_the_pages_do(cast, everyone, role):
    response = cast.api(role).get(URL)
    assert response.status_code == 200, response.content
    names = {row["person"]["name"] for row in response.json()["results"]}
    assert names == LISTED[role]


@pytest.mark.parametrize("role", SIGNED_OUT)
def test_signed_out_callers_and_dead_tokens_get_401_everywhere(cast, appraisal, role):
    client = cast.api(role)
    for response in (
        client.get(URL),
        client.get(path(appraisal)),
        client.get(path(appraisal, "gaps/")),
        client.get(path(appraisal, "objectives/")),
        client.post(path(appraisal, "start/"), HTTP_IF_MATCH="*"),
        client.patch(path(appraisal, "ratings/"), {}, format="json", HTTP_IF_MATCH="*"),
    ):
        assert_problem(response, 401)
    assert Appraisal.objects.get(pk=appraisal.pk).stage == Stage.DRAFT


@pytest.mark.parametrize("role", READERS)
def test_readers_get_the_appraisal_and_its_nested_routes(cast, appraisal, role):
    client = cast.api(role)
    for tail in ("", "gaps/", "objectives/", "development-actions/"):
        assert client.get(path(appraisal, tail)).status_code == 200, tail


@pytest.mark.parametrize("role", STRANGERS)
def test_anyone_else_gets_404_for_every_route_and_writes_nothing(cast, appraisal, role):
    client = cast.api(role)
    objective = factories.ObjectiveFactory(appraisal=appraisal)
    before = state(appraisal)
    missing = assert_problem(client.get(f"{URL}999999/"), 404)
    for response in (
        client.get(path(appraisal)),
        client.get(path(appraisal, "gaps/")),
        client.get(path(appraisal, "objectives/")),
        client.get(path(appraisal, f"objectives/{objective.pk}/")),
        client.get(path(appraisal, "development-actions/")),
        client.get(path(appraisal, "development-actions/suggestions/")),
        client.post(path(appraisal, "start/"), HTTP_IF_MATCH="*"),
        client.post(path(appraisal, "send-back/"), {"reason": "x"}, HTTP_IF_MATCH="*"),
        client.put(path(appraisal, "outcome/"), {"outcome": "meets"}, HTTP_IF_MATCH="*"),
        client.post(path(appraisal, "objectives/"), {"title": "Mine"}, HTTP_IF_MATCH="*"),
        client.patch(
            path(appraisal, f"objectives/{objective.pk}/"), {"title": "Mine"}, HTTP_IF_MATCH="*"
        ),
    ):
        # The same answer as for an id that does not exist: an id tells nothing.
        assert assert_problem(response, 404) == missing
    assert state(appraisal) == before


def test_filters_naming_other_peoples_ids_find_nothing(cast, everyone):
    tia = cast.api("other_person")
    sam, mo = everyone["Sam"], everyone["Mo"]
    for filters in (
        {"person": sam.person.employee_id},
        {"manager": cast.manager.employee_id},
        {"person": "NOBODY"},
        {"cycle": sam.cycle_id, "person": mo.person.employee_id},
        {"q": "Sam"},
    ):
        response = tia.get(URL, filters)
        assert response.status_code == 200, filters
        assert response.json()["results"] == [], filters
    # The filters work on what the caller may see.
    mine = cast.api("manager").get(URL, {"manager": cast.manager.employee_id}).json()["results"]
    assert [row["person"]["name"] for row in mine] == ["Sam"]
    found = cast.api("hr").get(URL, {"q": "tia", "cycle": sam.cycle_id}).json()["results"]
    assert [row["person"]["name"] for row in found] == ["Tia"]
    assert_problem(cast.api("hr").get(URL, {"stage": "nonsense"}), 400)
    assert_problem(cast.api("hr").get(URL, {"sort": "outcome"}), 400)


def test_the_list_pages_by_cursor_in_the_order_asked(cast, everyone):
    hr = cast.api("hr")
    first = hr.get(URL, {"sort": "person", "page_size": 3}).json()
    assert [row["person"]["name"] for row in first["results"]] == ["Mo", "Olu", "Sam"]
    rest = hr.get(first["next"]).json()
    assert [row["person"]["name"] for row in rest["results"]] == ["Tia"]
    newest = hr.get(URL).json()["results"]
    assert [row["id"] for row in newest] == sorted((row["id"] for row in newest), reverse=True)


# --- Reading: which fields ----------------------------------------------------------------


def sides(client, appraisal):
    body = client.get(path(appraisal)).json()
    return body, {row["kind"]: row for row in body["requirements"]}


def test_each_side_shows_only_when_the_pages_show_it(cast, appraisal):
    appraisal = take_to(appraisal, Stage.SELF_ASSESSMENT)
    knowledge = rows(appraisal)["knowledge"]
    workflow.save_self_ratings(
        appraisal=appraisal,
        by=cast.person.account,
        confirmed_stage=Stage.SELF_ASSESSMENT,
        ratings={knowledge.pk: {"rating": 3, "evidence": "Ran the sprints"}},
    )
    workflow.save_summary(
        appraisal=appraisal, by=cast.person.account, confirmed_stage=None, text="Mine"
    )
    # Half-done self ratings: the person only (and HR).
    body, by_kind = sides(cast.api("person"), appraisal)
    assert by_kind["knowledge"]["self"]["rating"] == 3
    assert by_kind["knowledge"]["manager"] is None and body["person_summary"] == "Mine"
    assert body["may"]["rate"] == "self" and body["available_moves"] == ["submit"]
    for role in ("manager", "head"):
        body, by_kind = sides(cast.api(role), appraisal)
        assert by_kind["knowledge"]["self"] is None, role
        assert body["person_summary"] is None
        assert body["sides"]["self_assessment"] is False
    assert sides(cast.api("hr"), appraisal)[1]["knowledge"]["self"]["rating"] == 3

    # Submitted: the managers read the self side; the manager rates.
    appraisal = take_to(appraisal, Stage.MANAGER_REVIEW)
    workflow.save_manager_ratings(
        appraisal=appraisal,
        by=cast.manager.account,
        confirmed_stage=None,
        ratings={knowledge.pk: {"rating": 2, "comment": "Not yet"}},
    )
    workflow.set_outcome(
        appraisal=appraisal, by=cast.manager.account, confirmed_stage=None, outcome="partly"
    )
    body, by_kind = sides(cast.api("manager"), appraisal)
    assert by_kind["knowledge"]["self"]["rating"] == 3
    assert by_kind["knowledge"]["manager"] == {
        "rating": 2,
        "rating_name": "Familiar with",
        "evidence": "",
        "comment": "Not yet",
    }
    assert by_kind["knowledge"]["gap"] == -1 and body["outcome"] == "partly"
    for role in ("person", "head"):
        body, by_kind = sides(cast.api(role), appraisal)
        assert by_kind["knowledge"]["manager"] is None, role
        assert by_kind["knowledge"]["gap"] is None and body["outcome"] is None
    listed = cast.api("person").get(URL).json()["results"]
    assert listed[0]["outcome"] is None

    # Shared: everyone who reads it reads both.
    take_to(appraisal, Stage.AGREED)
    for role in READERS:
        body, by_kind = sides(cast.api(role), appraisal)
        assert by_kind["knowledge"]["manager"]["rating"] == 2, role
        assert body["outcome"] == "partly"


def test_a_shared_review_waits_for_whoever_still_has_something_to_do(cast, appraisal):
    shared = take_to(appraisal, Stage.REVIEW_SHARED)
    first, second, *rest = shared.review_items.values_list("pk", flat=True)
    answers = {pk: {"answer": "agreed"} for pk in rest}
    answers[first] = {"answer": "disagreed", "comment": "I led that migration."}

    def answer(given):
        workflow.answer_review(
            appraisal=shared,
            by=cast.user("person"),
            confirmed_stage=Stage.REVIEW_SHARED,
            answers=given,
        )
        return cast.api("manager").get(path(appraisal)).json()["waiting_for"]

    assert answer(answers)["who"] == "Sam and Mo"
    assert answer({second: {"answer": "agreed"}}) == {
        "who": "Mo",
        "what": "to settle 1 disagreement with Sam: reply, or change what they disagree with",
    }


def test_the_detail_says_whom_it_waits_for_and_keeps_the_history(cast, appraisal):
    body = cast.api("manager").get(path(appraisal)).json()
    assert body["waiting_for"] == {"who": "Mo", "what": "to open it for self-assessment"}
    assert body["available_moves"] == ["start"]
    assert [event["action"] for event in body["events"]] == ["created"]
    assert body["profile"]["title"] == "Platform Engineer" and body["superseded"] is False
    assert {row["kind"] for row in body["requirements"]} == {
        "organisation_skill",
        "knowledge",
        "behavioural",
        "work_activity",
    }
    assert cast.api("person").get(path(appraisal)).json()["available_moves"] == []


def test_a_read_answers_304_to_its_etag(cast, appraisal):
    client = cast.api("manager")
    tag = etag(client, appraisal)
    assert client.get(path(appraisal), HTTP_IF_NONE_MATCH=tag).status_code == 304
    workflow.start_self_assessment(
        appraisal=appraisal, by=cast.manager.account, confirmed_stage=None
    )
    assert client.get(path(appraisal), HTTP_IF_NONE_MATCH=tag).status_code == 200


# --- Writing: the workflow ----------------------------------------------------------------


def move(client, appraisal, name, data=None, **headers):
    tag = etag(client, appraisal)
    return client.post(
        path(appraisal, f"{name}/"), data or {}, format="json", HTTP_IF_MATCH=tag, **headers
    )


def test_an_appraisal_goes_through_its_workflow_over_the_api(cast, appraisal):
    manager, person, hr = (cast.api(role) for role in ("manager", "person", "hr"))
    assert move(manager, appraisal, "start").json()["stage"] == Stage.SELF_ASSESSMENT
    knowledge = rows(appraisal)["knowledge"]
    saved = person.patch(
        path(appraisal, "ratings/"),
        {"ratings": [{"requirement": knowledge.pk, "rating": 4, "evidence": "Coached"}]},
        format="json",
        HTTP_IF_MATCH=etag(person, appraisal),
    )
    assert saved.status_code == 200, saved.content
    assert rows(appraisal)["knowledge"].self_rating == 4
    # Three of four are not rated: refused, naming them, until confirmed.
    refused = move(person, appraisal, "submit")
    body = assert_problem(refused, 400)
    assert body["errors"][0]["pointer"] == "#/confirm_unrated"
    assert "3 of 4 requirements are not rated: Formal appraisals" in body["detail"]
    assert fresh(appraisal).stage == Stage.SELF_ASSESSMENT
    submitted = move(person, appraisal, "submit", {"confirm_unrated": True})
    assert submitted.json()["stage"] == Stage.MANAGER_REVIEW
    # Nothing of the manager's side is saved yet: the person may take it back.
    assert "take-back" in submitted.json()["available_moves"]
    assert move(person, appraisal, "take-back").json()["stage"] == Stage.SELF_ASSESSMENT
    move(person, appraisal, "submit", {"confirm_unrated": True})
    rated = manager.patch(
        path(appraisal, "ratings/"),
        {"ratings": [{"requirement": knowledge.pk, "rating": 3}]},
        format="json",
        HTTP_IF_MATCH=etag(manager, appraisal),
    )
    assert rated.status_code == 200, rated.content
    outcome = manager.put(
        path(appraisal, "outcome/"),
        {"outcome": "meets"},
        format="json",
        HTTP_IF_MATCH=etag(manager, appraisal),
    )
    assert outcome.json()["outcome"] == "meets"
    summary = manager.put(
        path(appraisal, "summary/"),
        {"text": "A good year"},
        format="json",
        HTTP_IF_MATCH=etag(manager, appraisal),
    )
    assert summary.json()["manager_summary"] == "A good year"
    shared = move(manager, appraisal, "share", {"confirm_unrated": True})
    assert shared.json()["stage"] == Stage.REVIEW_SHARED
    every = [{"item": item["id"], "answer": "agreed"} for item in shared.json()["review"]["items"]]
    agreed = move(person, appraisal, "answers", {"answers": every})
    assert agreed.json()["stage"] == Stage.AGREED
    assert move(person, appraisal, "sign").json()["person_signed_at"]
    assert move(manager, appraisal, "sign").json()["stage"] == Stage.SIGNED_OFF
    reopened = move(hr, appraisal, "reopen", {"reason": "Wrong outcome"})
    assert reopened.json()["stage"] == Stage.MANAGER_REVIEW
    events = reopened.json()["events"]
    assert [event["action"] for event in events] == [
        "created",
        "started",
        "submitted",
        "taken_back",
        "submitted",
        "shared",
        "agreed",
        "signed",
        "signed",
        "signed_off",
        "reopened",
    ]
    assert events[-1]["reason"] == "Wrong outcome" and events[-1]["by"] == "harriet"


# Who may open a draft for self-assessment: the manager and HR; other readers
# are refused by the service (409); anyone else never finds it.
START = {
    "hr": 200,
    "manager": 200,
    "head": 409,
    "person": 409,
    "other_manager": 404,
    "other_person": 404,
    "anonymous": 401,
    "revoked": 401,
    "expired": 401,
}


@pytest.mark.parametrize("role", list(START))
def test_who_may_start_an_appraisal(cast, appraisal, role):
    before = state(appraisal)
    client = cast.api(role)
    tag = f'"{appraisal.revision}.{appraisal.stage}"'
    response = client.post(path(appraisal, "start/"), HTTP_IF_MATCH=tag)
    if START[role] == 200:
        assert response.status_code == 200, response.content
        assert response.json()["stage"] == Stage.SELF_ASSESSMENT
        assert response["ETag"] == f'"{appraisal.revision + 1}.self_assessment"'
    else:
        body = assert_problem(response, START[role])
        assert state(appraisal) == before
        if START[role] == 409:
            assert "Only Mo, the appraisal's manager, or HR" in body["detail"]


# Each save and move for the roles that may read the appraisal but not do it.
REFUSED = [
    (Stage.SELF_ASSESSMENT, "submit", {"confirm_unrated": True}, ["hr", "manager", "head"]),
    (Stage.MANAGER_REVIEW, "share", {"confirm_unrated": True}, ["hr", "head", "person"]),
    (Stage.MANAGER_REVIEW, "take-back", {}, ["hr", "manager", "head"]),
    (Stage.AGREED, "sign", {}, ["hr", "head"]),
    (Stage.AGREED, "send-back", {"reason": "No"}, ["hr", "head"]),
    (Stage.SIGNED_OFF, "reopen", {"reason": "No"}, ["manager", "head", "person"]),
    (Stage.MANAGER_REVIEW, "reassign", {"manager": "olu"}, ["head"]),
]


@pytest.mark.parametrize(("stage", "name", "data", "roles"), REFUSED)
def test_moves_refused_by_the_service_are_409_and_write_nothing(
    cast, appraisal, stage, name, data, roles
):
    appraisal = take_to(appraisal, stage)
    if data.get("manager") == "olu":
        data = {"manager": cast.other_manager.employee_id}
    for role in roles:
        before = state(appraisal)
        client = cast.api(role)
        response = client.post(
            path(appraisal, f"{name}/"), data, format="json", HTTP_IF_MATCH=etag(client, appraisal)
        )
        body = assert_problem(response, 409)
        assert body["type"] == "urn:competency:problem:state-conflict", role
        assert state(appraisal) == before, (name, role)


@pytest.mark.parametrize("role", ["hr", "manager", "person"])
def test_saves_refused_by_the_service_write_nothing(cast, appraisal, role):
    appraisal = take_to(appraisal, Stage.AGREED)
    client = cast.api(role)
    knowledge = rows(appraisal)["knowledge"]
    before = state(appraisal)
    for response in (
        client.patch(
            path(appraisal, "ratings/"),
            {"ratings": [{"requirement": knowledge.pk, "rating": 1}]},
            format="json",
            HTTP_IF_MATCH=etag(client, appraisal),
        ),
        *(
            [
                client.put(
                    path(appraisal, "outcome/"),
                    {"outcome": "meets"},
                    format="json",
                    HTTP_IF_MATCH=etag(client, appraisal),
                )
            ]
            if role != "manager"
            else []
        ),
    ):
        assert_problem(response, 409)
    assert state(appraisal) == before


def test_writes_need_if_match_and_a_stale_one_is_412(cast, appraisal):
    manager = cast.api("manager")
    stale = etag(manager, appraisal)
    before = state(appraisal)
    assert_problem(manager.post(path(appraisal, "start/")), 428)
    assert_problem(manager.put(path(appraisal, "outcome/"), {"outcome": ""}, format="json"), 428)
    assert state(appraisal) == before
    # Someone changes the appraisal, leaving its stage as it was.
    plans.add_objective(appraisal=appraisal, by=cast.hr, confirmed_stage=None, title="x")
    before = state(appraisal)
    body = assert_problem(manager.post(path(appraisal, "start/"), HTTP_IF_MATCH=stale), 412)
    assert "changed since you read it" in body["detail"]
    assert state(appraisal) == before
    assert move(manager, appraisal, "start").status_code == 200


def test_a_stale_transition_is_refused(cast, appraisal):
    """Two people look at the same draft; one moves it on, the other's move
    (with what they saw) is refused and writes nothing."""
    manager, hr = cast.api("manager"), cast.api("hr")
    seen = etag(hr, appraisal)
    assert move(manager, appraisal, "start").status_code == 200
    before = state(appraisal)
    assert_problem(hr.post(path(appraisal, "start/"), HTTP_IF_MATCH=seen), 412)
    stale_back = hr.post(
        path(appraisal, "send-back/"), {"reason": "x"}, format="json", HTTP_IF_MATCH=seen
    )
    assert_problem(stale_back, 412)
    assert state(appraisal) == before


def test_bad_input_names_the_field_and_writes_nothing(cast, appraisal):
    appraisal = take_to(appraisal, Stage.AGREED)
    manager = cast.api("manager")
    before = state(appraisal)
    tag = etag(manager, appraisal)
    no_reason = assert_problem(
        manager.post(path(appraisal, "send-back/"), {}, HTTP_IF_MATCH=tag), 400
    )
    assert no_reason["errors"][0]["pointer"] == "#/reason"
    bad_outcome = assert_problem(
        manager.put(path(appraisal, "outcome/"), {"outcome": "great"}, HTTP_IF_MATCH=tag), 400
    )
    assert bad_outcome["errors"][0]["pointer"] == "#/outcome"
    zero = assert_problem(
        manager.patch(
            path(appraisal, "ratings/"),
            {"ratings": [{"requirement": 1, "rating": 0}]},
            format="json",
            HTTP_IF_MATCH=tag,
        ),
        400,
    )
    assert zero["errors"][0]["pointer"] == "#/ratings/0/rating"
    assert state(appraisal) == before


def test_a_rating_off_the_scale_or_of_another_appraisal_is_refused(cast, everyone):
    sam, tia = everyone["Sam"], everyone["Tia"]
    sam = take_to(sam, Stage.MANAGER_REVIEW)
    manager = cast.api("manager")
    before = state(sam)
    for ratings in (
        [{"requirement": rows(sam)["knowledge"].pk, "rating": 9}],
        [{"requirement": rows(tia)["knowledge"].pk, "rating": 1}],
    ):
        response = manager.patch(
            path(sam, "ratings/"),
            {"ratings": ratings},
            format="json",
            HTTP_IF_MATCH=etag(manager, sam),
        )
        assert_problem(response, 409)
    assert state(sam) == before


def test_hr_reassign_an_open_appraisal(cast, appraisal):
    # Others: someone they cannot see is no such person; someone they can, a 409.
    for role in ("manager", "person"):
        client = cast.api(role)
        response = client.post(
            path(appraisal, "reassign/"),
            {"manager": cast.other_manager.employee_id},
            format="json",
            HTTP_IF_MATCH=etag(client, appraisal),
        )
        assert assert_problem(response, 400)["errors"][0]["pointer"] == "#/manager"
    hr = cast.api("hr")
    unknown = hr.post(
        path(appraisal, "reassign/"), {"manager": "NOBODY"}, format="json", HTTP_IF_MATCH="*"
    )
    error = assert_problem(unknown, 400)["errors"][0]
    assert (error["pointer"], error["detail"]) == (
        "#/manager",
        "No person has the employee id NOBODY.",
    )
    # An id is an employee id, never a row's number.
    by_number = hr.post(
        path(appraisal, "reassign/"),
        {"manager": str(cast.other_manager.pk)},
        format="json",
        HTTP_IF_MATCH="*",
    )
    assert assert_problem(by_number, 400)["errors"][0]["pointer"] == "#/manager"
    done = move(
        hr, appraisal, "reassign", {"manager": cast.other_manager.employee_id, "reason": "Moved"}
    )
    assert done.status_code == 200, done.content
    assert done.json()["manager"]["name"] == "Olu"
    assert done.json()["events"][-1]["reason"] == "From Mo to Olu. Moved"


# --- Objectives and the development plan ---------------------------------------------------


def test_the_manager_adds_an_objective_once_and_changes_it(cast, appraisal):
    manager = cast.api("manager")
    objectives = path(appraisal, "objectives/")
    tag = etag(manager, appraisal)
    assert_problem(manager.post(objectives, {"title": "Lead"}, format="json"), 428)
    data = {"title": "Lead the incident reviews", "due_on": "2026-03-31"}
    first = manager.post(
        objectives, data, format="json", HTTP_IF_MATCH=tag, HTTP_IDEMPOTENCY_KEY="o1"
    )
    assert first.status_code == 201, first.content
    assert first["Location"].endswith(f"{objectives}{first.json()['id']}/")
    assert first["ETag"] != tag and first["ETag"] == etag(manager, appraisal)
    retry = manager.post(
        objectives, data, format="json", HTTP_IF_MATCH=tag, HTTP_IDEMPOTENCY_KEY="o1"
    )
    assert retry.json() == first.json() and retry["Idempotent-Replayed"] == "true"
    assert Objective.objects.filter(appraisal=appraisal).count() == 1
    # A second add with the old ETag and no key is stale.
    assert_problem(manager.post(objectives, data, format="json", HTTP_IF_MATCH=tag), 412)
    one = f"{objectives}{first.json()['id']}/"
    changed = manager.patch(
        one, {"status": "in_progress"}, format="json", HTTP_IF_MATCH=first["ETag"]
    )
    assert changed.json()["status"] == "in_progress"
    assert changed.json()["title"] == "Lead the incident reviews"
    bad = manager.patch(one, {"due_on": "soon"}, format="json", HTTP_IF_MATCH=changed["ETag"])
    assert assert_problem(bad, 400)["errors"][0]["pointer"] == "#/due_on"
    assert [row["status"] for row in manager.get(objectives).json()] == ["in_progress"]


@pytest.mark.parametrize("role", ["person", "head"])
def test_readers_who_may_not_plan_are_refused(cast, appraisal, role):
    client = cast.api(role)
    before = state(appraisal)
    response = client.post(
        path(appraisal, "objectives/"),
        {"title": "Mine"},
        format="json",
        HTTP_IF_MATCH=etag(client, appraisal),
    )
    assert "cannot add objectives" in assert_problem(response, 409)["detail"]
    assert_problem(client.get(path(appraisal, "development-actions/suggestions/")), 403)
    assert state(appraisal) == before


def gap_below(cast, appraisal):
    """The appraisal at manager review with its knowledge item rated below
    what is required."""
    appraisal = take_to(appraisal, Stage.MANAGER_REVIEW)
    knowledge = rows(appraisal)["knowledge"]
    workflow.save_manager_ratings(
        appraisal=appraisal,
        by=cast.manager.account,
        confirmed_stage=None,
        ratings={knowledge.pk: {"rating": 1}},
    )
    return appraisal, knowledge


def test_the_plan_offers_the_profiles_training_for_gaps(cast, everyone):
    appraisal, knowledge = gap_below(cast, everyone["Sam"])
    manager = cast.api("manager")
    suggestions = manager.get(path(appraisal, "development-actions/suggestions/")).json()
    assert [(row["requirement"], row["gap"]) for row in suggestions] == [(knowledge.pk, -2)]
    option = suggestions[0]["options"][0]
    assert option["title"] == "Agile working course" and option["option"] == "training-" + str(
        option["id"]
    )
    actions = path(appraisal, "development-actions/")
    added = manager.post(
        actions,
        {"option": option["option"], "requirement": knowledge.pk},
        format="json",
        HTTP_IF_MATCH=etag(manager, appraisal),
        HTTP_IDEMPOTENCY_KEY="a1",
    )
    assert added.status_code == 201, added.content
    assert added.json()["training"] == option["id"] and added.json()["gap"] == -2
    assert added.json()["title"] == "Agile working course"
    before = state(appraisal)
    other = rows(everyone["Tia"])["knowledge"].pk
    for data, pointer in (
        ({"option": "training-999999"}, "#/option"),
        ({"title": "Read", "requirement": other}, "#/requirement"),
        ({}, "#/title"),
    ):
        response = manager.post(
            actions, data, format="json", HTTP_IF_MATCH=etag(manager, appraisal)
        )
        assert assert_problem(response, 400)["errors"][0]["pointer"] == pointer
    assert state(appraisal) == before
    mine = manager.post(
        actions,
        {"title": "Pair with Olu", "details": "Weekly"},
        format="json",
        HTTP_IF_MATCH=etag(manager, appraisal),
    )
    assert mine.status_code == 201
    done = manager.patch(
        f"{actions}{mine.json()['id']}/",
        {"status": "done", "requirement": None},
        format="json",
        HTTP_IF_MATCH=mine["ETag"],
    )
    assert done.json()["status"] == "done"
    # Biggest gaps first: the action aimed at the gap leads.
    listed = manager.get(actions).json()
    assert [row["title"] for row in listed] == ["Agile working course", "Pair with Olu"]


def test_gaps_count_only_what_the_caller_may_see(cast, appraisal):
    appraisal, knowledge = gap_below(cast, appraisal)
    mine = cast.api("manager").get(path(appraisal, "gaps/")).json()
    assert mine["counts"]["below"] == 1 and mine["counts"]["shared"] is True
    row = next(row for row in mine["rows"] if row["requirement"] == knowledge.pk)
    assert (row["rating"], row["required_rank"], row["gap"], row["gap_word"]) == (1, 3, -2, "below")
    theirs = cast.api("person").get(path(appraisal, "gaps/")).json()
    assert theirs["counts"]["below"] == 0 and theirs["counts"]["shared"] is False
    assert all(row["rating"] is None and row["gap"] is None for row in theirs["rows"])
    take_to(appraisal, Stage.AGREED)
    assert cast.api("person").get(path(appraisal, "gaps/")).json()["counts"]["below"] == 1


def test_a_token_acts_as_its_person(cast, appraisal):
    client = with_token(issue(cast.manager.account)[1])
    assert move(client, appraisal, "start").status_code == 200
    tia = with_token(issue(cast.other_person.account)[1])
    assert_problem(tia.get(path(appraisal)), 404)


# --- Query counts -----------------------------------------------------------------------------


def queries(client, address):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(address)
    assert response.status_code == 200, response.content
    return len(captured)


# Session, user, the two permission queries (is HR?), then the page of
# appraisals with their cycle and people: none per row.
LIST_QUERIES = {"hr": 3, "manager": 3}
# The same four, then the appraisal, its requirements, its history.
DETAIL_QUERIES = 5


@pytest.mark.parametrize("role", ["hr", "manager"])
def test_the_list_takes_the_same_queries_for_1_and_100_rows(cast, cycle, role):
    client = cast.api(role)
    cycles.open_cycle(cycle=cycle, scope=cycles.Scope.team(cast.manager))
    one = queries(client, URL)
    for n in range(99):
        factories.PersonFactory(
            name=f"Report {n}", line_manager=cast.manager, role_profile=cast.person.role_profile
        )
    cycles.open_cycle(cycle=cycle, scope=cycles.Scope.team(cast.manager))
    response = client.get(URL, {"page_size": 100})
    assert len(response.json()["results"]) == 100
    assert queries(client, f"{URL}?page_size=100") == one == LIST_QUERIES[role]


@pytest.mark.parametrize("role", ["manager", "person"])
def test_the_detail_takes_a_fixed_number_of_queries(cast, appraisal, role):
    client = cast.api(role)
    assert queries(client, path(appraisal)) == DETAIL_QUERIES


@pytest.mark.parametrize("role", ["hr", "head"])
def test_only_the_appraisals_own_manager_rates_in_review(cast, appraisal, role):
    """HR and the manager's manager read the review but do not write it."""
    appraisal = take_to(appraisal, Stage.MANAGER_REVIEW)
    client = cast.api(role)
    before = state(appraisal)
    for response in (
        client.patch(
            path(appraisal, "ratings/"),
            {"ratings": [{"requirement": rows(appraisal)["knowledge"].pk, "rating": 1}]},
            format="json",
            HTTP_IF_MATCH=etag(client, appraisal),
        ),
        client.put(
            path(appraisal, "outcome/"),
            {"outcome": "meets"},
            format="json",
            HTTP_IF_MATCH=etag(client, appraisal),
        ),
        client.put(
            path(appraisal, "summary/"),
            {"text": "Mine"},
            format="json",
            HTTP_IF_MATCH=etag(client, appraisal),
        ),
    ):
        assert "Only" in assert_problem(response, 409)["detail"]
    assert state(appraisal) == before


def test_an_appraisal_names_its_own_versions_title_after_a_newer_one(cast, appraisal):
    from profiles import drafts, lifecycle

    profile = appraisal.profile_version.profile
    first_title = appraisal.profile_version.document["title"]
    body = cast.api("manager").get(f"{URL}{appraisal.pk}/").json()
    assert body["profile"] == {"slug": profile.slug, "title": first_title, "version": 1}
    lifecycle.start_draft(profile=profile)
    profile.refresh_from_db()
    values = drafts.field_values(profile)
    drafts.update_profile(profile=profile, values={**values, "title": "Renamed"}, base=values)
    lifecycle.publish_profile(profile=profile)
    for url in (f"{URL}{appraisal.pk}/", URL):
        body = cast.api("manager").get(url).json()
        row = body if "profile" in body else body["results"][0]
        assert row["profile"]["title"] == first_title != "Renamed"


def test_the_person_answers_the_shared_review_over_the_api(cast, appraisal):
    appraisal = take_to(appraisal, Stage.REVIEW_SHARED)
    person, manager, head = (cast.api(role) for role in ("person", "manager", "head"))
    body = person.get(path(appraisal)).json()
    assert body["may"]["answer"] == "person" and body["stage"] == "review_shared"
    items = {item["requirement"] or item["kind"]: item for item in body["review"]["items"]}
    assert body["review"]["counts"] == {"agreed": 0, "disagreed": 0, "waiting": 6, "total": 6}
    knowledge = rows(appraisal)["knowledge"]
    # A disagreement without a comment: refused, nothing written.
    refused = move(
        person,
        appraisal,
        "answers",
        {"answers": [{"item": items["outcome"]["id"], "answer": "disagreed"}]},
    )
    assert "Say why you disagree with the outcome" in assert_problem(refused, 409)["detail"]
    answers = [{"item": item["id"], "answer": "agreed"} for item in body["review"]["items"]]
    answers[-1] = {"item": items["outcome"]["id"], "answer": "disagreed", "comment": "Too low."}
    answered = move(person, appraisal, "answers", {"answers": answers}).json()
    assert answered["review"]["counts"]["disagreed"] == 1 and answered["stage"] == "review_shared"
    # The manager replies; they cannot agree for the person.
    refused = move(
        manager,
        appraisal,
        "answers",
        {"answers": [{"item": items["outcome"]["id"], "answer": "agreed"}]},
    )
    assert_problem(refused, 409)
    replied = move(
        manager,
        appraisal,
        "answers",
        {"answers": [{"item": items["outcome"]["id"], "comment": "Let us talk."}]},
    ).json()
    thread = [entry["kind"] for entry in replied["review"]["items"][-1]["thread"]]
    assert thread == ["disagreed", "reply"]
    # The manager's manager reads it but does not answer.
    assert head.get(path(appraisal)).json()["review"]["counts"]["disagreed"] == 1
    assert_problem(
        move(
            head,
            appraisal,
            "answers",
            {"answers": [{"item": items["outcome"]["id"], "comment": "x"}]},
        ),
        409,
    )
    done = move(
        person,
        appraisal,
        "answers",
        {"answers": [{"item": items["outcome"]["id"], "answer": "agreed"}]},
    )
    assert done.json()["stage"] == "agreed"
    assert knowledge.pk in items


def test_the_manager_takes_the_shared_review_back_over_the_api(cast, appraisal):
    appraisal = take_to(appraisal, Stage.REVIEW_SHARED)
    manager = cast.api("manager")
    refused = move(manager, appraisal, "take-back-review", {"reason": ""})
    assert_problem(refused, 400)
    taken = move(manager, appraisal, "take-back-review", {"reason": "Reworking the plan."})
    assert taken.json()["stage"] == "manager_review"
    assert taken.json()["events"][-1]["reason"] == "Reworking the plan."
