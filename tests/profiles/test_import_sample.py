"""Importing the reference published page (read from ../shared)."""

from collections import Counter

import pytest

from profiles.models import RoleProfile
from tests.paths import SAMPLE, needs_shared
from tests.profiles.helpers import export, run

pytestmark = [pytest.mark.django_db, needs_shared]

SLUG = "senior-devops-engineer-management"


@pytest.fixture
def document(ddat):
    run("import_profile", str(SAMPLE))
    return export(SLUG)


@pytest.fixture
def sample_lines():
    return [line.strip() for line in SAMPLE.read_text(encoding="utf-8").splitlines()]


def test_the_command_says_what_it_created(ddat):
    output = run("import_profile", str(SAMPLE))
    assert f"Created draft 'Senior DevOps Engineer – Management' ({SLUG})" in output
    assert "16 work activities" in output
    assert "10 organisation skills" in output
    assert RoleProfile.objects.get(slug=SLUG).status == "draft"


def test_title_and_parts_of_the_title(document, sample_lines):
    assert document["title"] == sample_lines[0] == "Senior DevOps Engineer – Management"
    assert document["role_level"] == "Senior"
    assert document["variant"] == "Management"
    assert document["job_family"] is None


def test_every_part_has_the_published_number_of_items(document):
    counts = {key: len(value) for key, value in document.items() if isinstance(value, list)}
    assert counts == {
        "responsibilities": 4,
        "background": 2,
        "prior_knowledge": 1,
        "work_activities": 16,
        "knowledge_skills": 28,
        "training": 9,
        "pdas": 8,
        "qualifications": 3,
        "organisation_skills": 10,
    }


def test_knowledge_items_keep_their_type_and_optional_depth(document):
    items = document["knowledge_skills"]
    assert Counter(item["type"] for item in items) == {
        "behavioural": 8,
        "technical": 10,
        "other": 10,
    }
    assert all(item["depth"] is None for item in items if item["type"] == "behavioural")
    assert all(item["depth"] is not None for item in items if item["type"] != "behavioural")
    assert {item["depth"] for item in items} == {None, "aware", "familiar", "proficient"}


def test_organisation_skills_are_ddat_software_development_practitioner(document):
    skills = document["organisation_skills"]
    assert {(s["framework"], s["category"], s["level"], s["level_name"]) for s in skills} == {
        ("DDaT", "Software Development", 3, "Practitioner")
    }
    # The category prefix of the published name is not part of the skill's name.
    assert not any(s["skill"].startswith("Software Development") for s in skills)
    assert all(s["description"] and s["level_description"] for s in skills)


def test_skill_names_are_the_published_names_without_their_category(document, sample_lines):
    published = set(sample_lines)
    for skill in document["organisation_skills"]:
        assert f"{skill['category']} – {skill['skill']}" in published
        assert f"{skill['framework']} » {skill['category']}" in published


def test_every_text_is_exactly_a_line_of_the_published_page(document, sample_lines):
    published = set(sample_lines)
    texts = [document["title"], document["summary"], *document["background"]]
    texts += document["prior_knowledge"]
    for key in ("work_activities", "training", "pdas"):
        texts += [text for item in document[key] for text in (item["title"], item["details"])]
    texts += [
        text for item in document["knowledge_skills"] for text in (item["title"], item["details"])
    ]
    texts += [
        text
        for item in document["qualifications"]
        for text in (item["title"], item["awarding_body"])
    ]
    texts += [
        text
        for item in document["organisation_skills"]
        for text in (item["description"], item["level_description"])
    ]
    missing = [text for text in texts if text not in published]
    assert missing == []
    # Bullets lose only their bullet mark.
    assert all(f"• {item}" in published for item in document["responsibilities"])


def test_typographic_characters_and_cut_off_sentences_are_kept(document):
    text = repr(document)
    assert "’" in text and "–" in text
    # The last skill's level description stops mid-sentence on the page.
    assert not document["organisation_skills"][-1]["level_description"].endswith(".")
    cut_off = [a for a in document["work_activities"] if not a["details"].endswith(".")]
    assert cut_off, "a cut-off work activity should be kept as published"


def test_the_credit_line_is_kept_and_the_feedback_links_are_not(document, sample_lines):
    credit = next(line for line in sample_lines if line.startswith("This job"))
    assert document["source"] == credit
    assert "\u00a0" in document["source"]
    assert "Give Feedback" not in repr(document)


def test_importing_the_same_page_again_changes_nothing(ddat):
    run("import_profile", str(SAMPLE))
    first = export(SLUG)
    output = run("import_profile", str(SAMPLE))
    assert "Unchanged" in output
    assert export(SLUG) == first
