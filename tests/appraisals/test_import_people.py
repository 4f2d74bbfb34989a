"""The people import: the command and the service behind HR's upload page.
Each bad file is refused with its row and column, and writes nothing."""

import io
from datetime import date, timedelta

import pytest
from django.core.management.base import CommandError
from django.utils import timezone
from openpyxl import Workbook

from appraisals import importing
from appraisals.models import Person
from tests import factories, hostile
from tests.profiles.helpers import run

pytestmark = pytest.mark.django_db

# The command's mode for a file of the whole organisation, and the service's.
WHOLE = "--mode=whole_organisation"
WHOLE_ORGANISATION = importing.Mode.WHOLE_ORGANISATION

HEADER = (
    "employee id,name,email,manager's employee id,profile slug,job title,start date,"
    "probation end date"
)


def table(*rows, header=HEADER):
    return ("\n".join([header, *rows]) + "\n").encode()


ORG = [
    "E1,Bea Head,bea@example.org,,lead-engineer,Head of engineering,2020-01-06,",
    "E2,Mo Manager,mo@example.org,E1,lead-engineer,Engineering manager,2021-03-01,",
    "E3,Sam Staff,sam@example.org,E2,engineer,Engineer,2025-01-06,2025-07-06",
    "E4,Tia Staff,tia@example.org,E2,engineer,Engineer,15/02/2024,",
]


@pytest.fixture
def profiles(db):
    return {
        slug: factories.RoleProfileFactory(slug=slug, title=slug.title())
        for slug in ("engineer", "lead-engineer")
    }


@pytest.fixture
def path(tmp_path):
    def write(data, name="people.csv"):
        file = tmp_path / name
        file.write_bytes(data)
        return str(file)

    return write


def people():
    return {
        person.employee_id: (
            person.name,
            person.line_manager.employee_id if person.line_manager else None,
            person.role_profile.slug if person.role_profile else None,
            person.job_title,
            person.leaving_date,
        )
        for person in Person.objects.select_related("line_manager", "role_profile")
    }


def snapshot():
    return list(Person.objects.order_by("pk").values()), Person.history.count()


def test_a_file_creates_people_with_their_reporting_lines(profiles, path):
    output = run("import_people", WHOLE, path(table(*ORG)))
    assert "Imported" in output and "4 to create" in output
    assert people() == {
        "E1": ("Bea Head", None, "lead-engineer", "Head of engineering", None),
        "E2": ("Mo Manager", "E1", "lead-engineer", "Engineering manager", None),
        "E3": ("Sam Staff", "E2", "engineer", "Engineer", None),
        "E4": ("Tia Staff", "E2", "engineer", "Engineer", None),
    }
    sam = Person.objects.get(employee_id="E3")
    assert (sam.start_date, sam.probation_end_date) == (date(2025, 1, 6), date(2025, 7, 6))
    assert Person.objects.get(employee_id="E4").start_date == date(2024, 2, 15)
    # The audit trail has every row.
    assert Person.history.filter(history_type="+").count() == 4


def test_a_dry_run_says_what_it_would_do_and_writes_nothing(profiles, path):
    output = run("import_people", WHOLE, path(table(*ORG)), "--dry-run")
    assert "Would import" in output and "4 to create" in output
    assert "Nothing was written" in output
    assert not Person.objects.exists()


def test_reimport_moves_people_and_marks_leavers_without_deleting(profiles, path):
    run("import_people", WHOLE, path(table(*ORG)))
    moved = [
        ORG[0],
        ORG[1],
        # Sam now reports to Bea, as a lead engineer with a new title.
        "E3,Sam Staff,sam@example.org,E1,lead-engineer,Lead engineer,2025-01-06,2025-07-06",
        "E5,Una New,una@example.org,E2,engineer,Engineer,2025-09-01,",
    ]
    output = run("import_people", WHOLE, path(table(*moved)))
    assert "1 to create, 1 to move" in output and "1 to mark as leavers" in output
    assert "moves: Sam Staff (E3)" in output and "leaves: Tia Staff (E4)" in output
    found = people()
    assert found["E3"] == ("Sam Staff", "E1", "lead-engineer", "Lead engineer", None)
    assert found["E4"][4] == timezone.localdate()
    assert found["E5"][1] == "E2"
    assert Person.objects.count() == 5
    # Again: nothing changes, and the leaver stays a leaver.
    before = snapshot()
    assert "0 to create, 0 to move, 0 with other changes, 0 to mark" in run(
        "import_people", WHOLE, path(table(*moved))
    )
    assert snapshot() == before


