"""A skill's texts are shared by every profile that uses the skill: an
import changes them for others only when asked to."""

import pytest

from competency.models import Skill, SkillLevel
from profiles.importing.batch import import_profiles
from profiles.importing.parsing import read_profile
from profiles.models import RoleProfile
from tests.paths import DATA
from tests.profiles.helpers import export, run

pytestmark = pytest.mark.django_db

LEAD_DATA = DATA / "lead-data-engineer-technical.txt"
DESCRIPTION = "You can describe data so that"
LEVEL_TWO = "You can record and maintain metadata for the datasets you work on."


def lead_text():
    return LEAD_DATA.read_text(encoding="utf-8")


def principal_page(tmp_path, *, description=True, level=False):
    """Another profile's page using the lead's skills, worded differently."""
    text = lead_text().replace("Lead Data Engineer – Technical", "Principal Data Engineer")
    if description:
        text = text.replace(DESCRIPTION, "You can describe any data so that")
    if level:
        text = text.replace(LEVEL_TWO, "You can keep the metadata of your datasets up to date.")
    path = tmp_path / "principal.txt"
    path.write_text(text, encoding="utf-8")
    return path


def metadata_skill():
    return Skill.objects.get(name="Metadata management")


def test_by_default_a_shared_skill_description_keeps_its_current_text(ddat, tmp_path):
    run("import_profile", str(LEAD_DATA), "--publish")
    output = run("import_profile", str(principal_page(tmp_path)))
    assert metadata_skill().description.startswith(DESCRIPTION)
    # The new profile still uses the shared skill, and shows the catalogue's text.
    principal = export("principal-data-engineer")
    assert principal["organisation_skills"][1]["skill"] == "Metadata management"
    assert principal["organisation_skills"][1]["description"].startswith(DESCRIPTION)
    assert (
        "kept the catalogue's current description of skill 'Metadata management', "
        "which 1 other profile(s) use: this profile shows that text, not the file's"
    ) in output


def test_two_new_profiles_in_one_batch_share_the_skill_text_of_the_first(ddat, tmp_path):
    # The first's links are written at the batch's end, but it already
    # shows the skill's text: the second keeps it, and says so.
    output = run("import_profile", str(LEAD_DATA), str(principal_page(tmp_path)), "--publish")
    assert metadata_skill().description.startswith(DESCRIPTION)
    assert (
        "kept the catalogue's current description of skill 'Metadata management', "
        "which 1 other profile(s) use: this profile shows that text, not the file's"
    ) in output
    lead = export("lead-data-engineer-technical")
    assert lead["organisation_skills"][1]["description"].startswith(DESCRIPTION)
    assert RoleProfile.objects.get(slug="lead-data-engineer-technical").status == "published"


def test_update_shared_texts_changes_it_everywhere_but_in_published_versions(ddat, tmp_path):
    run("import_profile", str(LEAD_DATA), "--publish")
    output = run("import_profile", str(principal_page(tmp_path)), "--update-shared-texts")
    assert metadata_skill().description.startswith("You can describe any data")
    assert (
        "updated the description of skill 'Metadata management' everywhere: "
        "1 other profile(s) use it"
    ) in output
    assert export("lead-data-engineer-technical")["organisation_skills"][1][
        "description"
    ].startswith("You can describe any data")
    version = RoleProfile.objects.get(slug="lead-data-engineer-technical").versions.get()
    assert version.document["organisation_skills"][1]["description"].startswith(DESCRIPTION)


def test_a_level_description_is_shared_only_by_profiles_at_that_level(ddat, tmp_path):
    run("import_profile", str(LEAD_DATA))
    path = principal_page(tmp_path, description=False, level=True)
    output = run("import_profile", str(path))
    assert "kept the catalogue's current description at 2 – Working of skill" in output
    level = SkillLevel.objects.get(skill=metadata_skill(), level__rank=2)
    assert level.description == LEVEL_TWO


def test_a_profile_at_another_level_does_not_share_the_level_description(ddat, tmp_path):
    lead_at_three = tmp_path / "lead.txt"
    lead_at_three.write_text(
        lead_text().replace("2 – Working\n\n" + LEVEL_TWO, "3 – Practitioner\n\nYou can lead it."),
        encoding="utf-8",
    )
    # The level-2 text exists (from the lead's first import) but the lead
    # now asks for level 3, so nobody else shows the level-2 text.
    run("import_profile", str(LEAD_DATA))
    run("import_profile", str(lead_at_three))
    output = run("import_profile", str(principal_page(tmp_path, description=False, level=True)))
    assert "note:" not in output
    level = SkillLevel.objects.get(skill=metadata_skill(), level__rank=2)
    assert level.description == "You can keep the metadata of your datasets up to date."


def test_a_text_no_other_profile_shows_follows_the_file_without_a_question(ddat, tmp_path):
    run("import_profile", str(LEAD_DATA))
    changed = tmp_path / "lead.txt"
    changed.write_text(
        lead_text().replace(DESCRIPTION, "You can describe any data so that"), encoding="utf-8"
    )
    output = run("import_profile", str(changed))
    assert metadata_skill().description.startswith("You can describe any data")
    assert "note:" not in output


def test_the_service_takes_the_choice_as_a_keyword(ddat, tmp_path):
    run("import_profile", str(LEAD_DATA))
    path = principal_page(tmp_path)
    source = read_profile(path.read_bytes(), path.name)
    (kept,) = import_profiles([source])
    assert [text.updated for text in kept.shared] == [False]
    assert kept.shared[0].profiles == [
        ("Lead Data Engineer – Technical", "lead-data-engineer-technical")
    ]
    (updated,) = import_profiles([source], update_shared_texts=True)
    assert metadata_skill().description.startswith("You can describe any data")
    assert [text.updated for text in updated.shared] == [True]
