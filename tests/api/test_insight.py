"""The read-only insight endpoints: the team heatmap, items to search for,
people by skill and level, and readiness. The same scope as the pages
(insight.team_for, Person.objects.visible_to): the cast (HR, the manager,
the manager's manager, the report, another manager, other staff) each see
their own part, anyone else 404; signed-out callers 401."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from appraisals import cycles
from appraisals.models import Requirement
from competency.models import KnowledgeItem
from tests import factories
from tests.api.helpers import assert_problem
from tests.cast import ROLES, SIGNED_OUT, agree, agree_directly, published_profile, take_to

pytestmark = pytest.mark.django_db

HEATMAP = "/api/v1/insight/heatmap/"
ITEMS = "/api/v1/insight/items/"
FIND = "/api/v1/insight/people-with/"
EVERY_ROLE = [*ROLES, "revoked", "expired"]


@pytest.fixture
def sams(appraisal, cast):
    """Sam's appraisal agreed: Systems design Expert (Practitioner asked),
    Agile working Familiar (Proficient asked), Team dynamics shown, Formal
    appraisals not rated."""
    return agree(appraisal, skill=4, knowledge=2, behavioural=2, activity=None)


@pytest.fixture
def tias(cast, cycle):
    (opened,) = cycles.open_cycle(cycle=cycle, scope=cycles.Scope.team(cast.other_manager)).created
    agree_directly(opened, 3)
    return opened


def rows(response):
    assert response.status_code == 200, response.content
    return {row["person"]["name"] for row in response.json()["rows"]}


# --- The heatmap ----------------------------------------------------------------------------

HEATMAP_ROWS = {
    "hr": {"Bea", "Mo", "Olu", "Sam", "Tia"},
    "head": {"Mo", "Olu", "Sam", "Tia"},
    "manager": {"Sam"},
    "person": None,
    "other_manager": {"Tia"},
    "other_person": None,
}


@pytest.mark.parametrize("role", EVERY_ROLE)
def test_who_sees_which_rows_of_the_heatmap(cast, sams, tias, role):
    response = cast.api(role).get(HEATMAP)
    if role in SIGNED_OUT:
        assert_problem(response, 401)
    elif HEATMAP_ROWS[role] is None:
        assert_problem(response, 404)
    else:
        assert rows(response) == HEATMAP_ROWS[role]


def test_the_cells_are_the_agreed_gaps(cast, sams):
    body = cast.api("manager").get(HEATMAP).json()
    (row,) = body["rows"]
    assert row["appraisal"] == sams.pk and row["cycle"] == "Annual review 2025"
    cells = {
        column["kind"]: cell for column, cell in zip(body["columns"], row["cells"], strict=True)
    }
    assert cells[Requirement.Kind.ORGANISATION_SKILL]["state"] == "above"
    knowledge = cells[Requirement.Kind.KNOWLEDGE]
    assert (knowledge["state"], knowledge["rating"], knowledge["required"], knowledge["gap"]) == (
        "below",
        "Familiar with",
        "Proficient in",
        -1,
    )
    assert cells[Requirement.Kind.WORK_ACTIVITY]["state"] == "not_rated"
    assert body["count"] == 1 and body["more_columns"] == 0


def test_a_manager_naming_another_team_gets_404(cast, sams, tias):
    mo = cast.api("manager")
    hidden = assert_problem(mo.get(HEATMAP, {"manager": cast.other_manager.employee_id}), 404)
    assert hidden == assert_problem(mo.get(HEATMAP, {"manager": "NOBODY"}), 404)
    assert_problem(mo.get(HEATMAP, {"manager": cast.other_person.employee_id}), 404)
    assert assert_problem(mo.get(HEATMAP, {"manager": "x" * 51}), 400)["errors"][0]["pointer"] == (
        "#/manager"
    )
    for role in ("head", "hr"):
        chosen = cast.api(role).get(HEATMAP, {"manager": cast.other_manager.employee_id})
        assert rows(chosen) == {"Tia"}


def test_only_hr_filter_by_job_family(cast, sams, tias, ddat):
    family = factories.JobFamilyFactory(name="Data", slug="data")
    other = published_profile(ddat, title="Data Engineer", family=family)
    factories.PersonFactory(name="Dee", line_manager=cast.other_manager, role_profile=other)
    assert rows(cast.api("hr").get(HEATMAP, {"family": "data"})) == {"Dee"}
    refused = assert_problem(cast.api("other_manager").get(HEATMAP, {"family": "data"}), 403)
    assert "job family" in refused["detail"]
    assert_problem(cast.api("hr").get(HEATMAP, {"family": "nope"}), 400)
    # Blank or twice: named, never read as "no filter" or as the last one.
    for given in ("family=", "family=data&family=nope"):
        refused = assert_problem(cast.api("hr").get(f"{HEATMAP}?{given}"), 400)
        assert refused["errors"][0]["pointer"] == "#/family"


def _queries(client, path, params=None):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path, params or {})
        assert response.status_code == 200, response.content
    return len(captured)


def test_the_heatmap_takes_the_same_queries_for_1_and_50_people(cast, sams):
    mo = cast.api("manager")
    one = _queries(mo, HEATMAP)
    later = factories.CycleFactory(
        name="Later", opens_on=date(2025, 7, 1), closes_on=date(2025, 9, 30)
    )
    for n in range(49):
        factories.PersonFactory(
            name=f"Report {n:02}", line_manager=cast.manager, role_profile=cast.person.role_profile
        )
    for opened in cycles.open_cycle(
        cycle=later, scope=cycles.Scope.team(cast.manager), overlapping=cycles.ADD
    ).created:
        agree_directly(opened, 2)
    assert len(mo.get(HEATMAP).json()["rows"]) == 50
    assert _queries(mo, HEATMAP) == one == 6


# --- Finding people ------------------------------------------------------------------------------


@pytest.mark.parametrize("role", EVERY_ROLE)
def test_who_may_search_items(cast, role):
    response = cast.api(role).get(ITEMS, {"q": "agile"})
    if role in SIGNED_OUT:
        assert_problem(response, 401)
    elif HEATMAP_ROWS[role] is None:
        assert_problem(response, 404)
    else:
        assert response.status_code == 200
        assert {"kind": "knowledge", "name": "Agile working"}.items() <= response.json()[0].items()


def agile():
    return KnowledgeItem.objects.get(title="Agile working")


# Who finds whom among Sam (Agile working: Familiar, 2) and Tia (3).
FOUND = {
    "hr": {"Sam", "Tia"},
    "head": {"Sam", "Tia"},
    "manager": {"Sam"},
    "person": None,
    "other_manager": {"Tia"},
    "other_person": None,
}


@pytest.mark.parametrize("role", EVERY_ROLE)
def test_who_finds_whom(cast, sams, tias, role):
    response = cast.api(role).get(FIND, {"kind": "knowledge", "item": agile().pk, "level": 2})
    if role in SIGNED_OUT:
        assert_problem(response, 401)
    elif FOUND[role] is None:
        assert_problem(response, 404)
    else:
        assert response.status_code == 200, response.content
        found = {row["person"]["name"] for row in response.json()["results"]}
        assert found == FOUND[role]


def test_found_people_show_their_latest_agreed_rating(cast, sams, tias):
    hr = cast.api("hr")
    results = hr.get(FIND, {"kind": "knowledge", "item": agile().pk, "level": 3}).json()["results"]
    assert [(r["person"]["name"], r["rating"], r["appraisal"]) for r in results] == [
        ("Tia", 3, tias.pk)
    ]
    assert results[0]["rating_name"] == "Proficient in"


def test_bad_searches_name_the_parameter(cast, sams):
    mo = cast.api("manager")
    cases = [
        ({"kind": "knowledge", "item": 999999, "level": 2}, "#/item"),
        ({"kind": "knowledge", "item": agile().pk, "level": 9}, "#/level"),
        ({"kind": "person", "item": agile().pk, "level": 2}, "#/kind"),
        ({"kind": "knowledge", "level": 2}, "#/item"),
    ]
    for params, pointer in cases:
        body = assert_problem(mo.get(FIND, params), 400)
        assert body["errors"][0]["pointer"] == pointer


def test_finding_takes_the_same_queries_for_1_and_100_people(cast, sams, cycle):
    hr = cast.api("hr")
    params = {"kind": "knowledge", "item": agile().pk, "level": 1, "page_size": 200}
    one = _queries(hr, FIND, params)
    for n in range(99):
        factories.PersonFactory(
            name=f"Report {n:02}", line_manager=cast.manager, role_profile=cast.person.role_profile
        )
    for opened in cycles.open_cycle(
        cycle=cycle, scope=cycles.Scope.team(cast.manager), overlapping=cycles.ADD
    ).created:
        agree_directly(opened, 2)
    assert len(hr.get(FIND, params).json()["results"]) == 100
    assert _queries(hr, FIND, params) == one <= 9


# --- Readiness ---------------------------------------------------------------------------------


def readiness(person):
    return f"/api/v1/people/{person.pk}/readiness/"


@pytest.mark.parametrize("role", EVERY_ROLE)
def test_who_reads_a_persons_readiness(cast, sams, role):
    response = cast.api(role).get(
        readiness(cast.person), {"profile": cast.person.role_profile.slug}
    )
    if role in SIGNED_OUT:
        assert_problem(response, 401)
    elif role in {"hr", "head", "manager", "person"}:
        assert response.status_code == 200, response.content
    else:
        hidden = assert_problem(response, 404)
        guessed = cast.api(role).get("/api/v1/people/999999/readiness/", {"profile": "x"})
        assert hidden == assert_problem(guessed, 404)


def test_readiness_holds_agreed_ratings_against_a_version(cast, sams):
    body = (
        cast.api("person")
        .get(readiness(cast.person), {"profile": cast.person.role_profile.slug})
        .json()
    )
    assert body["version"] == 1 and body["person"]["name"] == "Sam"
    assert [need["title"] for need in body["needs"]] == ["Agile working"]
    assert body["needs"][0]["shortfall"] == 1
    assert body["counted"] == 2
    assert {need["title"] for need in body["unknown"]} == set()


def test_readiness_for_a_profile_nobody_may_read_is_404(cast, sams):
    draft = factories.RoleProfileFactory(title="Secret", slug="secret")
    sam = cast.api("person")
    assert_problem(sam.get(readiness(cast.person), {"profile": draft.slug}), 404)
    assert_problem(sam.get(readiness(cast.person), {"profile": "no-such"}), 404)
    missing = assert_problem(sam.get(readiness(cast.person)), 400)
    assert missing["errors"][0]["pointer"] == "#/profile"


def test_readiness_takes_a_fixed_number_of_queries(cast, sams):
    assert (
        _queries(
            cast.api("manager"),
            readiness(cast.person),
            {"profile": cast.person.role_profile.slug},
        )
        <= 12
    )


# --- A person's gaps over time -------------------------------------------------------------


def gaps(person):
    return f"/api/v1/people/{person.pk}/gaps/"


@pytest.mark.parametrize("role", EVERY_ROLE)
def test_who_reads_a_persons_gaps_over_time(cast, sams, role):
    response = cast.api(role).get(gaps(cast.person))
    if role in SIGNED_OUT:
        assert_problem(response, 401)
    elif role in {"hr", "head", "manager", "person"}:
        assert response.status_code == 200, response.content
        assert [row["appraisal"] for row in response.json()["appraisals"]] == [sams.pk]
    else:
        hidden = assert_problem(response, 404)
        assert hidden == assert_problem(cast.api(role).get("/api/v1/people/999999/gaps/"), 404)


def test_gaps_over_time_count_what_the_gaps_page_shows_each_reader(cast, sams, cycle):
    from django.urls import reverse

    from appraisals import workflow
    from appraisals.models import Stage

    # A later appraisal, rated by Mo but not shared yet: Sam sees it unrated.
    later = factories.CycleFactory(
        name="Annual review 2026", opens_on=date(2026, 4, 1), closes_on=date(2026, 6, 30)
    )
    (current,) = cycles.open_cycle(
        cycle=later, scope=cycles.Scope.team(cast.manager), overlapping=cycles.ADD
    ).created
    current = take_to(current, Stage.MANAGER_REVIEW)
    workflow.save_manager_ratings(
        appraisal=current,
        by=cast.manager.account,
        confirmed_stage=Stage.MANAGER_REVIEW,
        ratings={row.pk: {"rating": 1} for row in current.requirements.exclude(required_rank=None)},
    )
    for role in ("person", "manager", "hr"):
        body = cast.api(role).get(gaps(cast.person)).json()
        periods = (
            cast.client(role)
            .get(reverse("appraisals:person_gaps", args=[cast.person.pk]))
            .context["periods"]
        )
        assert [row["counts"] for row in body["appraisals"]] == [p.counts for p in periods]
        assert [row["cycle"] for row in body["appraisals"]] == [cycle.name, later.name]
        assert body["appraisals"][0]["stage"] == "agreed"
        assert body["appraisals"][0]["counts"]["below"] == 1  # Agile working
    sam = cast.api("person").get(gaps(cast.person)).json()["appraisals"][1]["counts"]
    assert not sam["shared"] and sam["unrated"] == sam["total"] > 0
    mo = cast.api("manager").get(gaps(cast.person)).json()["appraisals"][1]["counts"]
    assert mo["shared"] and mo["below"] > 0


def test_gaps_over_time_take_the_same_queries_for_1_or_3_appraisals(cast, sams):
    one = _queries(cast.api("manager"), gaps(cast.person))
    for year in (2026, 2027):
        later = factories.CycleFactory(
            name=f"Review {year}", opens_on=date(year, 4, 1), closes_on=date(year, 6, 30)
        )
        (opened,) = cycles.open_cycle(
            cycle=later, scope=cycles.Scope.team(cast.manager), overlapping=cycles.ADD
        ).created
        agree_directly(opened, 2)
    assert _queries(cast.api("manager"), gaps(cast.person)) == one
