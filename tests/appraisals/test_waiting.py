"""What waits for whom (appraisals/waiting.py): each kind of item appears for
exactly the person who acts, and goes once done; nobody sees another's; the
home page, the API (/api/v1/me/tasks/) and the header's count say the same;
and their queries do not grow with the number of appraisals."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.html import escape

from appraisals import cycles, people, plans, probation, waiting, workflow
from appraisals.models import Appraisal, Cycle, Person, Stage
from tests import factories
from tests.cast import ROLES, fresh, take_to

pytestmark = pytest.mark.django_db

K = waiting.Kind
TASKS_API = "/api/v1/me/tasks/"
SIGNED_IN = [role for role in ROLES if role != "anonymous"]


def listed(cast, role):
    """{role: [(kind, appraisal id or person id)]} of what waits for each, as
    the list says; the header's count checked against it on the way."""
    user = cast.user(role)
    tasks = waiting.waiting_for(user)
    assert waiting.count_for(user) == len(tasks), role
    return [(task.kind, task.appraisal_id or task.person_id) for task in tasks]


def everyone(cast):
    return {role: listed(cast, role) for role in SIGNED_IN}


def only(expected):
    """Everyone's lists: `expected` for some roles, nothing for the rest."""
    return {role: expected.get(role, []) for role in SIGNED_IN}


@pytest.fixture
def current(appraisal):
    """Sam's appraisal in a cycle that is not overdue (so HR have nothing)."""
    Cycle.objects.filter(pk=appraisal.cycle_id).update(closes_on=date.today() + timedelta(days=30))
    return appraisal


def test_each_stage_waits_for_whoever_acts_and_no_one_else(cast, current):
    a = current.pk
    assert everyone(cast) == only({"manager": [(K.OPEN, a)]})
    take_to(current, Stage.SELF_ASSESSMENT)
    assert everyone(cast) == only({"person": [(K.SELF_ASSESSMENT, a)]})
    take_to(current, Stage.MANAGER_REVIEW)
    assert everyone(cast) == only({"manager": [(K.WRITE_REVIEW, a)]})
    shared = take_to(current, Stage.REVIEW_SHARED)
    assert everyone(cast) == only({"person": [(K.ANSWER_REVIEW, a)]})

    # One item disagreed, the rest agreed: the manager settles it.
    first, *rest = shared.review_items.values_list("pk", flat=True)
    answers = {pk: {"answer": "agreed"} for pk in rest}
    answers[first] = {"answer": "disagreed", "comment": "I led that migration."}
    workflow.answer_review(
        appraisal=shared,
        by=cast.user("person"),
        confirmed_stage=Stage.REVIEW_SHARED,
        answers=answers,
    )
    assert everyone(cast) == only({"manager": [(K.SETTLE, a)]})
    [task] = waiting.waiting_for(cast.user("manager"))
    assert task.label.startswith("Settle 1 disagreement with Sam")

    # Agreed after all: both sign, each once.
    workflow.answer_review(
        appraisal=shared,
        by=cast.user("person"),
        confirmed_stage=Stage.REVIEW_SHARED,
        answers={first: {"answer": "agreed"}},
    )
    assert everyone(cast) == only({"person": [(K.SIGN, a)], "manager": [(K.SIGN, a)]})
    workflow.sign_off(appraisal=fresh(current), by=cast.user("person"), confirmed_stage="agreed")
    assert everyone(cast) == only({"manager": [(K.SIGN, a)]})
    workflow.sign_off(appraisal=fresh(current), by=cast.user("manager"), confirmed_stage="agreed")
    assert everyone(cast) == only({})


def test_each_item_links_to_the_place_to_act(cast, current):
    [task] = waiting.waiting_for(cast.user("manager"))
    assert task.url == f"/appraisals/{current.pk}/#actions"
    assert not task.overdue and task.due_on == fresh(current).cycle.closes_on
    take_to(current, Stage.SELF_ASSESSMENT)
    [task] = waiting.waiting_for(cast.user("person"))
    page = cast.client("person").get(task.url).content.decode()
    assert 'id="ratings"' in page


def test_a_manager_further_up_the_line_is_asked_to_act(cast, current):
    # HR made Bea, Mo's manager, Sam's appraiser: Sam is in her line.
    Appraisal.objects.filter(pk=current.pk).update(manager=cast.head)
    assert everyone(cast) == only({"head": [(K.OPEN, current.pk)]})


def test_an_appraisal_its_manager_may_no_longer_read_waits_for_nobody(cast, current):
    # Sam left Mo's line; the appraisal still names Mo until HR reassigns
    # it. Mo may not open it, so his list must not send him to a 404.
    people.set_manager(person=cast.person, manager=None)
    assert everyone(cast) == only({})
    assert cast.client("manager").get(f"/appraisals/{current.pk}/").status_code == 404


def test_a_draft_cycle_waits_for_no_one(cast, current):
    Cycle.objects.filter(pk=current.cycle_id).update(status=Cycle.Status.DRAFT)
    assert everyone(cast) == only({})


