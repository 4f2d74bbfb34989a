"""Bad input: a non-zero exit, one clear message naming the file and the
place, and nothing written to the database."""

import json

import pytest
from django.core.management.base import CommandError

from tests.paths import DATA, OWN_PAGE, SAMPLE, needs_shared
from tests.profiles.helpers import export, run, written_rows

pytestmark = pytest.mark.django_db

LEAD_DATA = DATA / "lead-data-engineer-technical.txt"


def import_fails(*paths):
    before = written_rows()
    with pytest.raises(CommandError) as error:
        run("import_profile", *[str(path) for path in paths])
    assert written_rows() == before, "a failed import must write nothing"
    return str(error.value)


def page(tmp_path, text, name="page.txt"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def lead_text():
    return LEAD_DATA.read_text(encoding="utf-8")


def test_a_file_that_is_not_a_role_profile(ddat, tmp_path):
    path = page(tmp_path, "Shopping list\n\nEggs\nMilk\n")
    message = import_fails(path)
    assert message.startswith(f"{path}, line 3: expected the heading 'Summary', found 'Eggs'")


@needs_shared
def test_a_truncated_page(ddat, tmp_path):
    lines = SAMPLE.read_text(encoding="utf-8").splitlines()
    path = page(tmp_path, "\n".join(lines[:200]) + "\n")
    message = import_fails(path)
    assert str(path) in message
    assert "line 200" in message
    assert "truncated" in message
    assert "Training Components" in message


@pytest.mark.parametrize(
    ("cut_before", "expected"),
    [
        ("2 – Working", "'Metadata management' has no level line"),
        ("You can set the design direction", "'Systems design' has no description of its level"),
        (
            "Software Development – Systems design",
            "under 'DDaT » Software Development' has no name",
        ),
        ("Organisation Skills\n", "ends before the 'Organisation Skills' heading"),
        ("Framework » Organisation", "ends after the 'Organisation Skills' heading"),
    ],
)
def test_a_page_cut_inside_the_organisation_skills(ddat, tmp_path, cut_before, expected):
    """Without the footer, a cut is seen from the page's structure: a skill
    block missing its level line or level description, a heading without
    its skills."""
    text = lead_text()
    cut = text[: text.index(cut_before)]
    path = page(tmp_path, cut)
    message = import_fails(path)
    assert expected in message
    assert f"{path}, line " in message


def test_an_organisation_skill_without_its_level(ddat, tmp_path):
    path = page(tmp_path, lead_text().replace("2 – Working\n", ""))
    message = import_fails(path)
    assert "'Metadata management' has no level line" in message
    assert "3 – Practitioner" in message


def test_a_title_that_gives_no_url_name(ddat, tmp_path):
    path = page(tmp_path, "数据工程师" + lead_text()[lead_text().index("\n") :])
    message = import_fails(path)
    assert message.startswith(f"{path}, line 1: the title '数据工程师' gives no usable URL name")


def test_an_empty_bullet(ddat, tmp_path):
    text = lead_text().replace("  • review the designs", "  •\n\n  • review the designs")
    path = page(tmp_path, text)
    line = text.splitlines().index("  •") + 1
    message = import_fails(path)
    assert message.startswith(f"{path}, line {line}: '' should be non-empty")


def test_a_title_too_long_to_store(ddat, tmp_path):
    text = "Lead " + "Very " * 60 + lead_text()[5:]
    title = text.splitlines()[0]
    path = page(tmp_path, text)
    expected = f"line 1: this text is {len(title)} characters long; at most 200 fit here"
    assert expected in import_fails(path)


def test_json_with_a_character_that_cannot_be_stored(ddat, tmp_path):
    run("import_profile", str(LEAD_DATA))
    document = export("lead-data-engineer-technical")
    document["slug"] = "another"
    document["training"][0]["details"] = "nul\u0000byte"
    path = tmp_path / "profile.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    assert "$.training[0].details: the text holds a character that cannot be stored" in (
        import_fails(path)
    )


def test_a_utf16_file(ddat, tmp_path):
    path = tmp_path / "utf16.txt"
    path.write_bytes(lead_text().encode("utf-16"))
    assert import_fails(path) == f"{path}: the file is UTF-16 text; save it as UTF-8 and try again"