def test_an_optional_leaving_date_column_is_read(profiles, path):
    header = HEADER + ",leaving date"
    rows = [row + "," for row in ORG]
    rows[3] = ORG[3] + ",2025-12-31"
    run("import_people", WHOLE, path(table(*rows, header=header)))
    assert Person.objects.get(employee_id="E4").leaving_date == date(2025, 12, 31)


def test_an_xlsx_file_is_read_with_its_own_dates(profiles, path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER.split(","))
    sheet.append(["E1", "Bea Head", "bea@example.org", None, "lead-engineer", "Head", None, None])
    sheet.append(["E2", "Mo", "", "E1", "engineer", "Manager", date(2021, 3, 1), None])
    data = io.BytesIO()
    workbook.save(data)
    run("import_people", WHOLE, path(data.getvalue(), "people.xlsx"))
    assert Person.objects.get(employee_id="E2").start_date == date(2021, 3, 1)


def test_people_get_their_accounts_by_email(profiles, path, django_user_model):
    user = django_user_model.objects.create(username="sam", email="SAM@example.org")
    run("import_people", WHOLE, path(table(*ORG)))
    assert Person.objects.get(employee_id="E3").account == user


BAD = [
    (
        [*ORG[:3], "E4,Tia Staff,tia@example.org,E999,engineer,Engineer,,"],
        "Row 5, column D (manager): no person with employee id E999 in the file",
    ),
    (
        [*ORG[:3], "E4,Tia Staff,tia@example.org,E2,no-such-profile,Engineer,,"],
        "Row 5, column E (profile): no role profile with the slug 'no-such-profile'",
    ),
    (
        [*ORG, "E3,Sam Again,sam2@example.org,E2,engineer,Engineer,,"],
        "Row 6, column A (employee id): E3 is in the file twice (first in row 4)",
    ),
    (
        [*ORG[:3], "E4,Tia Staff,tia@example.org,E2,engineer,Engineer,31/02/2024,"],
        "Row 5, column G (start date): '31/02/2024' is not a date",
    ),
    (
        [*ORG[:3], "E4,Tia Staff,tia@example.org,E2,engineer,Engineer,next week,"],
        "Row 5, column G (start date): 'next week' is not a date",
    ),
    (
        [*ORG[:3], "E4,Tia Staff,not-an-email,E2,engineer,Engineer,,"],
        "Row 5, column C (email): 'not-an-email' is not an email address",
    ),
    (
        [*ORG[:3], "E4,Tia Staff,SAM@example.org,E2,engineer,Engineer,,"],
        "Row 5, column C (email): SAM@example.org is also the email of row 4",
    ),
    (
        [*ORG[:3], ",Tia Staff,tia@example.org,E2,engineer,Engineer,,"],
        "Row 5, column A (employee id): the employee id is empty",
    ),
    (
        [*ORG[:3], "E4,,tia@example.org,E2,engineer,Engineer,,"],
        "Row 5, column B (name): the name is empty",
    ),
    (
        [*ORG[:3], "E4,Tia,tia@example.org,E4,engineer,Engineer,,"],
        "Row 5, column D (manager): a person cannot be their own line manager",
    ),
    (
        [*ORG[:3], "E4,Tia,tia@example.org,E2,engineer,Engineer,2025-01-01,2024-01-01"],
        "Row 5, column H (probation end date): probation ends before the start date",
    ),
    (
        # Bea under Sam, who is under Mo, who is under Bea.
        [
            "E1,Bea Head,bea@example.org,E3,lead-engineer,Head,,",
            *ORG[1:],
        ],
        "Row 2, column D (manager): these line managers make a loop: E1 → E3 → E2 → E1",
    ),
    (["E1,Bea"], "Row 2: this row has 2 fields; the header has 8"),
]


@pytest.mark.parametrize("rows, message", BAD)
def test_each_bad_row_is_named_and_nothing_is_written(profiles, path, rows, message):
    run("import_people", WHOLE, path(table(*ORG[:2])))
    before = snapshot()
    with pytest.raises(CommandError) as error:
        run("import_people", WHOLE, path(table(*rows)))
    assert message in str(error.value)
    assert "Nothing was imported." in str(error.value)
    assert snapshot() == before


