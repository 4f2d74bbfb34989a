"""Queries built once per process (competency/prepared.py), as the header's
count and the "Waiting for you" list use them: for every role, on days
before, at and long after the cast's, a prepared query gives exactly what
the queryset it is built from gives, in one query; a query whose SQL or
parameters depend on its arguments other than as values is refused."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from appraisals import context_processors, plans, probation, waiting
from appraisals.models import Appraisal, Cycle, Person, Stage
from appraisals.views import common
from competency.prepared import Prepared
from tests.cast import ROLES, take_to

pytestmark = pytest.mark.django_db

SIGNED_IN = [role for role in ROLES if role != "anonymous"]


@pytest.fixture
def busy(cast, appraisal):
    """Something waiting for most of the cast: Sam's appraisal at manager
    review, an overdue probation checkpoint and a check-in's actions."""
    take_to(appraisal, Stage.MANAGER_REVIEW)
    today = timezone.localdate()
    sam = cast.person
    Person.objects.filter(pk=sam.pk).update(
        start_date=today - timedelta(days=40), probation_end_date=today + timedelta(days=300)
    )
    probation.schedule_checkpoints(Person.objects.filter(pk=sam.pk))
    plans.record_check_in(
        person=sam, by=cast.user("manager"), held_on=today, agreed_actions="Pairing."
    )
    return cast


def days():
    today = timezone.localdate()
    return [date(2020, 1, 1), today, today + timedelta(days=31), today + timedelta(days=800)]


@pytest.mark.parametrize("role", SIGNED_IN)
def test_each_prepared_query_gives_what_its_queryset_gives(busy, role):
    user = busy.user(role)
    found = {}
    for day in days():
        queries = [
            (context_processors._person_rows, (user, day)),
            (waiting._counted, (user, day)),
            (waiting._appraisal_rows_of, (user,)),
            (waiting._checkpoint_rows, (user, day)),
            (waiting._check_in_rows, (user, day)),
            (waiting._reassign_rows, (day,)),
            (waiting._overdue_groups, (day,)),
        ]
        for prepared, args in queries:
            expected = list(prepared.build(*args))
            with CaptureQueriesContext(connection) as asked:
                got = prepared.rows(*args)
            assert got == expected, (prepared.build, role, day)
            assert len(asked) == 1
            found[prepared.build, day] = got
    # The days and the roles do reach rows: the comparison is not of empty lists.
    assert any(found.values())


def test_the_count_follows_the_day_it_is_asked_on(busy):
    manager = busy.user("manager")
    # The checkpoint of one month is overdue today; years before, nothing was due.
    assert waiting.count_for(manager, date(2000, 1, 1)) < waiting.count_for(manager)


def test_a_query_whose_sql_depends_on_an_arguments_value_is_refused(cast):
    def by_year(day):
        rows = Cycle.objects.filter(closes_on__lt=day)
        return (rows if day.year < 1960 else rows.filter(status="open")).values("pk")

    with pytest.raises(ImproperlyConfigured):
        Prepared(by_year).rows(timezone.localdate())


def test_a_parameter_made_from_an_argument_otherwise_is_refused(cast):
    def by_name(person_id):
        return Appraisal.objects.filter(person__name=f"Person {person_id}").values("pk")

    with pytest.raises(ImproperlyConfigured):
        Prepared(by_name).rows(cast.person.pk)


def test_a_build_that_reads_the_clock_is_refused(cast):
    # Its date would be the same in both builds, and so kept for as long as
    # the process runs: yesterday's "overdue" tomorrow.
    def closing_soon(person_id):
        soon = timezone.localdate() + timedelta(days=1)
        return Appraisal.objects.filter(person_id=person_id, cycle__closes_on__lt=soon).values("pk")

    with pytest.raises(ImproperlyConfigured, match="pass the day as an argument"):
        Prepared(closing_soon).rows(cast.person.pk)


@pytest.mark.parametrize("role", SIGNED_IN)
def test_model_instances_come_with_their_related_rows(busy, appraisal, role):
    user = busy.user(role)
    expected = list(common._readable(user, appraisal.pk))
    with CaptureQueriesContext(connection) as asked:
        got = common._readable_rows.rows(user, appraisal.pk)
        names = [(a.person.line_manager.name, a.manager.name, a.cycle.name) for a in got]
        versions = [a.profile_version.profile.title for a in got]
    assert len(asked) == 1
    assert got == expected and [a.__dict__.keys() for a in got] == [
        a.__dict__.keys() for a in expected
    ]
    assert names == [(a.person.line_manager.name, a.manager.name, a.cycle.name) for a in expected]
    assert versions == [a.profile_version.profile.title for a in expected]


def test_prefetches_and_related_managers_are_refused(cast, appraisal):
    with pytest.raises(ImproperlyConfigured):
        Prepared(lambda pk: Person.objects.filter(pk=pk).prefetch_related("appraisals")).rows(
            cast.person.pk
        )
    with pytest.raises(ImproperlyConfigured):
        Prepared(lambda pk: Appraisal.objects.get(pk=appraisal.pk).objectives.filter(pk=pk)).rows(1)
