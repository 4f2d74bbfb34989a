"""Reporting lines (whole teams, no loops) and accounts found by email."""

import pytest
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction

from appraisals import people
from appraisals.models import Person
from appraisals.people import ReportingLineError
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def line(db):
    """top ← a ← b ← c, and top ← d."""
    top = factories.PersonFactory(name="Top")
    a = factories.PersonFactory(name="A", line_manager=top)
    b = factories.PersonFactory(name="B", line_manager=a)
    c = factories.PersonFactory(name="C", line_manager=b)
    d = factories.PersonFactory(name="D", line_manager=top)
    return top, a, b, c, d


def names(queryset):
    return sorted(person.name for person in queryset)


def test_a_team_is_the_whole_reporting_line_below(line):
    top, a, _b, c, _d = line
    assert names(Person.objects.reporting_line(top)) == ["A", "B", "C", "D"]
    assert names(Person.objects.reporting_line(a)) == ["B", "C"]
    assert names(Person.objects.reporting_line(c)) == []
    assert names(Person.objects.managers_above(c)) == ["A", "B", "Top"]


def test_the_reporting_line_is_one_query(line, django_assert_num_queries):
    top = line[0]
    with django_assert_num_queries(1):
        assert len(list(Person.objects.reporting_line(top))) == 4


def test_moving_a_person_moves_their_team_with_them(line):
    _top, a, b, _c, d = line
    people.set_manager(person=b, manager=d)
    assert names(Person.objects.reporting_line(d)) == ["B", "C"]
    assert names(Person.objects.reporting_line(a)) == []


@pytest.mark.parametrize(
    ("who", "under", "message"),
    [
        ("A", "A", "cannot be their own line manager"),
        ("A", "B", "B already reports to A"),
        ("Top", "C", "C already reports to Top"),
    ],
)
def test_a_loop_is_refused_and_nothing_changes(line, who, under, message):
    by_name = {person.name: person for person in line}
    with pytest.raises(ReportingLineError, match=message):
        people.set_manager(person=by_name[who], manager=by_name[under])
    assert {p.name: p.line_manager_id for p in Person.objects.all()} == {
        p.name: p.line_manager_id for p in line
    }


def test_the_database_refuses_a_person_as_their_own_manager(line):
    a = line[1]
    with pytest.raises(IntegrityError), transaction.atomic():
        Person.objects.filter(pk=a.pk).update(line_manager=a)


def test_many_changes_at_once_are_checked_together(line):
    top, _a, b, c, d = line
    # Each alone is fine; together they make a loop: d under c, top under d.
    with pytest.raises(ReportingLineError, match="would make a loop"):
        people.set_managers({d.pk: c.pk, top.pk: d.pk})
    assert Person.objects.get(pk=top.pk).line_manager_id is None
    assert Person.objects.get(pk=d.pk).line_manager_id == top.pk
    assert people.set_managers({d.pk: c.pk, b.pk: top.pk, c.pk: c.line_manager_id}) == 2
    assert names(Person.objects.reporting_line(c)) == ["D"]


def test_bulk_changes_are_a_fixed_number_of_queries(line, django_assert_max_num_queries):
    top = line[0]
    staff = factories.PersonFactory.create_batch(30)
    with django_assert_max_num_queries(8):
        people.set_managers({person.pk: top.pk for person in staff})
    assert Person.objects.reporting_line(top).count() == 34


def test_a_new_account_finds_its_person_by_email(db):
    person = factories.PersonFactory(email="Sam.Smith@Example.org")
    user = get_user_model().objects.create(username="sam", email="sam.smith@example.org")
    person.refresh_from_db()
    assert person.account == user


def test_an_account_never_takes_a_person_already_linked(db):
    first = get_user_model().objects.create(username="first", email="x@example.org")
    person = factories.PersonFactory(email="x@example.org", account=first)
    get_user_model().objects.create(username="second", email="X@example.org")
    person.refresh_from_db()
    assert person.account == first


def test_people_loaded_after_their_accounts_are_linked(db):
    user = get_user_model().objects.create(username="kim", email="kim@example.org")
    get_user_model().objects.create(username="other", email="nobody@example.org")
    kim = factories.PersonFactory(email="KIM@example.org")
    lee = factories.PersonFactory(email="lee@example.org")
    assert people.link_accounts() == 1
    kim.refresh_from_db()
    lee.refresh_from_db()
    assert kim.account == user and lee.account is None
    assert people.link_accounts() == 0


def test_two_people_cannot_share_an_email(db):
    factories.PersonFactory(email="same@example.org")
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.PersonFactory(email="SAME@example.org")