def test_an_unknown_depth(ddat, tmp_path):
    text = lead_text().replace("Expert in", "Master of")
    path = page(tmp_path, text)
    line = text.splitlines().index("Master of") + 1
    message = import_fails(path)
    assert message.startswith(f"{path}, line {line}: 'Master of' is not a depth")
    assert "Aware of, Familiar with, Proficient in, Expert in" in message


def test_an_unknown_level(ddat, tmp_path):
    text = lead_text().replace("2 – Working", "2 – Master")
    path = page(tmp_path, text)
    line = text.splitlines().index("2 – Master") + 1
    message = import_fails(path)
    assert message.startswith(f"{path}, line {line}: unknown level '2 – Master'")
    assert "1 – Awareness, 2 – Working, 3 – Practitioner, 4 – Expert" in message
    assert "Nothing was imported" in message


def test_a_level_beyond_the_scale(ddat, tmp_path):
    path = page(tmp_path, lead_text().replace("4 – Expert", "5 – Expert"))
    assert "unknown level '5 – Expert'" in import_fails(path)


def test_an_unknown_framework(tmp_path, db):
    path = page(tmp_path, lead_text())
    message = import_fails(path)
    assert "unknown framework 'DDaT'" in message
    assert "manage.py load_ddat_scale" in message and "seed_demo" not in message


def test_an_item_listed_twice(ddat, tmp_path):
    text = lead_text()
    block = (
        "Design reviews\n\nReviews the designs of other engineers and records the decisions made.\n"
    )
    path = page(tmp_path, text.replace(block, block + "\n" + block))
    assert "'Design reviews' appears twice in work activities" in import_fails(path)


def test_json_that_breaks_the_schema_names_the_path(ddat, tmp_path):
    run("import_profile", str(LEAD_DATA))
    document = export("lead-data-engineer-technical")
    document["knowledge_skills"][2]["depth"] = "master"
    path = tmp_path / "profile.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    message = import_fails(path)
    assert message.startswith(f"{path}, $.knowledge_skills[2].depth: does not match role-profile/1")
    assert "'master' is not one of" in message


def test_json_missing_a_required_part(ddat, tmp_path):
    path = tmp_path / "profile.json"
    path.write_text(json.dumps({"schema": "role-profile/1", "title": "X"}), encoding="utf-8")
    message = import_fails(path)
    assert "$: does not match role-profile/1" in message
    assert "is a required property" in message


def test_json_with_an_unknown_level_names_the_path(ddat, tmp_path):
    run("import_profile", str(LEAD_DATA))
    document = export("lead-data-engineer-technical")
    document["slug"] = "another"
    document["organisation_skills"][1]["level"] = 7
    path = tmp_path / "profile.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    message = import_fails(path)
    assert message.startswith(f"{path}, $.organisation_skills[1].level: unknown level '7")


def test_json_with_a_syntax_error_names_line_and_column(ddat, tmp_path):
    path = page(tmp_path, '{\n  "schema": "role-profile/1",\n  "title": \n}\n', "broken.json")
    message = import_fails(path)
    assert message.startswith(f"{path}, line 4, column 1: this is not valid JSON")


@pytest.mark.parametrize("content", [b"", b"\n  \n"])
def test_an_empty_file(ddat, tmp_path, content):
    path = tmp_path / "empty.txt"
    path.write_bytes(content)
    assert import_fails(path) == f"{path}: the file is empty; expected a role profile"


def test_a_binary_file(ddat, tmp_path):
    path = tmp_path / "photo.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00")
    message = import_fails(path)
    assert message == (
        f"{path}: this is a binary file; expected published page text or role-profile/1 JSON"
    )


def test_a_file_in_another_encoding(ddat, tmp_path):
    path = tmp_path / "latin1.txt"
    path.write_bytes(
        lead_text()
        .replace("–", "-")
        .replace("“", '"')
        .replace("”", '"')
        .replace("’", "'")
        .replace("—", "-")
        .encode("utf-8")
        .replace(b"Data Modelling", "Data Modéllïng".encode("latin-1"))
    )
    message = import_fails(path)
    assert "is not UTF-8 text" in message
    assert "line " in message


def test_a_missing_file(ddat, tmp_path):
    message = import_fails(tmp_path / "nowhere.txt")
    assert "cannot read the file" in message


def test_one_bad_file_stops_the_whole_import(ddat, tmp_path):
    bad = page(tmp_path, lead_text().replace("2 – Working", "2 – Master"), "bad.txt")
    message = import_fails(OWN_PAGE, bad)
    assert str(bad) in message
