"""Objectives, development plans, check-ins and probation."""

from datetime import date

import pytest
from django.test import override_settings

from appraisals import plans, probation, workflow
from appraisals.models import DevelopmentAction, ProbationCheckpoint, Stage
from appraisals.workflow import WorkflowError
from competency import developing
from competency.models import DevelopmentActivity, Training
from tests import factories
from tests.cast import take_to

pytestmark = pytest.mark.django_db


def test_the_manager_proposes_objectives_and_both_agree_them(appraisal, cast):
    objective = plans.add_objective(
        appraisal=appraisal,
        by=cast.manager.account,
        confirmed_stage="draft",
        title="Run the retrospectives",
        measure="Every sprint has one.",
        due_on=date(2025, 12, 1),
    )
    with pytest.raises(WorkflowError, match="cannot add objectives at draft"):
        plans.add_objective(
            appraisal=appraisal, by=cast.person.account, confirmed_stage="draft", title="Mine"
        )
    appraisal = take_to(appraisal, Stage.AGREED)
    plans.update_objective(
        objective=objective,
        by=cast.person.account,
        confirmed_stage="agreed",
        status="in_progress",
        progress_notes="Two so far.",
    )
    objective.refresh_from_db()
    assert (objective.status, objective.progress_notes) == ("in_progress", "Two so far.")
    with pytest.raises(WorkflowError, match="Give it a title"):
        plans.update_objective(
            objective=objective, by=cast.manager.account, confirmed_stage="agreed", title=" "
        )
    with pytest.raises(WorkflowError):
        plans.update_objective(
            objective=objective, by=cast.manager.account, confirmed_stage="agreed", status="odd"
        )
    appraisal = take_to(appraisal, Stage.SIGNED_OFF)
    with pytest.raises(WorkflowError, match="read-only"):
        plans.update_objective(
            objective=objective, by=cast.manager.account, confirmed_stage="signed_off", title="x"
        )
    assert objective.history.count() == 2


@pytest.mark.parametrize("role", ["head", "other_manager", "other_person"])
def test_nobody_else_plans(appraisal, cast, role):
    with pytest.raises(WorkflowError):
        plans.add_objective(
            appraisal=appraisal, by=cast.user(role), confirmed_stage="draft", title="x"
        )


def rate(appraisal, cast, ratings_by_kind):
    appraisal = take_to(appraisal, Stage.MANAGER_REVIEW)
    rows = {row.kind: row.pk for row in appraisal.requirements.all()}
    workflow.save_manager_ratings(
        appraisal=appraisal,
        by=cast.manager.account,
        confirmed_stage="manager_review",
        ratings={rows[kind]: {"rating": rating} for kind, rating in ratings_by_kind.items()},
    )
    return appraisal


def test_suggestions_offer_the_profiles_training_and_pdas_for_the_biggest_gaps_first(
    appraisal, cast
):
    appraisal = rate(appraisal, cast, {"knowledge": 2, "organisation_skill": 1})
    suggestions = plans.suggest_development_actions(appraisal)
    assert [(s.requirement.kind, s.gap) for s in suggestions] == [
        ("organisation_skill", -2),
        ("knowledge", -1),
    ]
    # Nothing says what the options develop: the profile's order, training first.
    for suggestion in suggestions:
        assert suggestion.developing == []
        assert [item.title for item in suggestion.others] == [
            "Agile working course",
            "Shadow a system design review",
        ]


def test_suggestions_offer_what_develops_the_gaps_item_first(appraisal, cast):
    appraisal = rate(appraisal, cast, {"knowledge": 2, "organisation_skill": 1})
    skill_row, knowledge_row = (
        appraisal.requirements.get(kind=kind) for kind in ("organisation_skill", "knowledge")
    )
    shadow = DevelopmentActivity.objects.get(title="Shadow a system design review")
    course = Training.objects.get(title="Agile working course")
    developing.add_developed(item=shadow, skill=skill_row.skill)
    developing.add_developed(item=course, knowledge_item=knowledge_row.knowledge_item)
    # A link to an item of no gap changes nothing for the others.
    developing.add_developed(item=course, knowledge_item=factories.KnowledgeItemFactory())
    skill_gap, knowledge_gap = plans.suggest_development_actions(appraisal)
    assert (skill_gap.developing, skill_gap.others) == ([shadow], [course])
    assert (knowledge_gap.developing, knowledge_gap.others) == ([course], [shadow])
    assert knowledge_gap.options == [course, shadow]
    plans.add_development_action(
        appraisal=appraisal,
        by=cast.manager.account,
        confirmed_stage="manager_review",
        training=course,
        requirement=knowledge_row,
    )
    skill_gap, knowledge_gap = plans.suggest_development_actions(appraisal)
    # In the plan for the knowledge gap only.
    assert knowledge_gap.planned == {f"training-{course.pk}"}
    assert skill_gap.planned == set()


