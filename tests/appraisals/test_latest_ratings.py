"""Each person's latest agreed rating of each item is stored as appraisals
are agreed, sent back or reopened (workflow._move), and finding people by
skill reads it: a newer agreed rating replaces the older one, and one that
stops counting hands back to the one before."""

from datetime import date
from importlib import import_module

import pytest
from django.apps import apps

from appraisals import cycles, insight, workflow
from appraisals.models import LatestRating, Person, Stage
from competency.models import KnowledgeItem
from tests import factories
from tests.cast import agree, fresh, take_to

pytestmark = pytest.mark.django_db

AGILE = "Agile working"
step = import_module("appraisals.migrations.0006_latest_ratings")


def stored(person):
    """Sam's stored rating of Agile working and the appraisal holding it."""
    item = KnowledgeItem.objects.get(title=AGILE)
    row = LatestRating.objects.select_related("requirement").get(
        person=person, kind="knowledge", item_id=item.pk
    )
    return row.rating, row.requirement.appraisal_id


def found(level):
    item = insight.find_item("knowledge", KnowledgeItem.objects.get(title=AGILE).pk)
    ranked = insight.people_with(item, level, Person.objects.all())
    return [(row.appraisal.person.name, row.manager_rating) for row in ranked[0 : ranked.count()]]


@pytest.fixture
def two_years(cast, appraisal):
    """Sam's first appraisal agreed with Agile working Familiar (2), and a
    newer one, in a later cycle, agreed with it Expert (4)."""
    first = agree(appraisal, knowledge=2)
    later = factories.CycleFactory(
        name="Annual review 2026", opens_on=date(2026, 4, 1), closes_on=date(2026, 6, 30)
    )
    (newer,) = cycles.open_cycle(
        cycle=later, scope=cycles.Scope.team(cast.manager), overlapping=cycles.ADD
    ).created
    return first, agree(newer, knowledge=4)


def test_the_stored_rating_follows_a_newer_agreed_appraisal(cast, two_years):
    _, newer = two_years
    assert stored(cast.person) == (4, newer.pk)
    assert found(4) == [("Sam", 4)]
    # Last year's Familiar no longer finds him at Familiar or better through it.
    assert found(2) == [("Sam", 4)]


def test_a_reopened_appraisal_hands_back_to_the_one_before(cast, two_years):
    first, newer = two_years
    newer = take_to(newer, Stage.SIGNED_OFF)
    workflow.reopen(
        appraisal=newer, by=cast.hr, confirmed_stage=Stage.SIGNED_OFF, reason="Wrong rating."
    )
    assert fresh(newer).stage == Stage.MANAGER_REVIEW
    assert stored(cast.person) == (2, first.pk)
    assert found(3) == [] and found(2) == [("Sam", 2)]
    # Agreed again: the newer rating counts again.
    take_to(newer, Stage.AGREED)
    assert stored(cast.person) == (4, newer.pk)


def test_sent_back_from_agreed_it_stops_counting(cast, appraisal):
    agreed = agree(appraisal, knowledge=3)
    assert found(3) == [("Sam", 3)]
    workflow.send_back(
        appraisal=agreed, by=cast.person.account, confirmed_stage=Stage.AGREED, reason="Not yet."
    )
    assert not LatestRating.objects.filter(person=cast.person).exists()
    assert found(1) == []


def test_signing_off_keeps_it_and_others_are_untouched(cast, appraisal, cycle):
    (tias,) = cycles.open_cycle(cycle=cycle, scope=cycles.Scope.team(cast.other_manager)).created
    agree(tias, knowledge=3)
    agreed = agree(appraisal, knowledge=2)
    take_to(agreed, Stage.SIGNED_OFF)
    assert stored(cast.person) == (2, agreed.pk)
    assert stored(cast.other_person) == (3, tias.pk)
    assert found(2) == [("Tia", 3), ("Sam", 2)]


def test_the_migration_fills_what_the_workflow_keeps(cast, two_years, appraisal):
    """The data step of appraisals/migrations/0006_latest_ratings.py, run on
    rows agreed before the table existed, stores what the workflow stores."""
    kept = sorted(LatestRating.objects.values_list("person", "kind", "item_id", "rating"))
    assert kept
    LatestRating.objects.all().delete()
    step.fill_latest_ratings(apps, None)
    assert sorted(LatestRating.objects.values_list("person", "kind", "item_id", "rating")) == kept
