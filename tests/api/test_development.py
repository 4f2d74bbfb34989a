"""A person's development in one call (/people/{id}/development/): each of
their appraisals the caller may read, with its gaps, objectives and plan
as its pages show them to that caller; 404 for anyone outside the person's
line, in a number of queries that does not grow with the appraisals.

The cast (tests/cast.py): Bea (head) ── Mo (manager) ── Sam;
Bea ── Olu (other manager) ── Tia (other person); Harriet: HR."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from appraisals import cycles, plans
from appraisals.models import Appraisal, Stage
from tests import factories
from tests.api.helpers import assert_problem

pytestmark = pytest.mark.django_db


def development(client, person):
    return client.get(f"/api/v1/people/{person.pk}/development/")


@pytest.fixture
def planned(cast, appraisal):
    by, stage = cast.manager.account, appraisal.stage
    plans.add_objective(
        appraisal=appraisal, by=by, confirmed_stage=stage, title="Lead a design review"
    )
    plans.add_development_action(
        appraisal=appraisal, by=by, confirmed_stage=stage, title="Pair with an architect"
    )
    return appraisal


@pytest.mark.parametrize("role", ["hr", "manager", "head", "person"])
def test_the_person_their_line_and_hr_read_the_plan(cast, planned, role):
    response = development(cast.api(role), cast.person)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["person"]["id"] == cast.person.pk
    (one,) = body["appraisals"]
    assert one["appraisal"] == planned.pk and one["plan_shown"]
    assert [o["title"] for o in one["objectives"]] == ["Lead a design review"]
    assert [a["title"] for a in one["development_actions"]] == ["Pair with an architect"]
    assert one["gap_counts"]["total"] == len(one["gaps"])


@pytest.mark.parametrize("role", ["other_manager", "other_person"])
def test_anyone_else_gets_what_a_missing_person_gets(cast, planned, role):
    client = cast.api(role)
    assert_problem(development(client, cast.person), 404)
    assert_problem(client.get("/api/v1/people/999999/development/"), 404)


def test_the_managers_proposal_is_hidden_from_the_person_until_shared(cast, planned):
    Appraisal.objects.filter(pk=planned.pk).update(stage=Stage.MANAGER_REVIEW)
    (mine,) = development(cast.api("person"), cast.person).json()["appraisals"]
    assert not mine["plan_shown"] and mine["objectives"] == mine["development_actions"] == []
    (theirs,) = development(cast.api("manager"), cast.person).json()["appraisals"]
    assert theirs["plan_shown"] and theirs["objectives"]


def test_more_appraisals_cost_no_more_queries(cast, planned):
    client = cast.api("manager")
    with CaptureQueriesContext(connection) as one:
        assert development(client, cast.person).status_code == 200
    later = factories.CycleFactory(
        name="Annual review 2026", opens_on=date(2026, 4, 1), closes_on=date(2026, 6, 30)
    )
    cycles.open_cycle(cycle=later, scope=cycles.Scope.team(cast.manager), overlapping=cycles.ADD)
    with CaptureQueriesContext(connection) as two:
        body = development(client, cast.person).json()
    assert len(body["appraisals"]) == 2
    assert len(two) == len(one)