def test_a_plan_lists_actions_for_the_biggest_gap_first(appraisal, cast):
    appraisal = rate(appraisal, cast, {"knowledge": 2, "organisation_skill": 1})
    (skill_gap, knowledge_gap) = plans.suggest_development_actions(appraisal)
    free = plans.add_development_action(
        appraisal=appraisal,
        by=cast.manager.account,
        confirmed_stage="manager_review",
        title="Read a book",
    )
    course = plans.add_development_action(
        appraisal=appraisal,
        by=cast.manager.account,
        confirmed_stage="manager_review",
        training=knowledge_gap.options[0],
        requirement=knowledge_gap.requirement,
    )
    shadow = plans.add_development_action(
        appraisal=appraisal,
        by=cast.manager.account,
        confirmed_stage="manager_review",
        development_activity=skill_gap.options[1],
        requirement=skill_gap.requirement,
        due_on=date(2025, 9, 1),
    )
    assert course.title == "Agile working course" and course.details == "Agile basics."
    ordered = list(DevelopmentAction.objects.filter(appraisal=appraisal).biggest_gaps_first())
    assert ordered == [shadow, course, free]


def test_check_ins_are_recorded_by_the_line_manager(cast):
    with pytest.raises(WorkflowError, match="Only Sam's line manager"):
        plans.record_check_in(person=cast.person, by=cast.head.account, held_on=date(2025, 5, 1))
    check_in = plans.record_check_in(
        person=cast.person,
        by=cast.manager.account,
        held_on=date(2025, 5, 1),
        notes="Going well.",
        agreed_actions="Book the course.",
    )
    with pytest.raises(WorkflowError, match="Only Mo, who held it"):
        plans.update_check_in(check_in=check_in, by=cast.person.account, notes="Changed.")
    plans.update_check_in(check_in=check_in, by=cast.manager.account, notes="Going very well.")
    check_in.refresh_from_db()
    assert check_in.notes == "Going very well." and check_in.history.count() == 2


def test_months_after_keeps_the_day_or_the_months_last(db):
    assert probation.months_after(date(2025, 1, 31), 1) == date(2025, 2, 28)
    assert probation.months_after(date(2025, 11, 15), 3) == date(2026, 2, 15)


@override_settings(PROBATION_CHECKPOINT_MONTHS=(1, 3, 6))
def test_checkpoints_come_from_the_start_date_up_to_the_probation_end(cast):
    newcomer = factories.PersonFactory(
        name="New",
        line_manager=cast.manager,
        start_date=date(2025, 1, 10),
        probation_end_date=date(2025, 5, 1),
    )
    created = probation.schedule_checkpoints()
    assert [(c.person, c.months, c.due_on) for c in created] == [
        (newcomer, 1, date(2025, 2, 10)),
        (newcomer, 3, date(2025, 4, 10)),
    ]
    assert probation.schedule_checkpoints() == []  # once


@override_settings(PROBATION_CHECKPOINT_MONTHS=(1, 3, 6))
def test_a_managers_due_and_overdue_checkpoints(cast):
    for name, start in (("Early", date(2025, 1, 1)), ("Late", date(2025, 3, 1))):
        factories.PersonFactory(
            name=name,
            line_manager=cast.manager,
            start_date=start,
            probation_end_date=date(2025, 12, 31),
        )
    factories.PersonFactory(
        name="Elsewhere",
        line_manager=cast.other_manager,
        start_date=date(2025, 1, 1),
        probation_end_date=date(2025, 12, 31),
    )
    probation.schedule_checkpoints()
    today = date(2025, 5, 20)
    team = ProbationCheckpoint.objects.for_team(cast.manager)
    overdue = {(c.person.name, c.months) for c in team.overdue(today)}
    due = {(c.person.name, c.months) for c in team.due_within(31, today)}
    assert overdue == {("Early", 1), ("Early", 3), ("Late", 1)}
    assert due == {("Late", 3)}  # 1 June; Early's 6 months (1 July) is further off
    # Bea sees her whole line's, Mo's included.
    assert ProbationCheckpoint.objects.for_team(cast.head).overdue(today).count() == 5


def test_probation_decisions(cast):
    newcomer = factories.PersonFactory(
        name="New",
        line_manager=cast.manager,
        start_date=date(2025, 1, 10),
        probation_end_date=date(2025, 7, 10),
    )
    with pytest.raises(WorkflowError, match="Only New's line manager or HR"):
        probation.decide_probation(person=newcomer, by=cast.other_manager.account, outcome="passed")
    with pytest.raises(WorkflowError, match="Give a new end date"):
        probation.decide_probation(person=newcomer, by=cast.manager.account, outcome="extended")
    probation.decide_probation(
        person=newcomer, by=cast.manager.account, outcome="extended", extended_to=date(2025, 10, 10)
    )
    newcomer.refresh_from_db()
    assert newcomer.probation_end_date == date(2025, 10, 10)
    assert newcomer.checkpoints.count() == 3
    decision = probation.decide_probation(person=newcomer, by=cast.hr, outcome="passed")
    assert list(newcomer.probation_decisions.values_list("outcome", flat=True)) == [
        "extended",
        "passed",
    ]
    assert decision.decided_by == cast.hr
