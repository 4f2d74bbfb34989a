"""HR's cycle pages: list, set up, open for a scope, close, HR's view of a
cycle and reassigning an appraisal's manager. HR only; anyone else 404."""

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from appraisals import cycles
from appraisals.models import Appraisal, AppraisalEvent, Cycle, Stage
from tests import factories
from tests.appraisals.helpers import shown_data
from tests.cast import person

pytestmark = pytest.mark.django_db

OTHERS = ["manager", "head", "person", "other_manager", "other_person"]


def rows():
    return (
        list(Cycle.objects.order_by("pk").values()),
        list(Appraisal.objects.order_by("pk").values()),
        AppraisalEvent.objects.count(),
    )


def urls(cycle, appraisal):
    return {
        "cycles": reverse("appraisals:cycles"),
        "cycle_create": reverse("appraisals:cycle_create"),
        "cycle": reverse("appraisals:cycle", kwargs={"pk": cycle.pk}),
        "cycle_edit": reverse("appraisals:cycle_edit", kwargs={"pk": cycle.pk}),
        "cycle_open": reverse("appraisals:cycle_open", kwargs={"pk": cycle.pk}),
        "cycle_close": reverse("appraisals:cycle_close", kwargs={"pk": cycle.pk}),
        "reassign": reverse(
            "appraisals:reassign", kwargs={"pk": cycle.pk, "appraisal_pk": appraisal.pk}
        ),
    }


@pytest.mark.parametrize("role", OTHERS)
def test_every_cycle_page_is_404_to_all_but_hr_and_posts_write_nothing(cast, appraisal, role):
    client = cast.client(role)
    before = rows()
    for name, url in urls(appraisal.cycle, appraisal).items():
        assert client.get(url).status_code == 404, name
        data = {
            "name": "Hijacked",
            "kind": "annual",
            "opens_on": "2025-01-01",
            "closes_on": "2025-02-01",
            "scope": "everyone",
            "confirmed": "5",
            "manager": cast.other_manager.employee_id,
            "confirmed_stage": "draft",
        }
        assert client.post(url, data).status_code == 404, name
    assert rows() == before


def test_anonymous_people_are_sent_to_sign_in(cast, appraisal):
    for url in urls(appraisal.cycle, appraisal).values():
        response = Client().get(url)
        assert response.status_code == 302 and response["Location"].startswith("/sign-in/")


def test_hr_open_every_cycle_page(cast, appraisal):
    client = cast.client("hr")
    for name, url in urls(appraisal.cycle, appraisal).items():
        assert client.get(url).status_code == 200, name


def test_hr_set_up_and_change_a_cycle(cast):
    client = cast.client("hr")
    data = {"name": "Mid-year 2026", "kind": "mid_year", "opens_on": "2026-10-01"}
    response = client.post(reverse("appraisals:cycle_create"), {**data, "closes_on": "2026-09-01"})
    assert "The cycle cannot close before it opens" in response.context["form"].errors["closes_on"]
    assert 'value="Mid-year 2026"' in response.content.decode()
    assert not Cycle.objects.exists()
    response = client.post(reverse("appraisals:cycle_create"), {**data, "closes_on": "2026-11-30"})
    cycle = Cycle.objects.get()
    assert response["Location"] == reverse("appraisals:cycle", kwargs={"pk": cycle.pk})
    assert (cycle.kind, cycle.status) == ("mid_year", "draft")


def test_opening_says_how_many_and_who_is_skipped_then_creates_them(cast, cycle):
    client = cast.client("hr")
    url = reverse("appraisals:cycle_open", kwargs={"pk": cycle.pk})
    page = client.post(url, {"scope": "everyone"})
    # Bea has no line manager; the four others are appraised.
    assert page.context["creates"] == 4
    html = page.content.decode()
    assert "4 appraisals will be created" in html
    assert "Has no line manager to appraise them: 1" in html and "Bea" in html
    assert not Appraisal.objects.exists() and cycle.status == "draft"
    done = client.post(url, {"scope": "everyone", "confirmed": "4"})
    assert done.status_code == 302
    assert Appraisal.objects.count() == 4
    cycle.refresh_from_db()
    assert cycle.status == "open"


