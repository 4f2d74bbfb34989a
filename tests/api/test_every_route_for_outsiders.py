"""Every operation of the API's schema on someone else's rows: a manager of
another team and a member of another team get the same answer for Sam's
appraisal, objective, check-in or probation checkpoint as for one that does
not exist, and change nothing. Lists filtered by Sam's or Mo's id, and
sorted every way the schema offers, never show Sam. A new route under
/appraisals/{id}/ or /people/{id}/ that forgot its access rule fails here
without a test of its own (the broken-object-level-authorisation cases).

The cast (tests/cast.py): Bea (head) ── Mo (manager) ── Sam;
Bea ── Olu (other manager) ── Tia (other person); Harriet: HR."""

import re
from datetime import date, timedelta

import pytest
from django.utils import timezone

from appraisals import cycles, plans, probation
from appraisals.models import Person, ProbationCheckpoint
from tests.api.helpers import SCHEMA, rows

pytestmark = pytest.mark.django_db


OUTSIDERS = ["other_manager", "other_person"]
# Operations on one person's rows: the object-level rules decide these.
SCOPED = ("/api/v1/appraisals/{", "/api/v1/people/{")
OPERATIONS = [
    (method.upper(), path)
    for path, operations in SCHEMA["paths"].items()
    for method in operations
    if method in {"get", "post", "put", "patch", "delete"} and path.startswith(SCOPED)
]
LISTS = [
    (path, operation)
    for path, operations in SCHEMA["paths"].items()
    for method, operation in operations.items()
    if method == "get" and "{" not in path
]
MISSING = 999_999


@pytest.fixture
def sams(cast, cycle):
    """Sam's rows, one of each kind a route names, and Sam on probation."""
    today = timezone.localdate()
    Person.objects.filter(pk=cast.person.pk).update(
        start_date=today - timedelta(days=100), probation_end_date=today + timedelta(days=90)
    )
    probation.schedule_checkpoints(Person.objects.filter(pk=cast.person.pk))
    (appraisal,) = cycles.open_cycle(cycle=cycle, scope=cycles.Scope.team(cast.manager)).created
    by, stage = cast.manager.account, appraisal.stage
    objective = plans.add_objective(
        appraisal=appraisal, by=by, confirmed_stage=stage, title="Lead a design review"
    )
    action = plans.add_development_action(
        appraisal=appraisal, by=by, confirmed_stage=stage, title="Pair with an architect"
    )
    check_in = plans.record_check_in(person=cast.person, by=by, held_on=date(2025, 5, 1))
    return {
        "appraisal": appraisal.pk,
        "person": cast.person.pk,
        "objective": objective.pk,
        "action": action.pk,
        "check_in": check_in.pk,
        "checkpoint": ProbationCheckpoint.objects.filter(person=cast.person).first().pk,
    }


# What only HR read: everyone else gets 404, Sam's manager too.
HR_READS = {"/api/v1/people/{id}/export/"}


def address(path, ids):
    """The path with its parameters filled from `ids` (one kind of row each)."""

    def fill(found):
        name = found.group(1)
        if name in ("appraisal_pk", "person_pk"):
            return str(ids[name.removesuffix("_pk")])
        if name != "id":
            raise AssertionError(f"{path}: a parameter this test does not know, {name}")
        for tail, kind in [
            ("/objectives/", "objective"),
            ("/development-actions/", "action"),
            ("/check-ins/", "check_in"),
            ("/probation-checkpoints/", "checkpoint"),
            ("/appraisals/", "appraisal"),
            ("/people/", "person"),
        ]:
            if tail + "{id}" in path:
                return str(ids[kind])
        raise AssertionError(f"{path}: which row does its id name?")

    return re.sub(r"\{([^}]+)\}", fill, path)


def answer(response):
    """What a caller learns from a refusal: its status and its title."""
    title = response.json().get("title") if response.content else None
    return response.status_code, title


def test_the_schema_has_the_scoped_operations_to_check():
    assert len(OPERATIONS) >= 35


@pytest.mark.parametrize("method, path", OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_someone_elses_row_is_as_unknown_as_a_missing_one(cast, sams, method, path):
    missing = dict.fromkeys(sams, MISSING)
    if method == "GET":
        # The ids are real: Sam's manager reads each of them (HR, what only
        # HR read).
        required = {"profile": cast.person.role_profile.slug}  # readiness for a profile
        reader = "hr" if path in HR_READS else "manager"
        response = cast.api(reader).get(address(path, sams), required)
        assert response.status_code == 200, (path, response.content)
    before = rows()
    for role in OUTSIDERS:
        client = cast.api(role)
        for headers in ({}, {"HTTP_IF_MATCH": '"stale"'}):
            hidden = client.generic(
                method, address(path, sams), "{}", content_type="application/json", **headers
            )
            unknown = client.generic(
                method, address(path, missing), "{}", content_type="application/json", **headers
            )
            assert hidden.status_code in (403, 404), (role, path, hidden.content)
            assert answer(hidden) == answer(unknown), (role, path)
            assert b"Sam" not in hidden.content
    assert rows() == before


def test_every_list_filtered_by_someone_elses_id_shows_nothing_of_them(cast, sams):
    named = {"person": cast.person.employee_id, "manager": cast.manager.employee_id}
    checked = 0
    for path, operation in LISTS:
        types = {
            parameter["name"]: parameter.get("schema", {}).get("type")
            for parameter in operation.get("parameters", [])
        }
        for name in set(types) & set(named):
            # Every parameter naming a person takes their employee id, as
            # the bodies name them.
            assert types[name] == "string", (path, name)
            for role in OUTSIDERS:
                client = cast.api(role)
                hidden = client.get(path, {name: named[name]})
                unknown = client.get(path, {name: f"E{MISSING}"})
                assert hidden.status_code == unknown.status_code, (role, path, name)
                assert b"Sam" not in hidden.content, (role, path, name)
                if hidden.status_code == 200 and "results" in hidden.json():
                    assert hidden.json()["results"] == unknown.json()["results"]
                checked += 1
    # The appraisals list (person, manager), people (manager) and the heatmap (manager).
    assert checked >= 8


def test_every_sort_of_every_list_shows_only_what_the_caller_may_read(cast, sams):
    checked = 0
    for path, operation in LISTS:
        for parameter in operation.get("parameters", []):
            if parameter["name"] != "sort":
                continue
            for order in parameter["schema"]["enum"]:
                for role in OUTSIDERS:
                    response = cast.api(role).get(path, {"sort": order})
                    # HR's lists (cycles) are a 403 to them.
                    assert response.status_code in (200, 403), (role, path, order)
                    assert b"Sam" not in response.content, (role, path, order)
                    checked += 1
    assert checked >= 10


def test_the_outsiders_do_read_their_own(cast, cycle, sams):
    """The refusals above are about Sam, not a broken caller: each outsider
    reads their own person and their team's appraisals."""
    cycles.open_cycle(cycle=cycle, scope=cycles.Scope.team(cast.other_manager))
    tia = cast.api("other_person").get(f"/api/v1/people/{cast.other_person.pk}/")
    assert tia.status_code == 200
    listed = cast.api("other_manager").get("/api/v1/appraisals/").json()["results"]
    assert [row["person"]["name"] for row in listed] == ["Tia"]
