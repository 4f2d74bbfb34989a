"""Hostile framework files get one message naming the file, and nothing is
written, from the command and from the upload page alike.

Each file is built here (tests/hostile.py) at the size that did the damage:
without the limits, these tests would run for minutes or take gigabytes.
"""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from competency import frameworks
from competency.models import Framework, Level, Skill
from tests import hostile
from tests.profiles.helpers import run, written_rows

pytestmark = pytest.mark.django_db


def refused_by_command(tmp_path, data, filename, layout):
    path = tmp_path / filename
    path.write_bytes(data)
    before = written_rows()
    with pytest.raises(CommandError) as error:
        run("import_framework", str(path), "--format", layout)
    assert written_rows() == before, "a refused file must write nothing"
    message = str(error.value)
    assert message.startswith((f"{path}: ", f"{path}, "))
    assert message.endswith("\nNothing was imported.")
    assert message.count("\n") == 1, "one message, not a traceback"
    return message


def refused_by_page(client, data, filename, layout):
    before = written_rows()
    response = client.post(
        reverse("imports:framework"),
        {"file": SimpleUploadedFile(filename, data), "format": layout},
    )
    assert response.status_code == 200
    assert written_rows() == before, "a refused file must write nothing"
    (message,) = response.context["form"].errors["file"]
    return message


def imported(tmp_path, data, filename, layout):
    path = tmp_path / filename
    path.write_bytes(data)
    return run("import_framework", str(path), "--format", layout)


# (what the file is, how to build it, its name, its layout, what the message says)
HOSTILE = [
    (
        "one shared string of 1.2 GB in 1.2 MB",
        hostile.shared_string_bomb,
        "strings.xlsx",
        "skills",
        "the workbook unpacks to 1,200 MB, more than the 50 MB a table may take",
    ),
    (
        "1,000,000 identical rows in 2 MB",
        hostile.identical_rows,
        "rows.xlsx",
        "skills",
        "the workbook unpacks to 439 MB, more than the 50 MB a table may take",
    ),
    (
        "100,000 identical rows packed 200:1",
        lambda: hostile.identical_rows(100_000),
        "packed.xlsx",
        "skills",
        "the workbook's part xl/worksheets/sheet1.xml unpacks to 44 MB from 209,",
    ),
    (
        "300,000 shared strings in 1 MB",
        lambda: hostile.many_shared_strings(300_000),
        "tags.xlsx",
        "skills",
        "the workbook holds more than 500,000 XML tags, more than a table of 10,000 rows",
    ),
    (
        "1,100 identical rows that pack like a real sheet",
        lambda: hostile.identical_rows(1_100, numbered=True),
        "repeats.xlsx",
        "skills",
        "row 1002: this row is the same as the 1,000 rows above it",
    ),
    (
        "a row numbered past the sheet's last row",
        hostile.row_past_the_end,
        "far.xlsx",
        "skills",
        "row 1048577: the table goes on past row 1,048,576, the last a spreadsheet can have",
    ),
    (
        "a header reaching the last column",
        hostile.wide_header,
        "wide.xlsx",
        "skills",
        "row 1: the header has 16,384 columns; a table may have at most 100",
    ),
    (
        "a workbook with no sheets",
        hostile.no_sheets,
        "empty.xlsx",
        "skills",
        "the workbook has no sheets",
    ),
    (
        "a sheet whose XML stops halfway",
        hostile.truncated_sheet,
        "cut.xlsx",
        "skills",
        "this is not a readable XLSX workbook: its XML is broken or cut short (unclosed token",
    ),
    (
        "a workbook file cut short",
        hostile.truncated_zip,
        "cut-short.xlsx",
        "skills",
        "this is not a readable XLSX workbook: File is not a zip file",
    ),
    (
        "billion laughs in the sheet",
        hostile.billion_laughs,
        "laughs.xlsx",
        "skills",
        "the workbook's XML declares entities (a DTD)",
    ),
    (
        "billion laughs in the shared strings",
        lambda: hostile.billion_laughs("strings"),
        "laughs-strings.xlsx",
        "skills",
        "the workbook's XML declares entities (a DTD)",
    ),
    (
        "100,001 different CSV rows",
        lambda: hostile.csv_many_rows(100_001),
        "many.csv",
        "skills",
        "row 100002: the table has more than 100,000 rows; split it into smaller files",
    ),
    (
        "1,001 identical CSV rows",
        lambda: hostile.csv_identical_rows(1_001),
        "repeats.csv",
        "skills",
        "row 1002: this row is the same as the 1,000 rows above it",
    ),
    (
        "a CSV field of 4 MB",
        hostile.csv_huge_field,
        "field.csv",
        "skills",
        "row 2: a field is longer than 131,072 characters",
    ),
    (
        "a CSV cell longer than a spreadsheet cell",
        lambda: hostile.csv_huge_field(40_000),
        "cell.csv",
        "skills",
        "row 2, column 'Skill description': this cell holds 40,000 characters; "
        "a cell may hold at most 32,767",
    ),
    (
        "a level of 40000 in a skills table",
        lambda: hostile.csv_rank("40000"),
        "rank.csv",
        "skills",
        "row 2, column 'Level': level 40000 is out of range; "
        "expected a whole number from 1 to 32,767",
    ),
    (
        "a level of 5,000 digits in a skills table",
        lambda: hostile.csv_rank("9" * 5_000),
        "digits.csv",
        "skills",
        "row 2, column 'Level': '99999999999999999999…' is not a level number",
    ),
    (
        "framework/1 JSON nested 10,000 deep",
        hostile.deep_json,
        "deep.json",
        "json",
        "the JSON is nested too deeply: more than 32 levels of brackets",
    ),
    (
        "framework/1 JSON with an integer of 5,000 digits",
        hostile.long_number,
        "number.json",
        "json",
        "a number is too long: more than 100 digits",
    ),
    (
        "framework/1 JSON with a rank of 40000",
        lambda: hostile.framework_json(rank=40_000),
        "rank.json",
        "json",
        "$.levels[0].rank: rank 40000 is out of range; a level's rank is a whole number "
        "from 1 to 32,767",
    ),
]