def test_every_error_is_listed_at_once(profiles, path):
    rows = [
        *ORG[:2],
        "E3,Sam,sam@example.org,E9,nope,Engineer,,",
        "E4,Tia,tia@example.org,E2,engineer,Engineer,soon,",
    ]
    with pytest.raises(importing.PeopleImportError) as error:
        importing.plan_import(table(*rows), "people.csv", mode=WHOLE_ORGANISATION)
    assert error.value.messages == [
        "Row 5, column G (start date): 'soon' is not a date; write it as YYYY-MM-DD, for "
        "example 2025-04-01",
        "Row 4, column D (manager): no person with employee id E9 in the file",
        "Row 4, column E (profile): no role profile with the slug 'nope'",
    ]


def test_an_email_taken_by_someone_not_in_the_file_is_refused(profiles, path):
    factories.PersonFactory(employee_id="X1", name="Xavier", email="tia@example.org")
    with pytest.raises(CommandError, match=r"tia@example\.org is already the email of Xavier"):
        run("import_people", WHOLE, path(table(*ORG)))
    assert Person.objects.count() == 1


def test_a_missing_column_is_named(profiles, path):
    header = HEADER.replace(",profile slug", "")
    with pytest.raises(CommandError, match="missing column 'profile slug'"):
        run("import_people", WHOLE, path(table("E1,Bea,,,,,", header=header)))


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "The file is empty"),
        (b"   \n", "The file is empty"),
        (b"\x00\x01\x02binary", "This is a binary file"),
        (b"employee id,name\n\xff\xfe", "Row 2: the file is not UTF-8"),
        (hostile.dimension_bomb(), "issing column"),
        (hostile.billion_laughs(), "declares entities"),
        (hostile.truncated_zip(), "not a readable XLSX"),
        (hostile.wide_header(), "columns; a table may have at most 100"),
        (table("E1;Bea", header=HEADER.replace(",", ";")), "missing columns"),
        (table(), "the table has a header but no rows"),
    ],
)
def test_hostile_and_empty_files_are_refused_within_bounds(profiles, path, data, message):
    with pytest.raises(CommandError, match=message):
        run(
            "import_people", WHOLE, path(data, "people.xlsx" if data[:2] == b"PK" else "people.csv")
        )
    assert not Person.objects.exists()


def test_a_file_too_large_is_refused_before_it_is_read(profiles, path, monkeypatch):
    monkeypatch.setattr("competency.tables.MAX_FILE", 100)
    monkeypatch.setattr("appraisals.management.commands.import_people.MAX_FILE", 100)
    with pytest.raises(CommandError, match="larger than"):
        run("import_people", WHOLE, path(table(*ORG)))


def test_an_unreadable_path_says_so(db):
    with pytest.raises(CommandError, match="cannot read the file"):
        run("import_people", WHOLE, "/nonexistent/people.csv")


def test_a_confirmation_of_a_stale_preview_writes_nothing(profiles):
    run_data = table(*ORG)
    plan = importing.plan_import(run_data, "people.csv", mode=WHOLE_ORGANISATION)
    importing.apply_import(
        run_data, "people.csv", mode=WHOLE_ORGANISATION, confirmed=plan.fingerprint
    )
    moved = table(*ORG[:3], "E4,Tia Staff,tia@example.org,E1,engineer,Engineer,,")
    preview = importing.plan_import(moved, "people.csv", mode=WHOLE_ORGANISATION)
    # Someone moves Tia meanwhile.
    tia = Person.objects.get(employee_id="E4")
    tia.job_title = "Senior engineer"
    tia.save()
    before = snapshot()
    with pytest.raises(importing.ChangedSincePreview):
        importing.apply_import(
            moved, "people.csv", mode=WHOLE_ORGANISATION, confirmed=preview.fingerprint
        )
    assert snapshot() == before


def test_a_leaver_who_has_not_started_leaves_on_their_start_date(profiles, path):
    later = timezone.localdate() + timedelta(days=30)
    run("import_people", WHOLE, path(table(*ORG[:2], f"E3,Sam,sam@example.org,E2,,,{later},")))
    run("import_people", WHOLE, path(table(*ORG[:2])))
    assert Person.objects.get(employee_id="E3").leaving_date == later


def test_queries_grow_with_batches_of_rows_not_with_rows(profiles):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def org(size):
        rows = ["E0,Boss,boss@example.org,,engineer,Boss,,"]
        rows += [f"E{n},P{n},p{n}@example.org,E0,engineer,Engineer,," for n in range(1, size)]
        return table(*rows)

    counts = {}
    for size in (3, 600):
        with CaptureQueriesContext(connection) as queries:
            importing.apply_import(org(size), "people.csv", mode=WHOLE_ORGANISATION)
        counts[size] = len(queries)
        Person.objects.update(line_manager=None)
        Person.objects.all().delete()
    assert counts[3] <= 20
    # Inserts and updates go in batches of rows: far fewer queries than rows.
    assert counts[600] <= counts[3] + 30, counts