def test_probation_checkpoints_due_within_a_month_or_overdue_wait_for_the_line_manager(cast):
    today = timezone.localdate()
    sam = cast.person
    Person.objects.filter(pk=sam.pk).update(
        start_date=today - timedelta(days=40), probation_end_date=today + timedelta(days=300)
    )
    probation.schedule_checkpoints(Person.objects.filter(pk=sam.pk))
    # 1 month: overdue; 3 months: in about seven weeks, not yet; 6 months: later.
    one, three, _ = sam.checkpoints.order_by("months")
    assert everyone(cast) == only({"manager": [(K.CHECKPOINT, sam.pk)]})
    [task] = waiting.waiting_for(cast.user("manager"))
    assert task.overdue and task.url == f"/people/{sam.pk}/probation/#checkpoint-{one.pk}"
    probation.complete_checkpoint(checkpoint=one, by=cast.user("manager"), completed_on=today)
    assert everyone(cast) == only({})
    three.due_on = today + timedelta(days=10)
    three.save(update_fields=["due_on"])
    [task] = waiting.waiting_for(cast.user("manager"))
    assert not task.overdue and task.due_on == three.due_on


def test_check_in_actions_wait_for_both_until_the_next_check_in(cast):
    sam, mo = cast.person, cast.user("manager")
    plans.record_check_in(person=sam, by=mo, held_on=date(2026, 3, 3), agreed_actions="Pairing.")
    assert everyone(cast) == only(
        {"person": [(K.CHECK_IN_ACTIONS, sam.pk)], "manager": [(K.CHECK_IN_ACTIONS, sam.pk)]}
    )
    [task] = waiting.waiting_for(cast.user("person"))
    assert task.label == "Follow up the actions agreed with Mo at your check-in on 3 March 2026"
    assert task.due_on is None and "#check-in-" in task.url
    assert task.url.split("#")[1] in cast.client("person").get(task.url).content.decode()
    plans.record_check_in(person=sam, by=mo, held_on=date(2026, 4, 3), notes="No actions.")
    assert everyone(cast) == only({})


def test_hr_reassign_leavers_appraisals_and_see_overdue_ones_by_manager(cast, appraisal):
    # Sam's appraisal (Mo) closed on 30 June 2025: overdue.
    tia = factories.CycleFactory(name="Tia's cycle", closes_on=date(2025, 5, 1))
    cycles.open_cycle(cycle=tia, scope=cycles.Scope.team(cast.other_manager))
    tias = cast.other_person.appraisals.get()
    assert everyone(cast) == only(
        {
            "hr": [
                (K.OVERDUE_BY_MANAGER, cast.other_manager.pk),
                (K.OVERDUE_BY_MANAGER, cast.manager.pk),
            ],
            "manager": [(K.OPEN, appraisal.pk)],
            "other_manager": [(K.OPEN, tias.pk)],
        }
    )
    [_, mos] = waiting.waiting_for(cast.user("hr"))
    assert mos.label == "1 overdue appraisal managed by Mo" and mos.overdue
    # Mo leaves: his appraisal is HR's to reassign, no longer "overdue by Mo".
    Person.objects.filter(pk=cast.manager.pk).update(leaving_date=date.today())
    hr = waiting.waiting_for(cast.user("hr"))
    assert [(t.kind, t.appraisal_id) for t in hr] == [
        (K.OVERDUE_BY_MANAGER, None),
        (K.REASSIGN, appraisal.pk),
    ]
    assert hr[1].url == f"/cycles/{appraisal.cycle_id}/appraisals/{appraisal.pk}/reassign/"
    assert cast.client("hr").get(hr[1].url).status_code == 200


def test_overlapping_cycles_both_wait_soonest_due_first(cast, current):
    earlier = factories.CycleFactory(
        name="Mid-year check", kind=Cycle.Kind.MID_YEAR, closes_on=date.today() + timedelta(days=3)
    )
    cycles.open_cycle(cycle=earlier, scope=cycles.Scope.team(cast.manager), overlapping=cycles.ADD)
    mid_year = cast.person.appraisals.get(cycle=earlier)
    tasks = waiting.waiting_for(cast.user("manager"))
    assert [(t.appraisal_id, t.cycle_name) for t in tasks] == [
        (mid_year.pk, "Mid-year check"),
        (current.pk, "Annual review 2025"),
    ]


# --- The pages and the API say the same ---------------------------------------------------


@pytest.mark.parametrize("role", ["person", "manager", "hr"])
def test_the_home_page_and_the_api_list_the_same_items(cast, appraisal, role):
    plans.record_check_in(
        person=cast.person, by=cast.user("manager"), held_on=date(2026, 3, 3), agreed_actions="Go."
    )
    tasks = waiting.waiting_for(cast.user(role))
    assert tasks
    page = cast.client(role).get("/").content.decode()
    body = cast.api(role).get(TASKS_API).json()
    assert body["count"] == len(tasks)
    assert [(item["kind"], item["label"]) for item in body["results"]] == [
        (task.kind.value, task.label) for task in tasks
    ]
    assert body["results"][0]["url"] == f"http://testserver{tasks[0].url}"
    start = page.index('id="waiting"')
    positions = [page.index(escape(task.url), start) for task in tasks]
    assert positions == sorted(positions)
    assert f"<strong>{len(tasks)}</strong> waiting for you" in page


