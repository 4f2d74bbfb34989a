"""Bad framework files: a non-zero exit, a message naming the file, row and
column, and nothing written."""

import json

import pytest
from django.core.management.base import CommandError

from competency.models import Category, Framework, Level, Skill, SkillLevel
from profiles.models import JobFamily, RoleProfile
from tests.paths import DDAT_ROLES, SKILLS
from tests.profiles.helpers import run

pytestmark = pytest.mark.django_db


def counts():
    return [
        m.objects.count()
        for m in (Framework, Level, Category, Skill, SkillLevel, JobFamily, RoleProfile)
    ]


def fails(path, *args):
    before = counts()
    with pytest.raises(CommandError) as error:
        run("import_framework", str(path), *args)
    assert counts() == before, "a failed import must write nothing"
    message = str(error.value)
    assert message.startswith(str(path))
    assert message.endswith("Nothing was imported.")
    return message


def roles_file(tmp_path, transform):
    path = tmp_path / "roles.csv"
    path.write_text(transform(DDAT_ROLES.read_text(encoding="utf-8")), encoding="utf-8")
    return path


@pytest.fixture(autouse=True)
def existing_data(settings):
    # Failures must leave what is already there untouched, not just an empty DB.
    settings.DEBUG = True
    run("seed_demo")


def test_a_missing_column(tmp_path):
    path = roles_file(tmp_path, lambda text: text.replace("Skill level description", "Notes 2"))
    message = fails(path, "--format", "ddat-roles")
    assert "row 1: missing column 'Skill level description'" in message


def test_an_unknown_level_name(tmp_path):
    path = roles_file(tmp_path, lambda text: text.replace(",Expert,", ",Master,", 1))
    line = next(n for n, text in enumerate(path.read_text().splitlines(), 1) if ",Master," in text)
    message = fails(path, "--format", "ddat-roles")
    assert f"row {line}, column 'Skill level': unknown level name 'Master'" in message
    assert "Awareness, Working, Practitioner, Expert" in message


def test_a_skill_with_two_descriptions_in_one_file(tmp_path):
    original = "You can describe data so that others can find and trust it."

    def change_the_last_mention(text):
        head, _, tail = text.rpartition(original)
        return head + "Other words." + tail

    path = roles_file(tmp_path, change_the_last_mention)
    lines = path.read_text().splitlines()
    first = next(n for n, line in enumerate(lines, 1) if original in line)
    last = next(n for n, line in enumerate(lines, 1) if "Other words." in line)
    message = fails(path, "--format", "ddat-roles")
    assert f"row {last}, column 'Skill description'" in message
    assert (
        f"the skill 'Metadata management' has another description here than in row {first}"
    ) in message


def test_a_row_with_the_wrong_number_of_fields(tmp_path):
    path = roles_file(tmp_path, lambda text: text.replace(",\n", ",,\n", 3))
    message = fails(path, "--format", "ddat-roles")
    assert "row 2: this row has 11 fields; the header has 10" in message


def test_a_file_in_another_encoding(tmp_path):
    path = tmp_path / "skills.csv"
    path.write_bytes(SKILLS.read_text(encoding="utf-8").replace("—", "é").encode("latin-1"))
    message = fails(path, "--format", "skills")
    assert "row 7: the file is not UTF-8 text; save it as 'CSV UTF-8'" in message


@pytest.mark.parametrize("content", [b"", b"\r\n\r\n"])
def test_an_empty_file(tmp_path, content):
    path = tmp_path / "empty.csv"
    path.write_bytes(content)
    assert "the file is empty" in fails(path, "--format", "skills")


def test_a_header_without_rows(tmp_path):
    path = tmp_path / "header.csv"
    path.write_text(SKILLS.read_text(encoding="utf-8").splitlines()[0] + "\n")
    assert "row 2: the table has a header but no rows" in fails(path, "--format", "skills")


def test_a_binary_file_and_a_broken_workbook(tmp_path):
    binary = tmp_path / "photo.csv"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    assert "this is a binary file" in fails(binary, "--format", "skills")
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a workbook")
    assert "this is not a readable XLSX workbook" in fails(broken)


def test_a_level_named_two_ways(tmp_path):
    path = tmp_path / "skills.csv"
    path.write_text(SKILLS.read_text(encoding="utf-8").replace(",3,Leading,", ",3,Guiding,", 1))
    message = fails(path, "--format", "skills")
    assert "column 'Level name': level 3 is called 'Guiding' in row 4 and 'Leading' here" in message


def test_a_level_that_is_not_a_number(tmp_path):
    path = tmp_path / "skills.csv"
    path.write_text(SKILLS.read_text(encoding="utf-8").replace(",2,Doing,", ",two,Doing,", 1))
    assert "row 3, column 'Level': 'two' is not a level number" in fails(path, "--format", "skills")


def test_a_level_name_that_contradicts_the_existing_scale(tmp_path):
    path = tmp_path / "skills.csv"
    path.write_text(SKILLS.read_text(encoding="utf-8").replace("Acme Engineering", "DDaT"))
    message = fails(path, "--format", "skills")
    assert "level 1 of DDaT is 'Awareness', but the file calls it 'Learning'" in message
    assert "row 2, column 'Level name'" in message


def test_json_that_breaks_the_schema_names_the_path(tmp_path):
    document = json.loads(run("export_framework", "DDaT"))
    document["categories"][0]["skills"][0]["levels"][0]["rank"] = "three"
    path = tmp_path / "ddat.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    message = fails(path)
    assert "$.categories[0].skills[0].levels[0].rank: does not match framework/1" in message


def test_a_csv_without_a_format(tmp_path):
    path = tmp_path / "table.csv"
    path.write_text(SKILLS.read_text(encoding="utf-8"))
    assert "say which layout the file has" in fails(path)
