"""Probation: checkpoints scheduled when people are saved (form, import,
seed), and the probation page where the line manager or HR complete them
and record the outcome; who may read, who may act."""

from datetime import date, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from appraisals import importing, probation
from appraisals.models import Person, ProbationCheckpoint, ProbationDecision

pytestmark = pytest.mark.django_db


def checkpoints(person):
    return list(
        ProbationCheckpoint.objects.filter(person=person)
        .order_by("months")
        .values_list("months", "due_on", "completed_on", "notes")
    )


def written():
    return (
        list(ProbationCheckpoint.objects.order_by("pk").values()),
        list(ProbationDecision.objects.order_by("pk").values()),
        list(Person.objects.order_by("pk").values()),
    )


@pytest.fixture
def sam(cast):
    """Sam started two months and a bit ago, six months' probation: the
    1-month checkpoint is overdue, the 3-month one due soon."""
    today = timezone.localdate()
    person = cast.person
    person.start_date = probation.months_after(today, -2) - timedelta(days=10)
    person.probation_end_date = probation.months_after(person.start_date, 6)
    person.save()
    probation.schedule_checkpoints(Person.objects.filter(pk=person.pk))
    return person


def url(person, name="probation", **kwargs):
    return reverse(f"appraisals:{name}", kwargs={"pk": person.pk, **kwargs})


def first_pending(person):
    return ProbationCheckpoint.objects.filter(person=person).pending().order_by("due_on").first()


# --- scheduling ------------------------------------------------------------------------


def person_form(**changes):
    return {
        "employee_id": "E777",
        "name": "Nia New",
        "email": "nia@example.org",
        "job_title": "Engineer",
        "manager": "",
        "role_profile": "",
        "start_date": "2025-04-01",
        "probation_end_date": "2025-10-01",
        "leaving_date": "",
        **changes,
    }


def test_the_person_form_schedules_and_reschedules_keeping_completed_ones(cast):
    client = cast.client("hr")
    response = client.post(reverse("appraisals:person_create"), person_form())
    assert response.status_code == 302
    nia = Person.objects.get(employee_id="E777")
    assert [(m, due) for m, due, *_ in checkpoints(nia)] == [
        (1, date(2025, 5, 1)),
        (3, date(2025, 7, 1)),
        (6, date(2025, 10, 1)),
    ]
    probation.complete_checkpoint(
        checkpoint=nia.checkpoints.get(months=1),
        by=cast.hr,
        completed_on=date(2025, 5, 2),
        notes="Settling in",
    )
    # A later start and a shorter probation: the done one stays as it was,
    # the 3-month one moves and the 6-month one no longer fits.
    edit = reverse("appraisals:person_edit", kwargs={"pk": nia.pk})
    response = client.post(
        edit, person_form(start_date="2025-04-15", probation_end_date="2025-08-01")
    )
    assert response.status_code == 302
    assert checkpoints(nia) == [
        (1, date(2025, 5, 1), date(2025, 5, 2), "Settling in"),
        (3, date(2025, 7, 15), None, ""),
    ]
    # Saving again changes nothing; an edit of other details does not touch them.
    before = written()
    client.post(edit, person_form(start_date="2025-04-15", probation_end_date="2025-08-01"))
    client.post(
        edit, person_form(start_date="2025-04-15", probation_end_date="2025-08-01", name="Nia N")
    )
    assert written()[0] == before[0]
    # Cleared dates: the pending ones go, the done one is kept.
    client.post(edit, person_form(start_date="2025-04-15", probation_end_date=""))
    assert [m for m, *_ in checkpoints(nia)] == [1]


def test_a_decided_probation_that_ended_is_not_reopened(cast, sam):
    probation.decide_probation(person=sam, by=cast.hr, outcome="passed")
    sam.probation_end_date = timezone.localdate() - timedelta(days=1)
    sam.start_date = sam.start_date - timedelta(days=40)
    sam.save()
    before = checkpoints(sam)
    probation.schedule_checkpoints(Person.objects.filter(pk=sam.pk))
    assert checkpoints(sam) == before


IMPORT_HEADER = (
    "employee id,name,email,manager's employee id,profile slug,job title,start date,"
    "probation end date"
)


def people_file(*rows):
    return ("\n".join([IMPORT_HEADER, *rows]) + "\n").encode()