def test_a_stale_confirmation_creates_nothing(cast, cycle):
    client = cast.client("hr")
    url = reverse("appraisals:cycle_open", kwargs={"pk": cycle.pk})
    person("Una", cast.manager, cast.person.role_profile)  # joins after the preview of 4
    response = client.post(url, {"scope": "everyone", "confirmed": "4"}, follow=True)
    assert "changed since you looked" in response.content.decode()
    assert response.context["creates"] == 5
    assert not Appraisal.objects.exists()


def test_opening_for_a_team_or_a_job_family(cast, cycle):
    client = cast.client("hr")
    url = reverse("appraisals:cycle_open", kwargs={"pk": cycle.pk})
    page = client.post(url, {"scope": "team", "manager": cast.other_manager.employee_id})
    assert page.context["creates"] == 1
    page = client.post(url, {"scope": "team", "manager": "NOPE"})
    assert page.context["form"].errors["manager"] == [
        "No manager matches “NOPE”: enter their name or employee id"
    ]
    page = client.post(url, {"scope": "job_family"})
    assert "Choose the job family" in page.context["form"].errors["job_family"]
    family = cast.person.role_profile.job_family
    page = client.post(url, {"scope": "job_family", "job_family": family.slug})
    assert page.context["creates"] == 4


def test_close_a_cycle(cast, appraisal):
    client = cast.client("hr")
    url = reverse("appraisals:cycle_close", kwargs={"pk": appraisal.cycle.pk})
    client.post(url)
    appraisal.cycle.refresh_from_db()
    assert appraisal.cycle.status == "closed"
    response = client.post(url, follow=True)
    assert "Only an open cycle can be closed" in response.content.decode()


def test_the_cycle_view_counts_stages_and_overdue_and_filters(cast, cycle):
    cycles.open_cycle(cycle=cycle, scope=cycles.Scope.everyone())
    Appraisal.objects.filter(person=cast.person).update(stage=Stage.SELF_ASSESSMENT)
    client = cast.client("hr")
    url = reverse("appraisals:cycle", kwargs={"pk": cycle.pk})
    page = client.get(url)
    counts = {value: count for value, _, count in page.context["stages"]}
    assert counts["draft"] == 3 and counts["self_assessment"] == 1
    # The factory's cycle closed on 30 June 2025: none is signed off.
    assert page.context["overdue_count"] == 4
    page = client.get(url, {"team": cast.manager.employee_id})
    assert [appraisal.person for appraisal, _ in page.context["rows"]] == [cast.person]
    page = client.get(url, {"stage": "self_assessment"})
    assert [appraisal.person for appraisal, _ in page.context["rows"]] == [cast.person]
    family = cast.person.role_profile.job_family
    assert client.get(url, {"job_family": family.slug}).context["total"] == 4


@pytest.mark.parametrize("size", [1, 50])
def test_the_cycle_view_takes_the_same_queries_for_1_or_50(
    cast, cycle, size, django_assert_num_queries
):
    for n in range(size - 1):
        person(f"Extra{n}", cast.manager, cast.person.role_profile)
    cycles.open_cycle(cycle=cycle, scope=cycles.Scope.team(cast.manager))
    assert Appraisal.objects.count() == size
    client = cast.client("hr")
    # 12: a menu of rows is one query (includes/field.html asks no COUNT);
    # one counts the appraisals managed by leavers, for HR to reassign; the
    # unresolved disagreements are counted in one; one counts who turned
    # reminders off; and one is the header's count of what waits for HR.
    with django_assert_num_queries(12):
        client.get(reverse("appraisals:cycle", kwargs={"pk": cycle.pk}))


