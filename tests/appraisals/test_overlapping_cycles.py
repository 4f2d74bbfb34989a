"""Cycles that overlap: a mid-year check opened while the annual review is
still open. Opening lists who already has an open appraisal in another
cycle and HR choose to skip or add them (page and API, one service); every
open appraisal of a person shows, soonest due first, on their home, their
manager's team page and the person page."""

from datetime import date

import pytest
from django.urls import reverse

from appraisals import cycles
from appraisals.models import Appraisal, AppraisalEvent, Cycle, Stage
from tests import factories
from tests.api.helpers import assert_problem
from tests.cast import person

pytestmark = pytest.mark.django_db

CYCLES_API = "/api/v1/cycles/"


@pytest.fixture
def mid_year(appraisal):
    """Mid-year check, in draft, due after Sam's open Annual review 2025
    (which closed on 30 June 2025)."""
    return factories.CycleFactory(
        name="Mid-year check",
        kind=Cycle.Kind.MID_YEAR,
        opens_on=date(2026, 10, 1),
        closes_on=date(2027, 1, 29),
    )


def rows():
    return (
        list(Cycle.objects.order_by("pk").values("pk", "status")),
        list(Appraisal.objects.order_by("pk").values("pk", "cycle_id", "stage")),
        AppraisalEvent.objects.count(),
    )


# --- The service ----------------------------------------------------------------------


def test_the_preview_lists_who_has_an_open_appraisal_elsewhere(cast, appraisal, mid_year):
    una = person("Una", cast.manager, cast.person.role_profile)
    preview = cycles.preview_opening(cycle=mid_year, scope=cycles.Scope.team(cast.manager))
    # Una has no other appraisal; Sam's annual review is open: not chosen yet.
    assert preview.created == [una]
    assert [(p, [a.pk for a in open_]) for p, open_ in preview.overlapping] == [
        (cast.person, [appraisal.pk])
    ]
    assert preview.skipped == []
    skipping = cycles.preview_opening(
        cycle=mid_year, scope=cycles.Scope.team(cast.manager), overlapping=cycles.SKIP
    )
    assert skipping.created == [una]
    assert skipping.skipped == [(cast.person, cycles.OPEN_ELSEWHERE)]
    adding = cycles.preview_opening(
        cycle=mid_year, scope=cycles.Scope.team(cast.manager), overlapping=cycles.ADD
    )
    assert adding.created == [cast.person, una] and adding.skipped == []


def test_opening_without_a_choice_for_them_writes_nothing(cast, appraisal, mid_year):
    before = rows()
    with pytest.raises(cycles.CycleError) as refused:
        cycles.open_cycle(cycle=mid_year, scope=cycles.Scope.team(cast.manager))
    assert refused.value.message_dict["overlapping"] == [
        "1 person in scope already has an open appraisal in another cycle: choose whether "
        "to skip them or add them."
    ]
    assert rows() == before


def test_skipping_or_adding_them(cast, appraisal, mid_year):
    skipped = cycles.open_cycle(
        cycle=mid_year, scope=cycles.Scope.team(cast.manager), overlapping=cycles.SKIP
    )
    assert skipped.created == [] and skipped.skipped_for(cycles.OPEN_ELSEWHERE) == [cast.person]
    assert not mid_year.appraisals.exists()
    added = cycles.open_cycle(
        cycle=mid_year, scope=cycles.Scope.team(cast.manager), overlapping=cycles.ADD
    )
    assert [a.person for a in added.created] == [cast.person]
    assert sorted(Appraisal.objects.filter(person=cast.person).values_list("cycle__name")) == [
        ("Annual review 2025",),
        ("Mid-year check",),
    ]


def test_a_signed_off_appraisal_elsewhere_is_no_overlap(cast, appraisal, mid_year):
    Appraisal.objects.filter(pk=appraisal.pk).update(
        stage=Stage.SIGNED_OFF,
        person_signed_at="2025-06-01T10:00Z",
        manager_signed_at="2025-06-01T10:00Z",
    )
    opening = cycles.open_cycle(cycle=mid_year, scope=cycles.Scope.team(cast.manager))
    assert [a.person for a in opening.created] == [cast.person]
    assert opening.overlapping == []