# --- Modes: the whole organisation, or adding and updating some people ----------------

ADD = "--mode=add_and_update"
STARTERS = [
    "E5,Ada New,ada@example.org,E2,engineer,Engineer,2026-01-05,2026-07-05",
    "E6,Ben New,ben@example.org,E2,engineer,Engineer,2026-01-05,",
]


def test_the_mode_is_always_given(profiles, path):
    with pytest.raises(CommandError, match="--mode"):
        run("import_people", path(table(*ORG)))
    with pytest.raises(CommandError, match="invalid choice"):
        run("import_people", "--mode=everyone", path(table(*ORG)))
    assert not Person.objects.exists()


def test_new_starters_join_managers_already_here_and_nobody_leaves(profiles, path):
    run("import_people", WHOLE, path(table(*ORG)))
    output = run("import_people", ADD, path(table(*STARTERS)))
    assert "Add and update only: 2 to create" in output and "nobody marked as left" in output
    found = people()
    assert found["E5"][:2] == ("Ada New", "E2") and found["E6"][:2] == ("Ben New", "E2")
    assert all(leaving is None for *_, leaving in found.values())


def test_the_same_file_as_the_whole_organisation_is_refused_and_says_why(profiles, path):
    run("import_people", WHOLE, path(table(*ORG)))
    before = snapshot()
    with pytest.raises(CommandError) as error:
        run("import_people", WHOLE, path(table(*STARTERS)))
    assert (
        "Row 2, column D (manager): no person with employee id E2 in the file (the whole "
        "organisation is one file; to add or update some people only, import in the mode "
        "'add and update only')" in str(error.value)
    )
    assert snapshot() == before


def test_adding_updates_people_in_the_file_only(profiles, path):
    run("import_people", WHOLE, path(table(*ORG)))
    plan = importing.apply_import(
        table("E4,Tia Staff,tia@example.org,E1,engineer,Lead engineer,15/02/2024,"),
        "people.csv",
        mode=importing.Mode.ADD_AND_UPDATE,
    )
    assert [change.person.employee_id for change in plan.moved] == ["E4"]
    assert plan.leavers == [] and plan.mode.label == "Add and update only"
    found = people()
    assert found["E4"] == ("Tia Staff", "E1", "engineer", "Lead engineer", None)
    assert found["E3"] == ("Sam Staff", "E2", "engineer", "Engineer", None)


BAD_ADDITIONS = [
    (
        ["E5,Ada New,ada@example.org,E999,,,,"],
        "Row 2, column D (manager): no person with employee id E999 in the file or already here",
    ),
    (
        # Bea under Sam, who is (already here) under Mo, who is under Bea.
        ["E1,Bea Head,bea@example.org,E3,lead-engineer,Head,,"],
        "Row 2, column D (manager): these line managers make a loop: E1 → E3 → E2 → E1",
    ),
    (
        # Mo has left: new starters cannot report to him.
        ["E2,Mo Manager,mo@example.org,E1,,,2021-03-01,2021-09-01,2024-12-31", *STARTERS],
        "Row 3, column D (manager): E2 has left (leaving date 2024-12-31); choose a line "
        "manager who is still here",
    ),
]


@pytest.mark.parametrize("rows, message", BAD_ADDITIONS)
def test_a_bad_addition_is_named_and_nothing_is_written(profiles, path, rows, message):
    run("import_people", WHOLE, path(table(*ORG)))
    before = snapshot()
    header = HEADER + ",leaving date"
    with pytest.raises(CommandError) as error:
        run(
            "import_people",
            ADD,
            path(
                table(*[f"{row}," if row.count(",") == 7 else row for row in rows], header=header)
            ),
        )
    assert message in str(error.value)
    assert snapshot() == before


def test_a_manager_here_who_has_left_is_refused_too(profiles, path):
    run("import_people", WHOLE, path(table(*ORG)))
    Person.objects.filter(employee_id="E2").update(leaving_date=timezone.localdate())
    with pytest.raises(importing.PeopleImportError) as error:
        importing.plan_import(table(*STARTERS), "people.csv", mode=importing.Mode.ADD_AND_UPDATE)
    assert "E2 has left" in error.value.messages[0]
