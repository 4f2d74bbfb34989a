"""An import warns about texts that look cut off, and imports them anyway."""

import re

import pytest

from profiles.importing.checks import cut_off_texts
from profiles.importing.parsing import read_profile
from tests.paths import DATA, ROOT, SAMPLE
from tests.profiles.helpers import export, run

pytestmark = pytest.mark.django_db

LEAD_DATA = DATA / "lead-data-engineer-technical.txt"


def warnings_of(text, name="page.txt"):
    source = read_profile(text.encode(), name)
    return cut_off_texts(source, source.document)


@pytest.mark.skipif(
    not SAMPLE.exists(), reason="the real sample lives in /work/shared, which is absent here"
)
def test_the_samples_unfinished_texts_are_named_with_their_lines(ddat):
    output = run("import_profile", str(SAMPLE))
    warnings = [line for line in output.splitlines() if "warning:" in line]
    assert [re.search(r"\(line \d+\)", w).group() for w in warnings] == [
        "(line 67)",  # Guidance, performance and feedback: "… leads them to"
        "(line 373)",  # Research Assignments: "… and/or management"
        "(line 433)",  # Development process optimisation: "… fit for"
        "(line 517)",  # User focus, level description: "… the best tools and"
    ]
    assert (
        "the details of work activity 'Guidance, performance and feedback' (line 67) may be "
        "cut off: it ends ‘…team members and leads them to’ without a full stop"
    ) in output
    assert "the level description of organisation skill 'User focus' (line 517)" in output
    # Imported anyway, exactly as written.
    document = export("senior-devops-engineer-management")
    assert document["work_activities"][7]["details"].endswith("leads them to")


def test_the_demo_profiles_have_none():
    for path in sorted((ROOT / "fixtures" / "profiles").glob("*.txt")):
        assert warnings_of(path.read_text(encoding="utf-8"), path.name) == [], path.name


def test_a_text_without_a_full_stop_among_ones_with_one_is_named():
    text = LEAD_DATA.read_text(encoding="utf-8")
    warnings = warnings_of(text)
    assert warnings == [
        "the details of work activity 'Data pipeline design' (line 41) may be cut off: it "
        "ends ‘…g upstream and the team has to’ without a full stop"
    ]


def test_a_page_that_leaves_full_stops_out_everywhere_is_not_flagged():
    text = LEAD_DATA.read_text(encoding="utf-8")
    lines = [
        line[:-1] if line.endswith(".") and not line.startswith("Written for") else line
        for line in text.splitlines()
    ]
    assert warnings_of("\n".join(lines)) == []


def test_a_sentence_ending_inside_a_bracket_or_quote_is_whole():
    text = LEAD_DATA.read_text(encoding="utf-8").replace(
        "and the team has to\n", "and the team has to (see the runbook.)\n"
    )
    assert warnings_of(text) == []


def test_json_names_the_path(ddat, tmp_path):
    run("import_profile", str(LEAD_DATA))
    path = tmp_path / "lead.json"
    path.write_text(run("export_profile", "lead-data-engineer-technical"), encoding="utf-8")
    output = run("import_profile", str(path))
    assert "($.work_activities[0].details) may be cut off" in output