def test_the_import_schedules_and_reschedules(db):
    importing.apply_import(
        people_file(
            "E1,Bea,bea@example.org,,,Head,2020-01-06,",
            "E3,Sam,sam@example.org,E1,,Engineer,2025-01-06,2025-07-06",
        ),
        "people.csv",
        mode="whole_organisation",
    )
    sam = Person.objects.get(employee_id="E3")
    assert [(m, due) for m, due, *_ in checkpoints(sam)] == [
        (1, date(2025, 2, 6)),
        (3, date(2025, 4, 6)),
        (6, date(2025, 7, 6)),
    ]
    assert not ProbationCheckpoint.objects.filter(person__employee_id="E1").exists()
    importing.apply_import(
        people_file(
            "E1,Bea,bea@example.org,,,Head,2020-01-06,",
            "E3,Sam,sam@example.org,E1,,Engineer,2025-01-20,2025-06-30",
        ),
        "people.csv",
        mode="whole_organisation",
    )
    assert [(m, due) for m, due, *_ in checkpoints(sam)] == [
        (1, date(2025, 2, 20)),
        (3, date(2025, 4, 20)),
    ]


def test_import_scheduling_costs_queries_per_batch_not_per_person(db):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def org(size):
        rows = ["E0,Boss,boss@example.org,,,Boss,,"]
        rows += [
            f"E{n},P{n},p{n}@example.org,E0,,Engineer,2025-01-{n % 28 + 1:02},2025-08-01"
            for n in range(1, size)
        ]
        return people_file(*rows)

    counts = {}
    for size in (3, 600):
        with CaptureQueriesContext(connection) as queries:
            importing.apply_import(org(size), "people.csv", mode="whole_organisation")
        counts[size] = len(queries)
        assert ProbationCheckpoint.objects.count() == (size - 1) * 3
        ProbationCheckpoint.objects.all().delete()
        Person.objects.update(line_manager=None)
        Person.objects.all().delete()
    # 1,797 checkpoints (and their history rows) in batches: SQLite's limit
    # on parameters makes its batches smaller (about 30 more queries there).
    assert counts[600] <= counts[3] + 60, counts


# --- reading ---------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["hr", "manager", "head", "person"])
def test_readers_see_the_checkpoints(cast, sam, role):
    response = cast.client(role).get(url(sam))
    assert response.status_code == 200
    page = response.content.decode()
    assert "1-month checkpoint" in page and "3-month checkpoint" in page
    assert "Overdue" in page
    may_act = role in {"hr", "manager"}
    assert ("Mark as done" in page) == may_act
    assert ("Record the outcome" in page) == may_act


@pytest.mark.parametrize("role", ["other_manager", "other_person"])
def test_others_get_404(cast, sam, role):
    assert cast.client(role).get(url(sam)).status_code == 404


def test_anonymous_people_are_sent_to_sign_in(cast, sam):
    response = Client().get(url(sam))
    assert response.status_code == 302 and response["Location"].startswith("/sign-in/")


def test_links_from_the_managers_home_the_person_page_and_the_staff_home(cast, sam):
    link = f'href="{url(sam)}"'
    assert link in cast.client("manager").get(reverse("home")).content.decode()
    assert link in cast.client("person").get(reverse("home")).content.decode()
    person_page = cast.client("hr").get(reverse("appraisals:person", kwargs={"pk": sam.pk}))
    assert link in person_page.content.decode()
    # Nobody else on probation: no link for Tia.
    assert "probation" not in cast.client("other_person").get(reverse("home")).content.decode()


@pytest.mark.parametrize("count", [1, 6])
def test_the_page_costs_the_same_queries_with_1_or_6_checkpoints(
    cast, django_assert_num_queries, settings, count
):
    settings.PROBATION_CHECKPOINT_MONTHS = tuple(range(1, count + 1))
    sam = cast.person
    sam.start_date, sam.probation_end_date = date(2025, 1, 1), date(2025, 12, 1)
    sam.save()
    probation.schedule_checkpoints(Person.objects.filter(pk=sam.pk))
    probation.decide_probation(
        person=sam, by=cast.hr, outcome="extended", extended_to=date(2026, 1, 1)
    )
    assert sam.checkpoints.count() == count
    client = cast.client("manager")
    client.get(url(sam))  # warm the session
    # Session, user (with whether they are HR), the navigation's signed-in
    # person, the person, checkpoints, decisions.
    with django_assert_num_queries(6):
        assert client.get(url(sam)).status_code == 200


# --- completing a checkpoint -----------------------------------------------------------