@pytest.mark.parametrize(
    ("build", "filename", "layout", "expected"),
    [case[1:] for case in HOSTILE],
    ids=[case[0] for case in HOSTILE],
)
def test_the_command_refuses_a_hostile_file_with_one_message(
    tmp_path, build, filename, layout, expected
):
    message = refused_by_command(tmp_path, build(), filename, layout)
    assert expected in message


@pytest.mark.parametrize(
    ("build", "filename", "layout", "expected"),
    [case[1:] for case in HOSTILE],
    ids=[case[0] for case in HOSTILE],
)
def test_the_upload_page_refuses_a_hostile_file_with_one_message(
    hr, build, filename, layout, expected
):
    message = refused_by_page(hr, build(), filename, layout)
    # The page shows the place in brackets after the message.
    what = expected.split(": ", 1)[1] if expected.startswith(("row ", "$.")) else expected
    assert what in message


def test_the_builders_make_a_workbook_that_imports(tmp_path):
    # So that each refusal above is the hostility's doing, not a broken builder.
    output = imported(tmp_path, hostile.xlsx(), "skills.xlsx", "skills")
    assert "skills: 3 added" in output
    assert "skill level descriptions: 6 added" in output


def test_a_workbook_that_claims_16384_columns_by_a_million_rows_is_read_for_what_it_holds(
    tmp_path,
):
    # Trusting the stated size, openpyxl would fill in 17 billion empty cells;
    # read as wide as the header, the million rows below the table are empty.
    output = imported(tmp_path, hostile.dimension_bomb(), "claims.xlsx", "skills")
    assert "skills: 3 added" in output
    assert Skill.objects.filter(category__framework__name="Acme Engineering").count() == 3


def test_the_highest_rank_postgresql_can_store_is_accepted(tmp_path):
    assert frameworks.MAX_RANK == 32_767  # PositiveSmallIntegerField: a smallint
    imported(tmp_path, hostile.csv_rank(str(frameworks.MAX_RANK)), "top.csv", "skills")
    imported(tmp_path, hostile.framework_json(rank=frameworks.MAX_RANK), "top.json", "json")
    assert Level.objects.filter(rank=frameworks.MAX_RANK).count() == 2


def test_the_deepest_category_tree_the_limit_allows_is_read_without_recursion_trouble(
    tmp_path,
):
    # 15 categories nest 32 brackets deep: the limit itself.
    deepest = hostile.framework_json(categories=hostile.nested_categories(15))
    imported(tmp_path, deepest, "deepest.json", "json")
    assert Framework.objects.get(name="Hostile").categories.count() == 15
    deeper = hostile.framework_json(categories=hostile.nested_categories(16))
    message = refused_by_command(tmp_path, deeper, "deeper.json", "json")
    assert "nested too deeply" in message


def test_only_hr_reach_the_upload_page(staff, manager):
    data = hostile.no_sheets()
    for client in (staff, manager):
        response = client.post(
            reverse("imports:framework"),
            {"file": SimpleUploadedFile("x.xlsx", data), "format": "skills"},
        )
        assert response.status_code == 403
    assert not Framework.objects.exists()


@pytest.mark.parametrize("layout", ["skills", "json"])
def test_the_command_refuses_a_file_of_a_gigabyte_without_reading_it_all(tmp_path, layout):
    path = tmp_path / "huge"
    with path.open("wb") as file:
        file.truncate(1024**3)  # sparse: a gigabyte of zeros that takes no disk
    before = written_rows()
    with pytest.raises(CommandError) as error:
        run("import_framework", str(path), "--format", layout)
    assert str(error.value).startswith(
        f"{path}: the file is larger than 50 MB, the most a framework file may be"
    )
    assert written_rows() == before


@pytest.mark.parametrize(
    "column, what",
    [("Level name", "level name"), ("Skill", "skill name"), ("Category", "category name")],
)
def test_a_name_too_long_for_its_column_is_one_message_on_every_database(tmp_path, column, what):
    from tests.paths import SKILLS

    text = SKILLS.read_text(encoding="utf-8")
    header = text.splitlines()[0].split(",")
    (cells,) = csv.reader([text.splitlines()[1]])
    old = cells[header.index(column)]
    path = tmp_path / "long.csv"
    path.write_text(text.replace(f",{old},", f",{'x' * 300},"), encoding="utf-8")
    with pytest.raises(CommandError) as error:
        call_command("import_framework", str(path), "--format", "skills", stdout=io.StringIO())
    assert f"the {what} 'xxxx" in str(error.value) and "at most" in str(error.value)
    assert not Framework.objects.exists()


def test_a_role_too_long_for_a_job_family_names_row_and_column(tmp_path):
    from tests.paths import DDAT_ROLES

    text = DDAT_ROLES.read_text(encoding="utf-8")
    header = text.splitlines()[0].split(",")
    (cells,) = csv.reader([text.splitlines()[1]])
    role = cells[header.index("Role")]
    path = tmp_path / "roles.csv"
    path.write_text(text.replace(role, "R" * 150), encoding="utf-8")
    with pytest.raises(CommandError) as error:
        call_command("import_framework", str(path), "--format", "ddat-roles", stdout=io.StringIO())
    assert "row 2, column 'Role': this is 150 characters long; at most 100 fit" in str(error.value)
    assert not Framework.objects.exists()
