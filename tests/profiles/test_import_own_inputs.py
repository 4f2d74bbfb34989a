"""Importing pages of our own writing, with what the sample does not have."""

import pytest

from competency.models import Category, Skill, SkillLevel
from tests.paths import DATA
from tests.profiles.helpers import export, run

pytestmark = pytest.mark.django_db

LEAD_DATA = DATA / "lead-data-engineer-technical.txt"


@pytest.fixture
def document(ddat):
    run("import_profile", str(LEAD_DATA))
    return export("lead-data-engineer-technical")


def test_role_level_variant_and_multi_paragraph_summary(document):
    assert document["role_level"] == "Lead"
    assert document["variant"] == "Technical"
    assert document["summary"].count("\n\n") == 1
    assert "“right way”" in document["summary"]
    assert document["prior_knowledge"] == [
        "Deep experience of at least one data-processing framework.",
        "Writes clear design records.",
    ]


def test_expert_depth_and_both_spellings_of_behavioural(document):
    items = {item["title"]: item for item in document["knowledge_skills"]}
    assert items["Data Modelling"]["depth"] == "expert"
    assert items["Systems Thinking"]["type"] == "behavioural"  # "Behavioural"
    assert items["Coaching Others"]["type"] == "behavioural"  # "Behavioural Skills"
    assert items["Data Protection Law"] == {
        "title": "Data Protection Law",
        "depth": "aware",
        "details": (
            "The UK GDPR and the Data Protection Act 2018 as they apply to engineering work."
        ),
        "type": "other",
    }


def test_skills_at_levels_two_and_four_in_two_categories(document, ddat):
    skills = [
        (s["category"], s["skill"], s["level"], s["level_name"])
        for s in document["organisation_skills"]
    ]
    assert skills == [
        ("Data", "Data engineering and manipulation", 4, "Expert"),
        ("Data", "Metadata management", 2, "Working"),
        ("Software Development", "Systems design", 4, "Expert"),
    ]
    assert set(Category.objects.filter(framework=ddat).values_list("name", flat=True)) == {
        "Data",
        "Software Development",
    }
    metadata = Skill.objects.get(name="Metadata management")
    assert SkillLevel.objects.get(skill=metadata).level.name == "Working"


def test_credit_line_of_another_wording(document):
    assert document["source"] == (
        "Written for the competency application’s tests; not an official profile."
    )


def test_components_are_shared_between_profiles(ddat, tmp_path):
    run("import_profile", str(LEAD_DATA))
    other = tmp_path / "other.txt"
    other.write_text(
        LEAD_DATA.read_text(encoding="utf-8").replace(
            "Lead Data Engineer – Technical", "Principal Data Engineer"
        ),
        encoding="utf-8",
    )
    output = run("import_profile", str(other))
    assert "0 new items" in output
    assert "catalogue: 0 new items, 10 reused" in output


def test_a_changed_text_makes_a_new_component_and_leaves_the_shared_one(ddat, tmp_path):
    from competency.models import WorkActivity

    run("import_profile", str(LEAD_DATA))
    other = tmp_path / "other.txt"
    other.write_text(
        LEAD_DATA.read_text(encoding="utf-8")
        .replace("Lead Data Engineer – Technical", "Principal Data Engineer")
        .replace("records the decisions made.", "records every decision."),
        encoding="utf-8",
    )
    run("import_profile", str(other))
    lead = export("lead-data-engineer-technical")
    assert lead["work_activities"][1]["details"] == (
        "Reviews the designs of other engineers and records the decisions made."
    )
    assert WorkActivity.objects.filter(title="Design reviews").count() == 2


def test_a_level_description_of_two_paragraphs_and_a_last_skill_without_one(ddat, tmp_path):
    text = (
        lead_text()
        .replace(
            "You can set the direction for data engineering across the organisation.\n",
            "You can set the direction for data engineering across the organisation.\n\n"
            "You can also teach it to 24-hour support teams.\n",
        )
        .replace("You can set the design direction for complex, high-risk systems.\n\n", "")
    )
    path = tmp_path / "page.txt"
    path.write_text(text, encoding="utf-8")
    run("import_profile", str(path))
    document = export("lead-data-engineer-technical")
    skills = document["organisation_skills"]
    assert len(skills) == 3
    assert skills[0]["level_description"] == (
        "You can set the direction for data engineering across the organisation.\n\n"
        "You can also teach it to 24-hour support teams."
    )
    assert skills[2]["level_description"] == ""
    assert document["source"].startswith("Written for the competency application")


def lead_text():
    return LEAD_DATA.read_text(encoding="utf-8")