def test_the_confirmed_number_is_the_one_for_the_choice(cast, appraisal, mid_year):
    scope = cycles.Scope.team(cast.manager)
    with pytest.raises(cycles.CycleError, match="changed since you looked"):
        cycles.open_cycle(cycle=mid_year, scope=scope, overlapping=cycles.SKIP, confirmed=1)
    opened = cycles.open_cycle(cycle=mid_year, scope=scope, overlapping=cycles.ADD, confirmed=1)
    assert len(opened.created) == 1


# --- The page -------------------------------------------------------------------------


def open_url(cycle):
    return reverse("appraisals:cycle_open", kwargs={"pk": cycle.pk})


def test_the_confirmation_lists_them_and_asks(cast, appraisal, mid_year):
    client = cast.client("hr")
    team = {"scope": "team", "manager": cast.manager.employee_id}
    page = client.post(open_url(mid_year), team)
    html = page.content.decode()
    assert "Nobody in scope is skipped" not in html
    assert "1 person already has an open appraisal in another cycle" in html
    assert "Sam" in html and "Annual review 2025, draft" in html and "30 Jun 2025" in html
    assert "0 appraisals will be created if you skip them, 1 if you add them" in html
    # Pressed without choosing: the question again, with why; nothing written.
    before = rows()
    asked = {**team, "confirmed": "0", "confirmed_with_overlapping": "1", "asked_overlapping": "1"}
    again = client.post(open_url(mid_year), asked)
    assert again.status_code == 200
    assert again.context["choice"].errors["overlapping"] == [
        "Choose whether to skip or add the people who already have an open appraisal in "
        "another cycle"
    ]
    assert "There is a problem" in again.content.decode()
    assert rows() == before


def test_skip_them_and_the_confirmation_says_so(cast, appraisal, mid_year):
    client = cast.client("hr")
    person("Una", cast.manager, cast.person.role_profile)
    data = {
        "scope": "team",
        "manager": cast.manager.employee_id,
        "confirmed": "1",
        "confirmed_with_overlapping": "2",
        "asked_overlapping": "1",
        "overlapping": "skip",
    }
    done = client.post(open_url(mid_year), data, follow=True)
    html = done.content.decode()
    assert (
        "1 appraisal created, 1 person skipped. 1 person with an open appraisal in another "
        "cycle skipped." in html
    )
    assert [a.person.name for a in mid_year.appraisals.all()] == ["Una"]


def test_add_them_and_the_confirmation_says_so(cast, appraisal, mid_year):
    client = cast.client("hr")
    data = {
        "scope": "team",
        "manager": cast.manager.employee_id,
        "confirmed": "0",
        "confirmed_with_overlapping": "1",
        "asked_overlapping": "1",
        "overlapping": "add",
    }
    html = client.post(open_url(mid_year), data, follow=True).content.decode()
    assert "1 appraisal created, 0 people skipped" in html
    assert "1 person with an open appraisal in another cycle added: they now have both" in html
    assert [a.person for a in mid_year.appraisals.all()] == [cast.person]


def test_someone_overlapping_since_the_preview_is_asked_about(cast, cycle, mid_year):
    """The preview showed no overlap; by the time HR confirm, Sam has an open
    appraisal elsewhere: nothing is written and the page asks."""
    client = cast.client("hr")
    Appraisal.objects.filter(cycle=cycle).delete()
    team = {"scope": "team", "manager": cast.manager.employee_id}
    assert client.post(open_url(mid_year), team).context["overlapping_count"] == 0
    cycles.open_cycle(cycle=cycle, scope=cycles.Scope.team(cast.manager))
    page = client.post(open_url(mid_year), {**team, "confirmed": "1"}, follow=True)
    assert "choose whether to skip them or add them" in page.content.decode()
    assert page.context["overlapping_count"] == 1
    assert not mid_year.appraisals.exists()


