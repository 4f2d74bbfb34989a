"""Opening a cycle: who gets an appraisal, once, against which version, what
it copies, and in how many queries."""

from datetime import date

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import ProtectedError
from django.test.utils import CaptureQueriesContext

from appraisals import cycles
from appraisals.cycles import CycleError, Scope
from appraisals.models import Appraisal, Cycle, Objective, Requirement
from profiles import drafts, lifecycle
from tests import factories
from tests.cast import published_profile

pytestmark = pytest.mark.django_db


def appraised(cycle):
    return sorted(cycle.appraisals.values_list("person__name", flat=True))


def test_opening_for_a_team_appraises_the_whole_reporting_line(cast, cycle):
    opening = cycles.open_cycle(cycle=cycle, scope=Scope.team(cast.head), by=cast.hr)
    assert appraised(cycle) == ["Mo", "Olu", "Sam", "Tia"]
    assert len(opening.created) == 4 and opening.skipped == []
    cycle.refresh_from_db()
    assert cycle.status == Cycle.Status.OPEN
    appraisal = Appraisal.objects.get(cycle=cycle, person=cast.person)
    assert appraisal.manager == cast.manager and appraisal.stage == "draft"
    assert appraisal.profile_version == cast.person.role_profile.published_version
    assert appraisal.events.get().by == cast.hr


def test_opening_again_creates_none_twice(cast, cycle):
    cycles.open_cycle(cycle=cycle, scope=Scope.team(cast.manager))
    opening = cycles.open_cycle(cycle=cycle, scope=Scope.everyone())
    assert sorted(a.person.name for a in opening.created) == ["Mo", "Olu", "Tia"]
    assert opening.skipped_for(cycles.ALREADY) == [cast.person]
    # Bea has nobody above her to appraise her.
    assert opening.skipped_for(cycles.NO_MANAGER) == [cast.head]
    assert Appraisal.objects.filter(cycle=cycle).count() == 4


def test_the_database_holds_one_appraisal_per_person_and_cycle(appraisal):
    with pytest.raises(IntegrityError), transaction.atomic():
        Appraisal.objects.create(
            cycle=appraisal.cycle,
            person=appraisal.person,
            manager=appraisal.manager,
            profile_version=appraisal.profile_version,
        )


def test_opening_for_a_job_family(cast, cycle, ddat):
    family = factories.JobFamilyFactory(name="Data")
    data_profile = published_profile(ddat, "Data Engineer", family)
    analyst = factories.PersonFactory(
        name="Ana", line_manager=cast.manager, role_profile=data_profile
    )
    opening = cycles.open_cycle(cycle=cycle, scope=Scope.job_family(family))
    assert [a.person for a in opening.created] == [analyst]
    assert opening.created[0].profile_version == data_profile.published_version


def test_people_who_cannot_be_appraised_are_skipped_and_reported(cast, cycle, profile):
    draft_only = factories.RoleProfileFactory(title="Never published")
    left = factories.PersonFactory(
        name="Left",
        line_manager=cast.manager,
        role_profile=profile,
        start_date=date(2019, 1, 1),
        leaving_date=date(2020, 1, 1),
    )
    leaving_later = factories.PersonFactory(
        name="Leaving later",
        line_manager=cast.manager,
        role_profile=profile,
        leaving_date=date(2999, 1, 1),
    )
    no_profile = factories.PersonFactory(name="No profile", line_manager=cast.manager)
    unpublished = factories.PersonFactory(
        name="Unpublished", line_manager=cast.manager, role_profile=draft_only
    )
    opening = cycles.open_cycle(cycle=cycle, scope=Scope.team(cast.manager))
    assert sorted(a.person.name for a in opening.created) == ["Leaving later", "Sam"]
    assert dict((p, reason) for p, reason in opening.skipped) == {
        left: cycles.LEFT,
        no_profile: cycles.NO_PROFILE,
        unpublished: cycles.NOT_IN_FORCE,
    }
    assert leaving_later.pk in {a.person_id for a in opening.created}


def test_a_probation_review_appraises_only_people_on_probation(cast, profile):
    cycle = factories.CycleFactory(kind=Cycle.Kind.PROBATION)
    newcomer = factories.PersonFactory(
        name="New",
        line_manager=cast.manager,
        role_profile=profile,
        probation_end_date=date(2999, 1, 1),
    )
    opening = cycles.open_cycle(cycle=cycle, scope=Scope.team(cast.manager))
    assert [a.person for a in opening.created] == [newcomer]
    assert opening.skipped_for(cycles.NOT_ON_PROBATION) == [cast.person]


def test_a_closed_cycle_takes_no_more_appraisals(cast, cycle):
    with pytest.raises(CycleError, match="Only an open cycle can be closed"):
        cycles.close_cycle(cycle=cycle)
    cycles.open_cycle(cycle=cycle, scope=Scope.team(cast.manager))
    cycles.close_cycle(cycle=cycle)
    with pytest.raises(CycleError, match="is closed"):
        cycles.open_cycle(cycle=cycle, scope=Scope.everyone())
    assert appraised(cycle) == ["Sam"]


def test_requirements_are_copied_from_the_frozen_version(appraisal, profile):
    rows = list(appraisal.requirements.order_by("position"))
    assert [(r.kind, r.title, r.required_label, r.required_rank) for r in rows] == [
        ("work_activity", "Formal appraisals", "", None),
        ("knowledge", "Agile working", "Proficient in", 3),
        ("behavioural", "Team dynamics", "", None),
        ("organisation_skill", "Systems design Platform Engineer", "3 – Practitioner", 3),
    ]
    activity, knowledge, behavioural, skill = rows
    assert [step["name"] for step in activity.scale] == ["Not yet shown", "Shown", "A strength"]
    assert [step["name"] for step in knowledge.scale][-1] == "Expert in"
    assert skill.group == "DDaT » Software Development"
    assert [step["description"] for step in skill.scale] == [
        f"You can design systems at {name}."
        for name in ("Awareness", "Working", "Practitioner", "Expert")
    ]
    # Each keeps its catalogue item, to be found across people and profiles.
    assert activity.work_activity == profile.work_activity_links.get().activity
    assert knowledge.knowledge_item.title == "Agile working"
    assert behavioural.knowledge_item.title == "Team dynamics"
    assert skill.skill == profile.skill_links.get().skill


