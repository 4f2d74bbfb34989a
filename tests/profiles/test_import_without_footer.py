"""A page copied without the site's footer imports: whether it is whole is
judged from its structure, never from the 'Give Feedback' links."""

from pathlib import Path

import pytest
from django.core.management.base import CommandError

from profiles.importing.published_text import LayoutError, parse
from tests.paths import DATA, ROOT, SAMPLE
from tests.profiles.helpers import export, run

pytestmark = pytest.mark.django_db

FIXTURES = sorted((ROOT / "fixtures" / "profiles").glob("*.txt"))
FEEDBACK = "\nGive Feedback"
no_sample = pytest.mark.skipif(
    not SAMPLE.exists(), reason="the real sample lives in /work/shared, which is absent here"
)


def without_footer(text):
    return text[: text.index(FEEDBACK)]


def without_credit(text):
    """Cut after the last skill's level description, before the credit line."""
    body = without_footer(text).rstrip()
    return body[: body.rindex("\n")]


@pytest.mark.parametrize("path", FIXTURES, ids=lambda path: path.stem)
def test_each_fixture_reads_the_same_without_its_footer(path):
    text = path.read_text(encoding="utf-8")
    whole = parse(text).document
    cut = parse(without_footer(text)).document
    assert whole["source"], "the fixture has a credit line"
    assert cut == whole


@pytest.mark.parametrize("path", FIXTURES, ids=lambda path: path.stem)
def test_each_fixture_cut_before_its_credit_line_has_no_source(path):
    text = path.read_text(encoding="utf-8")
    whole = parse(text).document
    cut = parse(without_credit(text)).document
    assert cut["source"] is None
    assert cut["organisation_skills"] == whole["organisation_skills"]


@pytest.mark.parametrize("path", FIXTURES, ids=lambda path: path.stem)
def test_each_fixture_cut_inside_its_last_skill_fails_with_the_line(path):
    text = without_credit(path.read_text(encoding="utf-8")).rstrip()
    cut = text[: text.rindex("\n")]  # the last level description goes too
    with pytest.raises(LayoutError) as error:
        parse(cut)
    assert error.value.line == len(cut.splitlines())
    assert "has no description of its level" in error.value.message


def test_a_page_cut_in_the_middle_of_a_table_fails_with_the_line(tmp_path):
    text = (DATA / "lead-data-engineer-technical.txt").read_text(encoding="utf-8")
    cut = text[: text.index("Training Activities")].rstrip()
    cut = cut[: cut.rindex("\n")]  # a knowledge row without its type
    with pytest.raises(LayoutError) as error:
        parse(cut)
    assert "truncated" in error.value.message
    assert error.value.line == len(cut.splitlines())


def import_page(tmp_path, text):
    path = Path(tmp_path) / "page.txt"
    path.write_text(text, encoding="utf-8")
    return run("import_profile", str(path))


@no_sample
def test_the_sample_ending_with_its_credit_line_imports_with_it_as_source(ddat, tmp_path):
    output = import_page(tmp_path, without_footer(SAMPLE.read_text(encoding="utf-8")))
    assert "Created draft 'Senior DevOps Engineer – Management'" in output
    document = export("senior-devops-engineer-management")
    assert "created in collaboration with BCS" in document["source"]
    assert len(document["organisation_skills"]) == 10


@no_sample
def test_the_sample_ending_after_its_last_skill_imports_with_no_source(ddat, tmp_path):
    import_page(tmp_path, without_credit(SAMPLE.read_text(encoding="utf-8")))
    document = export("senior-devops-engineer-management")
    assert document["source"] is None
    assert document["organisation_skills"][-1]["level_description"].startswith(
        "You can collaborate with user researchers"
    )


@no_sample
def test_the_sample_cut_inside_a_skill_block_fails_with_the_line(ddat, tmp_path):
    lines = SAMPLE.read_text(encoding="utf-8").splitlines()
    cut = "\n".join(lines[:511])  # ends at 'Software Development – User focus'
    with pytest.raises(CommandError) as error:
        import_page(tmp_path, cut)
    assert "line 511" in str(error.value)
    assert "'User focus' has no level line" in str(error.value)