# --- The API --------------------------------------------------------------------------


def etag(client, cycle):
    return client.get(f"{CYCLES_API}{cycle.pk}/")["ETag"]


def test_the_api_preview_and_open_take_the_same_choice(cast, appraisal, mid_year):
    hr = cast.api("hr")
    team = {"scope": "team", "manager": cast.manager.employee_id}
    preview = hr.post(f"{CYCLES_API}{mid_year.pk}/preview/", team, format="json").json()
    assert preview["creates"] == 0 and preview["overlapping_count"] == 1
    assert preview["overlapping"] == [
        {
            "id": cast.person.pk,
            "name": "Sam",
            "employee_id": cast.person.employee_id,
            "open_appraisals": [
                {
                    "id": appraisal.pk,
                    "cycle": "Annual review 2025",
                    "closes_on": "2025-06-30",
                    "stage": "draft",
                }
            ],
        }
    ]
    adding = hr.post(
        f"{CYCLES_API}{mid_year.pk}/preview/", {**team, "overlapping": "add"}, format="json"
    )
    assert adding.json()["creates"] == 1
    before = rows()
    undecided = hr.post(
        f"{CYCLES_API}{mid_year.pk}/open/",
        {**team, "confirmed": 0},
        format="json",
        HTTP_IF_MATCH=etag(hr, mid_year),
    )
    problem = assert_problem(undecided, 400)
    assert problem["errors"][0]["pointer"] == "#/overlapping"
    assert "choose whether to skip them or add them" in problem["detail"]
    wrong = hr.post(
        f"{CYCLES_API}{mid_year.pk}/open/",
        {**team, "confirmed": 0, "overlapping": "both"},
        format="json",
        HTTP_IF_MATCH=etag(hr, mid_year),
    )
    assert assert_problem(wrong, 400)["errors"][0]["pointer"] == "#/overlapping"
    assert rows() == before
    opened = hr.post(
        f"{CYCLES_API}{mid_year.pk}/open/",
        {**team, "confirmed": 1, "overlapping": "add"},
        format="json",
        HTTP_IF_MATCH=etag(hr, mid_year),
    )
    assert opened.status_code == 200, opened.content
    assert opened.json()["created"] == 1 and opened.json()["overlapping_count"] == 1


# --- Every open appraisal shows, soonest due first ---------------------------------------


@pytest.fixture
def both(cast, appraisal, mid_year):
    """Sam's annual review (due 30 June 2025) and mid-year check (due 29
    January 2027), both open."""
    (later,) = cycles.open_cycle(
        cycle=mid_year, scope=cycles.Scope.team(cast.manager), overlapping=cycles.ADD
    ).created
    return [appraisal, later]


def links_in_order(html, appraisals):
    at = [html.index(reverse("appraisals:detail", args=[a.pk])) for a in appraisals]
    return at == sorted(at)


def test_the_persons_home_shows_both_soonest_first(cast, both):
    html = cast.client("person").get("/").content.decode()
    assert "You have 2 open appraisals" in html
    assert links_in_order(html, both)
    assert "30 June 2025" in html and "29 January 2027" in html


def test_the_managers_team_page_shows_both_soonest_first(cast, both):
    for role in ("manager", "head"):
        page = cast.client(role).get("/")
        members = [*page.context["team_direct"], *page.context["team_others"]]
        (sam,) = [m for m in members if m.person == cast.person]
        assert [a.pk for a in sam.appraisals] == [a.pk for a in both]
        assert links_in_order(page.content.decode(), both)


def test_the_person_page_shows_both_soonest_first(cast, both):
    for role in ("hr", "manager", "person"):
        page = cast.client(role).get(reverse("appraisals:person", args=[cast.person.pk]))
        assert [a.pk for a, _ in page.context["open_appraisals"]] == [a.pk for a in both]
        html = page.content.decode()
        assert links_in_order(html, both) and "29 January 2027" in html
