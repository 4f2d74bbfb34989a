"""Publishing freezes a profile as a numbered version that never changes."""

import json

import pytest
from django.core.exceptions import ValidationError

from profiles import lifecycle
from profiles.models import ProfileVersion, RoleProfile
from tests.paths import DATA
from tests.profiles.helpers import export, run

pytestmark = pytest.mark.django_db

LEAD_DATA = DATA / "lead-data-engineer-technical.txt"
SLUG = "lead-data-engineer-technical"


@pytest.fixture
def profile(ddat):
    run("import_profile", str(LEAD_DATA))
    return RoleProfile.objects.get(slug=SLUG)


def test_publishing_a_draft_makes_version_one(profile, admin_user):
    version = lifecycle.publish_profile(profile=profile, user=admin_user)
    profile.refresh_from_db()
    assert (version.number, profile.status) == (1, "published")
    assert version.published_by == admin_user
    assert version.document == {**export(SLUG), "version": 1}


def test_a_later_edit_never_rewrites_a_published_version(profile, tmp_path):
    first = lifecycle.publish_profile(profile=profile)
    frozen = json.dumps(first.document, sort_keys=True)

    changed = tmp_path / "changed.txt"
    changed.write_text(
        LEAD_DATA.read_text(encoding="utf-8").replace("4 – Expert", "3 – Practitioner", 1),
        encoding="utf-8",
    )
    output = run("import_profile", str(changed), "--publish")
    assert "Updated draft" in output and "published as version 2" in output

    first.refresh_from_db()
    assert json.dumps(first.document, sort_keys=True) == frozen
    assert first.document["organisation_skills"][0]["level"] == 4
    second = ProfileVersion.objects.get(profile=profile, number=2)
    assert second.document["organisation_skills"][0]["level"] == 3


def test_a_version_cannot_be_saved_again_or_deleted(profile):
    version = lifecycle.publish_profile(profile=profile)
    version.document = {"title": "rewritten"}
    with pytest.raises(ValidationError):
        version.save()
    with pytest.raises(ValidationError):
        version.delete()
    version.refresh_from_db()
    assert version.document["title"] == "Lead Data Engineer – Technical"


def test_only_a_draft_can_be_published(profile):
    lifecycle.publish_profile(profile=profile)
    with pytest.raises(ValidationError, match="Only a draft can be published"):
        lifecycle.publish_profile(profile=profile)
    assert profile.versions.count() == 1


def test_importing_an_unchanged_published_page_publishes_nothing(profile):
    lifecycle.publish_profile(profile=profile)
    output = run("import_profile", str(LEAD_DATA), "--publish")
    assert "Unchanged" in output and "published" in output
    assert profile.versions.count() == 1


def test_a_new_draft_from_an_old_version_restores_its_content(profile, tmp_path):
    first = lifecycle.publish_profile(profile=profile)
    changed = tmp_path / "changed.txt"
    changed.write_text(
        LEAD_DATA.read_text(encoding="utf-8").replace("Design reviews", "Code reviews"),
        encoding="utf-8",
    )
    run("import_profile", str(changed), "--publish")
    assert export(SLUG)["work_activities"][1]["title"] == "Code reviews"

    lifecycle.start_draft(profile=profile, version=first)
    profile.refresh_from_db()
    assert profile.status == "draft"
    assert export(SLUG) == {**first.document, "version": None}


def test_archiving_keeps_the_versions(profile):
    lifecycle.publish_profile(profile=profile)
    lifecycle.archive_profile(profile=profile)
    profile.refresh_from_db()
    assert profile.status == "archived"
    assert profile.versions.count() == 1
    with pytest.raises(ValidationError, match="already archived"):
        lifecycle.archive_profile(profile=profile)
    lifecycle.start_draft(profile=profile)
    profile.refresh_from_db()
    assert profile.status == "draft"