@pytest.mark.parametrize("role", ["person", "manager", "hr"])
def test_pages_that_do_not_list_the_items_count_them_the_same(cast, appraisal, role):
    # The homes count the list they show; every other page counts in SQL.
    plans.record_check_in(
        person=cast.person, by=cast.user("manager"), held_on=date(2026, 3, 3), agreed_actions="Go."
    )
    tasks = waiting.waiting_for(cast.user(role))
    assert tasks
    page = cast.client(role).get("/profiles/").content.decode()
    assert f"<strong>{len(tasks)}</strong> waiting for you" in page


def test_the_api_pages_and_refuses_the_signed_out(cast, appraisal, anonymous_api):
    Cycle.objects.filter(pk=appraisal.cycle_id).update(closes_on=date.today())
    plans.record_check_in(
        person=cast.person, by=cast.user("manager"), held_on=date(2026, 3, 3), agreed_actions="Go."
    )
    api = cast.api("manager")
    first = api.get(TASKS_API, {"page_size": 1}).json()
    assert first["count"] == 2 and len(first["results"]) == 1 and first["next"]
    assert first["results"][0]["kind"] == "open_for_self_assessment"
    second = api.get(first["next"]).json()
    assert second["results"][0]["kind"] == "check_in_actions"
    assert api.post(TASKS_API, {}).status_code == 405
    assert anonymous_api.get(TASKS_API).status_code in (401, 403)


def test_nothing_waiting_says_so(cast):
    page = cast.client("head").get("/").content.decode()
    assert "Nothing is waiting for you." in page and "Nothing waiting for you" in page


# --- Queries: a fixed number, however many items -----------------------------------------


def queries(client, path):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200
    return len(captured)


def team_of(cast, size):
    """`size` reports of Mo's, each with an appraisal at a different stage
    and an overdue probation checkpoint, and a check-in with actions."""
    today = timezone.localdate()
    for n in range(size):
        factories.PersonFactory(
            name=f"Report {n}",
            line_manager=cast.manager,
            role_profile=cast.person.role_profile,
            start_date=today - timedelta(days=40),
            probation_end_date=today + timedelta(days=100),
        )
    probation.schedule_checkpoints()
    cycle = factories.CycleFactory(name=f"Cycle of {size}", closes_on=today + timedelta(days=5))
    opened = cycles.open_cycle(
        cycle=cycle, scope=cycles.Scope.team(cast.manager), overlapping=cycles.ADD
    ).created
    # Set up in bulk: the moves are tested above.
    for n, stage in enumerate([Stage.SELF_ASSESSMENT, Stage.MANAGER_REVIEW]):
        Appraisal.objects.filter(pk__in=[a.pk for a in opened[n::3]]).update(stage=stage)
    for report in Person.objects.filter(line_manager=cast.manager)[:3]:
        plans.record_check_in(
            person=report, by=cast.user("manager"), held_on=today, agreed_actions="Go."
        )


def test_queries_do_not_grow_with_the_items(cast):
    """The home page's list, another page's header count and the API."""
    counts = []
    for size in (3, 30):
        team_of(cast, size - len(counts) * 3)
        page, api = cast.client("manager"), cast.api("manager")
        counts.append([queries(page, "/"), queries(page, "/check-ins/"), queries(api, TASKS_API)])
    assert counts[0] == counts[1]
    assert len(waiting.waiting_for(cast.user("manager"))) > 50


def test_hr_queries_do_not_grow_with_the_items(cast):
    """HR's items grow too: Mo leaves, and each of his appraisals is one to
    reassign."""
    counts = []
    for size in (3, 30):
        team_of(cast, size - len(counts) * 3)
        Person.objects.filter(pk=cast.manager.pk).update(leaving_date=date.today())
        counts.append(queries(cast.client("hr"), "/"))
        items = len(waiting.waiting_for(cast.user("hr")))
        Person.objects.filter(pk=cast.manager.pk).update(leaving_date=None)
    assert items > 30
    assert counts[0] == counts[1]


def header(client, path):
    """What the layout's header says of the signed-in person on a page: the
    name and count (the account's box) and whether "My team" is offered."""
    html = client.get(path).content.decode()
    start = html.index('<div class="app-account">')
    account = html[start : html.index("<form", start)]
    return account, ">My team<" in html


def test_the_homes_header_is_every_other_pages(cast):
    """The home takes its header's count from its own list, and the name
    and "My team" from the person it read; every other page asks the
    header's query (context_processors.py). They say the same, for
    everyone, with items waiting and without."""
    team_of(cast, 3)
    for role in SIGNED_IN:
        client = cast.client(role)
        on_home = header(client, "/")
        assert on_home == header(client, "/check-ins/"), role
        count = len(waiting.waiting_for(cast.user(role)))
        assert (f"<strong>{count}</strong> waiting" if count else "Nothing waiting") in on_home[0]
        assert on_home[1] == (role in ("manager", "head", "other_manager")), role