def test_a_catalogue_item_an_appraisal_rates_cannot_be_deleted(appraisal):
    """The requirement's catalogue columns have no foreign key constraint in
    the database (opening a cycle checked ~400,000 of them); deleting an
    item is still refused, and nothing is deleted."""
    rows = list(appraisal.requirements.order_by("position"))
    items = [rows[0].work_activity, rows[1].knowledge_item, rows[3].skill]
    for item in items:
        with pytest.raises(ProtectedError), transaction.atomic():
            item.delete()
        item.refresh_from_db()
    assert appraisal.requirements.count() == len(rows)


def test_a_later_edit_and_republish_never_changes_an_appraisal(appraisal, profile):
    def snapshot():
        return list(
            appraisal.requirements.order_by("position").values(
                "title", "details", "required_label", "required_rank", "scale", "group"
            )
        )

    before, version = snapshot(), appraisal.profile_version
    profile = lifecycle.start_draft(profile=profile)
    link = profile.knowledge_links.get(depth="proficient")
    link.depth = "expert"
    link.save()
    skill = profile.skill_links.get().skill
    skill.levels.filter(level__rank=3).update(description="Rewritten in the catalogue.")
    values = drafts.field_values(profile)
    drafts.update_profile(profile=profile, values={**values, "summary": "New."}, base=values)
    new_version = lifecycle.publish_profile(profile=profile)
    assert new_version.number == 2
    appraisal.refresh_from_db()
    assert snapshot() == before and appraisal.profile_version == version
    # A new appraisal made now is against version 2.
    later = factories.CycleFactory(name="Mid-year")
    # Sam's first appraisal is still open: he is added beside it.
    (created,) = cycles.open_cycle(
        cycle=later, scope=Scope.team(appraisal.manager), overlapping=cycles.ADD
    ).created
    assert created.profile_version == new_version
    assert created.requirements.get(kind="knowledge").required_label == "Expert in"


def test_unfinished_objectives_are_carried_into_the_next_appraisal(appraisal, cast):
    done = factories.ObjectiveFactory(appraisal=appraisal, title="Done", status="done")
    going = factories.ObjectiveFactory(
        appraisal=appraisal, title="Going", status="in_progress", progress_notes="Half way."
    )
    later = factories.CycleFactory(name="Next year")
    # Both earlier appraisals are still open: Sam is added beside them.
    (next_one,) = cycles.open_cycle(
        cycle=later, scope=Scope.team(cast.manager), overlapping=cycles.ADD
    ).created
    (carried,) = next_one.objectives.all()
    assert (carried.title, carried.status, carried.progress_notes) == (
        "Going",
        "in_progress",
        "Half way.",
    )
    assert carried.carried_from == going and done.carried_into.count() == 0
    # Carried once: a third cycle takes the copy on, not the original again.
    third = factories.CycleFactory(name="Year after")
    (third_one,) = cycles.open_cycle(
        cycle=third, scope=Scope.team(cast.manager), overlapping=cycles.ADD
    ).created
    assert [o.carried_from for o in third_one.objectives.all()] == [carried]
    assert Objective.objects.filter(carried_from=going).count() == 1


def team_of(manager, size, profile):
    return factories.PersonFactory.create_batch(size, line_manager=manager, role_profile=profile)


@pytest.mark.parametrize("size", [1, 50])
def test_opening_a_cycle_takes_the_same_queries_for_1_or_50_people(profile, size):
    manager = factories.PersonFactory(name="Boss")
    team_of(manager, size, profile)
    cycle = factories.CycleFactory()
    with CaptureQueriesContext(connection) as queries:
        opening = cycles.open_cycle(cycle=cycle, scope=Scope.team(manager))
    assert len(opening.created) == size
    assert Requirement.objects.filter(appraisal__cycle=cycle).count() == 4 * size
    statements = [query["sql"].split()[0] for query in queries.captured_queries]
    inserts = statements.count("INSERT")
    # Locking, opening and reading (people, their appraisals here and open
    # in other cycles, versions, the catalogue, objectives to carry), and the
    # temporary table of requirement templates (dropped if left, made,
    # indexed, analysed, dropped), and the managers to mail and the mail
    # already queued: the same whatever the size.
    assert len(statements) - inserts == 21
    # Appraisals, their history, the templates, the requirements copied from
    # them (no history: they are the appraisal's starting point), the first
    # events, the cycle's history and the managers' mail (the outbox): one
    # statement each.
    assert inserts == 7


def test_an_openings_requirements_are_stored_appraisal_by_appraisal_in_order(profile):
    """Ids follow (appraisal, position): each appraisal's rows lie side by
    side, as its pages read them, across the opening's batches."""
    manager = factories.PersonFactory(name="Boss")
    team_of(manager, 3, profile)
    cycle = factories.CycleFactory()
    opening = cycles.open_cycle(cycle=cycle, scope=Scope.team(manager))
    rows = list(
        Requirement.objects.filter(appraisal__cycle=cycle)
        .order_by("pk")
        .values_list("appraisal_id", "position")
    )
    assert rows == sorted(rows)
    assert len(rows) == 4 * len(opening.created) == 12