def test_hr_reassign_an_appraisal(cast, appraisal):
    client = cast.client("hr")
    url = reverse(
        "appraisals:reassign", kwargs={"pk": appraisal.cycle.pk, "appraisal_pk": appraisal.pk}
    )
    data = {
        "manager": cast.other_manager.employee_id,
        "reason": "Sam moved team",
        "confirmed_stage": "draft",
    }
    assert client.post(url, data).status_code == 302
    appraisal.refresh_from_db()
    assert appraisal.manager == cast.other_manager
    event = appraisal.events.get(action="reassigned")
    assert event.reason == "From Mo to Olu. Sam moved team"


def test_a_refused_reassignment_keeps_what_was_typed(cast, appraisal):
    client = cast.client("hr")
    url = reverse(
        "appraisals:reassign", kwargs={"pk": appraisal.cycle.pk, "appraisal_pk": appraisal.pk}
    )
    before = rows()
    data = {"manager": cast.manager.employee_id, "reason": "Typed", "confirmed_stage": "draft"}
    page = client.post(url, data)
    assert "Mo is already this appraisal's manager" in page.context["form"].errors["manager"][0]
    assert "Typed" in page.content.decode()
    # The stage moved on meanwhile: said so, nothing written.
    Appraisal.objects.filter(pk=appraisal.pk).update(stage=Stage.SELF_ASSESSMENT)
    before = rows()
    data["manager"] = cast.other_manager.employee_id
    page = client.post(url, data)
    assert "while you were looking" in page.content.decode()
    assert page.context["form"]["confirmed_stage"].value() == "self_assessment"
    assert "Typed" in page.content.decode()
    assert rows() == before


def test_the_cycle_list(cast, appraisal):
    factories.CycleFactory(
        name="Probation 2026",
        kind="probation",
        opens_on=date(2026, 1, 1),
        closes_on=date(2026, 6, 30),
    )
    page = cast.client("hr").get(reverse("appraisals:cycles"))
    assert [(c.name, c.appraisal_count) for c in page.context["cycles"]] == [
        ("Probation 2026", 0),
        ("Annual review 2025", 1),
    ]


def test_an_unchanged_cycle_form_saves_as_it_was_shown(cast, cycle):
    client = cast.client("hr")
    url = reverse("appraisals:cycle_edit", kwargs={"pk": cycle.pk})
    form = client.get(url).context["form"]
    data = shown_data(form)
    assert [data[f"opens_on-{part}"] for part in ("day", "month", "year")] == ["1", "4", "2025"]
    assert client.post(url, data).status_code == 302


def test_hr_find_the_shared_reviews_the_person_disagrees_with(cast, appraisal):
    from appraisals import workflow
    from tests.cast import take_to

    appraisal = take_to(appraisal, Stage.REVIEW_SHARED)
    page = reverse("appraisals:cycle", args=[appraisal.cycle_id])
    hr = cast.client("hr")
    assert hr.get(page).context["disagreement_count"] == 0
    outcome = appraisal.review_items.get(kind="outcome")
    workflow.answer_review(
        appraisal=appraisal,
        by=cast.person.account,
        confirmed_stage=Stage.REVIEW_SHARED,
        answers={outcome.pk: {"answer": "disagreed", "comment": "Too low."}},
    )
    response = hr.get(page)
    assert response.context["disagreement_count"] == 1
    assert "Unresolved disagreements" in response.content.decode()
    filtered = hr.get(page, {"disagreement": "on"})
    assert [a.pk for a, _ in filtered.context["rows"]] == [appraisal.pk]
    # Settled (the person agrees in the end): no longer listed.
    workflow.answer_review(
        appraisal=appraisal,
        by=cast.person.account,
        confirmed_stage=Stage.REVIEW_SHARED,
        answers={outcome.pk: {"answer": "agreed"}},
    )
    assert hr.get(page, {"disagreement": "on"}).context["rows"] == []
