"""A manager's team page (their home): direct reports first, then the rest of
the reporting line a page at a time, filtered by team, stage and overdue
work; the same queries whatever the size of the line or the number of
cycles."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from appraisals import cycles
from appraisals.models import Appraisal, Cycle, Objective, Person, Stage
from appraisals.views import home
from tests import factories

pytestmark = pytest.mark.django_db


def names(members):
    return [member.person.name for member in members]


def test_direct_reports_first_then_the_rest_of_the_line(cast, appraisal):
    page = cast.client("head").get("/")
    assert names(page.context["team_direct"]) == ["Mo", "Olu"]
    assert names(page.context["team_others"]) == ["Sam", "Tia"]
    assert page.context["team_total"] == 4
    html = page.content.decode()
    assert html.index("Your direct reports") < html.index("Everyone else in your reporting line")
    # Someone below the head says whom they report to.
    assert "reports to Mo" in html


def test_the_rest_of_the_line_comes_a_page_at_a_time(cast, monkeypatch):
    monkeypatch.setattr(home, "TEAM_PAGE_SIZE", 1)
    client = cast.client("head")
    first = client.get("/")
    assert names(first.context["team_others"]) == ["Sam"]
    assert first.context["page_obj"].paginator.count == 2
    second = client.get("/", {"page": 2})
    assert names(second.context["team_others"]) == ["Tia"]
    # Direct reports are on every page.
    assert names(second.context["team_direct"]) == ["Mo", "Olu"]


def test_filter_by_team_stage_and_overdue(cast, appraisal):
    client = cast.client("head")
    # Mo's team is Sam.
    page = client.get("/", {"team": "Mo"})
    assert names(page.context["team_direct"]) == [] and names(page.context["team_others"]) == [
        "Sam"
    ]
    # Sam's appraisal is in draft; Tia has none.
    page = client.get("/", {"stage": Stage.DRAFT})
    assert names(page.context["team_others"]) == ["Sam"]
    assert names(client.get("/", {"stage": Stage.MANAGER_REVIEW}).context["team_others"]) == []
    # Sam's appraisal is past its cycle's end (30 June 2025); Tia's objective
    # is not due yet.
    page = client.get("/", {"overdue": "on"})
    assert names(page.context["team_direct"]) == [] and names(page.context["team_others"]) == [
        "Sam"
    ]
    assert page.context["team_overdue"] == 1


def test_a_team_outside_the_line_is_refused(cast, appraisal):
    """Mo may filter by his own reports' teams only: naming Olu (beside him)
    is an error, and the page lists his line as before any filter."""
    page = cast.client("manager").get("/", {"team": cast.other_manager.employee_id})
    assert "team" in page.context["team_form"].errors
    assert names(page.context["team_direct"]) == ["Sam"]
    assert "Tia" not in page.content.decode()


def test_the_team_is_chosen_by_name_among_the_managers_in_the_line(cast):
    form = cast.client("head").get("/").context["team_form"]
    assert sorted(p.name for p in form.fields["team"].queryset) == ["Mo", "Olu"]
    # Words of a name that two managers share: the page asks which one.
    page = cast.client("head").get("/", {"team": "O"})
    assert sorted(p.name for p in page.context["team_form"].fields["team"].matches) == [
        "Mo",
        "Olu",
    ]


def test_staff_see_no_team(cast, appraisal):
    page = cast.client("person").get("/")
    assert "team_total" not in page.context
    assert "Your team" not in page.content.decode()


def test_leavers_are_not_in_the_team(cast):
    Person.objects.filter(pk=cast.person.pk).update(
        start_date=date(2019, 1, 1), leaving_date=date(2020, 1, 1)
    )
    page = cast.client("manager").get("/")
    assert "team_total" not in page.context


# --- Query counts: the same for a line of 3 or 60, with 1 cycle or 3 ------------------------


def count(client, path="/"):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    return len(queries)


def grow(cast, size, cycle_count):
    """Mo's team with `size` more people, on probation, each with an
    appraisal in every one of `cycle_count` open cycles and an overdue
    objective."""
    for n in range(size):
        factories.PersonFactory(
            name=f"Report {n}",
            line_manager=cast.manager if n % 2 else cast.person,
            role_profile=cast.person.role_profile,
            probation_end_date=date(2027, 1, 1),
            start_date=date(2026, 6, 1),
        )
    for n in range(cycle_count):
        cycle = factories.CycleFactory(name=f"Cycle {n}", status=Cycle.Status.OPEN)
        cycles.open_cycle(cycle=cycle, scope=cycles.Scope.team(cast.head), overlapping=cycles.ADD)
    for appraisal in Appraisal.objects.all():
        Objective.objects.create(appraisal=appraisal, title="Late", due_on=date(2024, 1, 1))


# Each counts the navigation's one query for the signed-in person, except
# the homes, whose header comes from what they read already; the head's
# team is typed, not chosen from a menu read by a query. With no filter
# but "overdue" the pages' count comes from the line's summary. The homes'
# "Waiting for you" list reads three (appraisals/waiting.py); a person who
# manages nobody has no line to count.
HEAD_HOME = 16
PERSON_HOME = 9
PERSON_PAGE = 7


@pytest.mark.parametrize("size, cycle_count", [(0, 1), (60, 3)])
def test_the_team_page_takes_the_same_queries(cast, size, cycle_count, monkeypatch):
    monkeypatch.setattr(home, "TEAM_PAGE_SIZE", 20)
    grow(cast, size, cycle_count)
    client = cast.client("head")
    assert count(client) == HEAD_HOME
    assert count(client, "/?overdue=on&page=2") == HEAD_HOME
    # A stage asks for the pages' own count; checking the team chosen is one more.
    assert count(client, "/?overdue=on&stage=draft&page=2") == HEAD_HOME + 1
    assert count(client, f"/?team={cast.manager.employee_id}") == HEAD_HOME + 2


@pytest.mark.parametrize("path", ["/", "/?overdue=on", "/?overdue=on&stage=draft", "/?stage=x"])
def test_the_rest_of_the_line_is_counted_as_its_pages_show_it(cast, monkeypatch, path):
    """The pages' count taken from the line's summary is the number of rows
    they page through: the line less the head's direct reports."""
    monkeypatch.setattr(home, "TEAM_PAGE_SIZE", 20)
    grow(cast, 30, 1)
    # Two in the line with nothing overdue, and a leaver.
    Appraisal.objects.filter(person__name__in=["Report 3", "Report 4"]).delete()
    Person.objects.filter(name__in=["Report 3", "Report 4"]).update(
        probation_end_date=None, start_date=date(2020, 1, 1)
    )
    factories.PersonFactory(
        name="Gone",
        line_manager=cast.manager,
        start_date=date(2020, 1, 1),
        leaving_date=date(2024, 1, 1),
    )
    response = cast.client("head").get(path)
    shown = []
    for page in range(1, response.context["page_obj"].paginator.num_pages + 1):
        separator = "&" if "?" in path else "?"
        rows = cast.client("head").get(f"{path}{separator}page={page}").context["team_others"]
        shown += [member.person.name for member in rows]
    assert response.context["page_obj"].paginator.count == len(shown) == len(set(shown))
    assert "Gone" not in shown
    if path == "/?overdue=on":
        assert "Report 3" not in shown and "Report 5" in shown


@pytest.mark.parametrize("cycle_count", [1, 3])
def test_the_home_and_person_page_take_the_same_queries(cast, cycle_count):
    grow(cast, 0, cycle_count)
    assert count(cast.client("other_person")) == PERSON_HOME
    path = f"/people/{cast.other_person.pk}/"
    assert count(cast.client("other_manager"), path) == PERSON_PAGE
