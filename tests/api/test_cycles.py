"""Cycles over the API: HR only, set up with the page's form, opened for a
scope after a preview that writes nothing, closed; If-Match on both, the
preview's number confirmed under the lock, idempotent opening."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from appraisals import cycles
from appraisals.models import Appraisal, AppraisalEvent, Cycle, Stage
from tests import factories
from tests.api.helpers import assert_problem
from tests.cast import SIGNED_OUT, take_to

pytestmark = pytest.mark.django_db


URL = "/api/v1/cycles/"
NOT_HR = ["manager", "head", "person", "other_manager", "other_person"]


@pytest.fixture
def team(cast):
    """The scope of Mo's team, by Mo's employee id."""
    return {"scope": "team", "manager": cast.manager.employee_id}


def rows():
    return (
        list(Cycle.objects.order_by("pk").values()),
        list(Appraisal.objects.order_by("pk").values("pk", "stage")),
        AppraisalEvent.objects.count(),
    )


def etag(client, cycle):
    response = client.get(f"{URL}{cycle.pk}/")
    assert response.status_code == 200, response.content
    return response["ETag"]


@pytest.mark.parametrize("role", NOT_HR)
def test_only_hr_reach_cycles(cast, cycle, role, team):
    client = cast.api(role)
    before = rows()
    for response in (
        client.get(URL),
        client.get(f"{URL}{cycle.pk}/"),
        client.get(f"{URL}999999/"),
        client.post(URL, {"name": "X", "opens_on": "2025-01-01", "closes_on": "2025-02-01"}),
        client.post(f"{URL}{cycle.pk}/preview/", team, format="json"),
        client.post(
            f"{URL}{cycle.pk}/open/", {**team, "confirmed": 1}, format="json", HTTP_IF_MATCH="*"
        ),
        client.post(f"{URL}{cycle.pk}/close/", HTTP_IF_MATCH="*"),
        client.patch(f"{URL}{cycle.pk}/", {"name": "Mine"}, format="json", HTTP_IF_MATCH="*"),
    ):
        # Refused before any cycle is looked up: an id tells nothing.
        assert assert_problem(response, 403)["detail"] == "Only HR may do this."
    assert rows() == before


@pytest.mark.parametrize("role", SIGNED_OUT)
def test_signed_out_callers_get_401(cast, cycle, role):
    client = cast.api(role)
    assert_problem(client.get(URL), 401)
    assert_problem(client.post(f"{URL}{cycle.pk}/close/", HTTP_IF_MATCH="*"), 401)


def test_hr_set_up_a_cycle_with_the_pages_rules(cast):
    hr = cast.api("hr")
    data = {"name": "Mid-year 2025", "kind": "mid_year", "opens_on": "2025-10-01"}
    wrong = hr.post(URL, {**data, "closes_on": "2025-09-01"}, format="json")
    body = assert_problem(wrong, 400)
    assert body["errors"] == [
        {"pointer": "#/closes_on", "detail": "The cycle cannot close before it opens"}
    ]
    created = hr.post(
        URL, {**data, "closes_on": "2025-11-30"}, format="json", HTTP_IDEMPOTENCY_KEY="c1"
    )
    assert created.status_code == 201, created.content
    assert created.json()["status"] == "draft" and created.json()["appraisal_count"] == 0
    assert created["Location"].endswith(f"{URL}{created.json()['id']}/")
    again = hr.post(
        URL, {**data, "closes_on": "2025-11-30"}, format="json", HTTP_IDEMPOTENCY_KEY="c1"
    )
    assert again.json() == created.json() and again["Idempotent-Replayed"] == "true"
    assert Cycle.objects.filter(name="Mid-year 2025").count() == 1
    # The name is unique, as on the page.
    taken = hr.post(URL, {**data, "closes_on": "2025-11-30"}, format="json")
    assert assert_problem(taken, 400)["errors"][0]["pointer"] == "#/name"


def test_hr_change_a_cycle_under_if_match(cast, cycle):
    hr = cast.api("hr")
    address = f"{URL}{cycle.pk}/"
    tag = etag(hr, cycle)
    assert_problem(hr.patch(address, {"name": "New"}, format="json"), 428)
    wrong = hr.patch(address, {"closes_on": "2025-01-01"}, format="json", HTTP_IF_MATCH=tag)
    assert assert_problem(wrong, 400)["errors"][0]["pointer"] == "#/closes_on"
    changed = hr.patch(address, {"closes_on": "2025-07-31"}, format="json", HTTP_IF_MATCH=tag)
    assert changed.status_code == 200, changed.content
    assert changed.json()["closes_on"] == "2025-07-31"
    assert changed.json()["name"] == "Annual review 2025"
    assert_problem(hr.patch(address, {"name": "Lost"}, format="json", HTTP_IF_MATCH=tag), 412)
    assert Cycle.objects.get(pk=cycle.pk).name == "Annual review 2025"


def test_preview_writes_nothing_and_open_creates_what_it_said(cast, cycle, team):
    hr = cast.api("hr")
    before = rows()
    preview = hr.post(f"{URL}{cycle.pk}/preview/", team, format="json")
    assert preview.status_code == 200, preview.content
    assert preview.json() == {
        "scope": "Mo's team",
        "creates": 1,
        "skipped_count": 0,
        "skipped": [],
        "overlapping_count": 0,
        "overlapping": [],
    }
    assert rows() == before
    tag = etag(hr, cycle)
    opened = hr.post(
        f"{URL}{cycle.pk}/open/",
        {**team, "confirmed": 1},
        format="json",
        HTTP_IF_MATCH=tag,
        HTTP_IDEMPOTENCY_KEY="open-1",
    )
    assert opened.status_code == 200, opened.content
    assert opened.json()["created"] == 1
    assert opened.json()["cycle"]["status"] == "open"
    assert opened.json()["cycle"]["stages"]["draft"] == 1
    assert opened["ETag"] != tag
    retry = hr.post(
        f"{URL}{cycle.pk}/open/",
        {**team, "confirmed": 1},
        format="json",
        HTTP_IF_MATCH=tag,
        HTTP_IDEMPOTENCY_KEY="open-1",
    )
    assert retry.json() == opened.json() and retry["Idempotent-Replayed"] == "true"
    assert Appraisal.objects.filter(cycle=cycle).count() == 1
    # Everyone now: Sam is skipped (already has one), Bea has no manager.
    everyone = hr.post(f"{URL}{cycle.pk}/preview/", {"scope": "everyone"}, format="json").json()
    assert everyone["creates"] == 3
    assert {(group["reason"], group["count"]) for group in everyone["skipped"]} == {
        (cycles.ALREADY, 1),
        (cycles.NO_MANAGER, 1),
    }


def test_open_refuses_a_stale_preview_or_etag_and_writes_nothing(cast, cycle, team):
    hr = cast.api("hr")
    tag = etag(hr, cycle)
    before = rows()
    assert_problem(hr.post(f"{URL}{cycle.pk}/open/", {**team, "confirmed": 1}, format="json"), 428)
    changed = hr.post(
        f"{URL}{cycle.pk}/open/", {**team, "confirmed": 2}, format="json", HTTP_IF_MATCH=tag
    )
    assert "changed since you looked" in assert_problem(changed, 409)["detail"]
    assert rows() == before
    Cycle.objects.filter(pk=cycle.pk).update(name="Renamed")
    stale = hr.post(
        f"{URL}{cycle.pk}/open/", {**team, "confirmed": 1}, format="json", HTTP_IF_MATCH=tag
    )
    assert_problem(stale, 412)
    assert Appraisal.objects.count() == 0
    unknown = hr.post(
        f"{URL}{cycle.pk}/preview/", {"scope": "team", "manager": "nobody"}, format="json"
    )
    assert assert_problem(unknown, 400)["errors"][0]["pointer"] == "#/manager"
    no_family = hr.post(f"{URL}{cycle.pk}/preview/", {"scope": "job_family"}, format="json")
    assert assert_problem(no_family, 400)["errors"][0]["pointer"] == "#/job_family"


def test_close_needs_if_match_and_an_open_cycle(cast, cycle, team):
    hr = cast.api("hr")
    draft = etag(hr, cycle)
    assert (
        "Only an open cycle"
        in assert_problem(hr.post(f"{URL}{cycle.pk}/close/", HTTP_IF_MATCH=draft), 409)["detail"]
    )
    cycles.open_cycle(cycle=cycle, scope=cycles.Scope.team(cast.manager))
    assert_problem(hr.post(f"{URL}{cycle.pk}/close/"), 428)
    assert_problem(hr.post(f"{URL}{cycle.pk}/close/", HTTP_IF_MATCH=draft), 412)
    closed = hr.post(f"{URL}{cycle.pk}/close/", HTTP_IF_MATCH=etag(hr, cycle))
    assert closed.status_code == 200, closed.content
    assert closed.json()["status"] == "closed"
    # Its appraisals go on; nothing more is added.
    assert closed.json()["stages"]["draft"] == 1
    refused = hr.post(
        f"{URL}{cycle.pk}/open/",
        {**team, "confirmed": 0},
        format="json",
        HTTP_IF_MATCH=etag(hr, cycle),
    )
    assert "is closed" in assert_problem(refused, 409)["detail"]


def test_the_detail_counts_stages_and_overdue_appraisals(cast, profile):
    hr = cast.api("hr")
    past = factories.CycleFactory(
        name="Last year", opens_on=date(2020, 4, 1), closes_on=date(2020, 6, 30)
    )
    opened = cycles.open_cycle(cycle=past, scope=cycles.Scope.everyone()).created
    take_to(next(a for a in opened if a.person == cast.person), Stage.SIGNED_OFF)
    body = hr.get(f"{URL}{past.pk}/").json()
    assert body["stages"] == {
        "draft": 3,
        "self_assessment": 0,
        "manager_review": 0,
        "review_shared": 0,
        "agreed": 0,
        "signed_off": 1,
    }
    assert body["overdue"] == 3 and body["appraisal_count"] == 4
    tag = etag(hr, past)
    assert hr.get(f"{URL}{past.pk}/", HTTP_IF_NONE_MATCH=tag).status_code == 304


def test_the_list_filters_and_takes_the_same_queries_for_1_and_100_cycles(cast):
    hr = cast.api("hr")
    factories.CycleFactory(name="Probation 2025", kind="probation")

    def count():
        with CaptureQueriesContext(connection) as captured:
            response = hr.get(URL, {"page_size": 200})
        assert response.status_code == 200
        return len(captured), response.json()

    one, body = count()
    assert [row["name"] for row in body["results"]] == ["Probation 2025"]
    for n in range(99):
        factories.CycleFactory(name=f"Cycle {n}")
    hundred, body = count()
    # Session, user, the two permission queries, the count, the page.
    assert body["count"] == 100 and hundred == one == 4
    assert [row["name"] for row in hr.get(URL, {"kind": "probation"}).json()["results"]] == [
        "Probation 2025"
    ]
    assert hr.get(URL, {"q": "cycle 42"}).json()["count"] == 1
    assert_problem(hr.get(URL, {"status": "nonsense"}), 400)