@pytest.mark.parametrize("role", ["manager", "hr"])
def test_the_manager_or_hr_complete_a_checkpoint(cast, sam, role):
    checkpoint = first_pending(sam)
    client = cast.client(role)
    response = client.post(
        url(sam, "probation_complete", checkpoint_pk=checkpoint.pk),
        {f"checkpoint-{checkpoint.pk}-notes": "Going well"},
    )
    assert response.status_code == 302
    checkpoint.refresh_from_db()
    assert checkpoint.completed_on == timezone.localdate()
    assert checkpoint.notes == "Going well"
    page = client.get(url(sam)).content.decode()
    assert "Going well" in page and "Done" in page


@pytest.mark.parametrize(
    "role, status",
    [
        ("head", 400),
        ("person", 400),
        ("other_manager", 404),
        ("other_person", 404),
        ("anonymous", 404),
    ],
)
def test_everyone_else_is_refused_a_checkpoint_and_nothing_is_written(cast, sam, role, status):
    checkpoint = first_pending(sam)
    before = written()
    response = cast.client(role).post(
        url(sam, "probation_complete", checkpoint_pk=checkpoint.pk),
        {f"checkpoint-{checkpoint.pk}-notes": "Sneaky"},
    )
    assert response.status_code == status
    if status == 400:
        assert "Only Sam&#x27;s line manager or HR can complete" in response.content.decode()
    assert written() == before


def test_a_completed_checkpoint_says_when_and_keeps_the_notes_typed(cast, sam):
    checkpoint = first_pending(sam)
    probation.complete_checkpoint(
        checkpoint=checkpoint, by=cast.hr, completed_on=date(2025, 6, 1), notes="First"
    )
    before = written()
    response = cast.client("manager").post(
        url(sam, "probation_complete", checkpoint_pk=checkpoint.pk),
        {f"checkpoint-{checkpoint.pk}-notes": "Second go"},
    )
    assert response.status_code == 400
    assert "This checkpoint was completed on 01 June 2025." in response.content.decode()
    assert written() == before


def test_a_checkpoint_of_someone_else_is_404(cast, sam):
    tia = cast.other_person
    tia.start_date, tia.probation_end_date = date(2025, 1, 1), date(2025, 12, 1)
    tia.save()
    probation.schedule_checkpoints(Person.objects.filter(pk=tia.pk))
    theirs = first_pending(tia)
    response = cast.client("manager").post(
        url(sam, "probation_complete", checkpoint_pk=theirs.pk), {}
    )
    assert response.status_code == 404


# --- the outcome -----------------------------------------------------------------------


@pytest.mark.parametrize("role", ["manager", "hr"])
def test_the_manager_or_hr_extend_then_pass(cast, sam, role):
    client = cast.client(role)
    new_end = sam.probation_end_date + timedelta(days=60)
    response = client.post(
        url(sam, "probation_decide"),
        {"outcome": "extended", "extended_to": new_end.isoformat(), "notes": "More time"},
    )
    assert response.status_code == 302
    sam.refresh_from_db()
    assert sam.probation_end_date == new_end
    response = client.post(
        url(sam, "probation_decide"), {"outcome": "passed", "notes": "Well done"}
    )
    assert response.status_code == 302
    assert list(sam.probation_decisions.values_list("outcome", "notes")) == [
        ("extended", "More time"),
        ("passed", "Well done"),
    ]
    page = client.get(url(sam)).content.decode()
    assert "Extended</strong> to" in page and "Passed" in page and "Well done" in page


@pytest.mark.parametrize(
    "role, status",
    [
        ("head", 400),
        ("person", 400),
        ("other_manager", 404),
        ("other_person", 404),
        ("anonymous", 404),
    ],
)
def test_everyone_else_is_refused_the_outcome_and_nothing_is_written(cast, sam, role, status):
    before = written()
    response = cast.client(role).post(url(sam, "probation_decide"), {"outcome": "passed"})
    assert response.status_code == status
    if status == 400:
        assert "Only Sam&#x27;s line manager or HR can decide" in response.content.decode()
    assert written() == before


def test_an_extension_without_a_later_date_keeps_what_was_typed(cast, sam):
    before = written()
    response = cast.client("manager").post(
        url(sam, "probation_decide"),
        {"outcome": "extended", "extended_to": "", "notes": "Needs time"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page and "Give a new end date after the current one" in page
    assert "Needs time</textarea>" in page
    assert 'value="extended" checked' in page
    assert written() == before
    response = cast.client("manager").post(
        url(sam, "probation_decide"), {"outcome": "", "extended_to": "soon"}
    )
    page = response.content.decode()
    assert "Choose the outcome of the probation" in page
    assert 'value="soon"' in page
    assert written() == before
