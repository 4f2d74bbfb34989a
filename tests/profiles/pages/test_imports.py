"""The upload pages: a preview first, nothing written until confirmed."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from competency.models import Framework, Skill
from profiles.models import RoleProfile
from tests.paths import DDAT_ROLES, OWN_PAGE, SAMPLE, needs_shared
from tests.profiles.helpers import written_rows

pytestmark = pytest.mark.django_db


def upload(path, name=None):
    return SimpleUploadedFile(name or path.name, path.read_bytes())


@needs_shared
def test_importing_the_sample_shows_a_preview_then_imports_on_confirmation(hr, ddat):
    before = written_rows()
    preview = hr.post(reverse("imports:profile"), {"file": upload(SAMPLE)})
    content = preview.content.decode()
    assert "Check the import" in content
    assert "Created draft &#x27;Senior DevOps Engineer – Management&#x27;" in content
    assert "16 work activities" in content
    assert written_rows() == before, "the preview must write nothing"

    token = preview.context["token"]
    response = hr.post(reverse("imports:profile"), {"token": token, "publish": "on"}, follow=True)
    assert "Imported ‘Senior DevOps Engineer – Management’ and published it as version 1." in (
        response.content.decode()
    )
    assert RoleProfile.objects.get(slug="senior-devops-engineer-management").versions.count() == 1
    # The same confirmation cannot import twice.
    again = hr.post(reverse("imports:profile"), {"token": token}, follow=True)
    assert "That upload has expired" in again.content.decode()


@needs_shared
def test_a_bad_file_shows_the_error_with_its_line_and_writes_nothing(hr, ddat, tmp_path):
    broken = tmp_path / "broken.txt"
    text = "\n".join(SAMPLE.read_text(encoding="utf-8").splitlines()[:200])
    broken.write_text(text)
    before = written_rows()
    response = hr.post(reverse("imports:profile"), {"file": upload(broken)})
    assert response.status_code == 200
    content = response.content.decode()
    assert "There is a problem" in content
    assert f"(line {len(text.splitlines())})" in content and "truncated" in content
    assert written_rows() == before


def test_choosing_no_file_is_an_error(hr, ddat):
    response = hr.post(reverse("imports:profile"), {})
    assert "Choose a file to import" in response.content.decode()


def test_a_framework_upload_previews_then_imports(hr, db):
    preview = hr.post(
        reverse("imports:framework"), {"file": upload(DDAT_ROLES), "format": "ddat-roles"}
    )
    content = preview.content.decode()
    assert "skills: 6 added" in content
    assert not Framework.objects.filter(name="DDaT").exists()
    hr.post(reverse("imports:framework"), {"token": preview.context["token"]})
    assert Skill.objects.count() == 6


def test_a_bad_framework_file_names_file_row_and_column(hr, db, tmp_path):
    bad = tmp_path / "roles.csv"
    bad.write_text(DDAT_ROLES.read_text(encoding="utf-8").replace(",Expert,", ",Master,", 1))
    response = hr.post(reverse("imports:framework"), {"file": upload(bad), "format": "ddat-roles"})
    content = response.content.decode()
    assert "roles.csv: unknown level name" in content
    assert "column &#x27;Skill level&#x27;" in content
    assert "unknown level name &#x27;Master&#x27;" in content
    assert not Framework.objects.exists()


def test_an_upload_is_recorded_in_the_audit_trail_under_its_author(hr, hr_user, ddat):
    preview = hr.post(reverse("imports:profile"), {"file": upload(OWN_PAGE)})
    hr.post(reverse("imports:profile"), {"token": preview.context["token"]})
    profile = RoleProfile.objects.get(slug="senior-devops-engineer-management")
    response = hr.get(reverse("profiles:audit", args=[profile.slug]))
    entries = list(response.context["page_obj"])
    assert len(entries) > 16  # the profile and each of its items
    assert {entry["who"] for entry in entries} == {hr_user}


def test_the_preview_shows_what_would_change_and_warns_of_unpublished_changes(hr, lead):
    from profiles import drafts, lifecycle
    from tests.paths import DATA

    lifecycle.start_draft(profile=lead)
    values = drafts.field_values(lead)
    drafts.update_profile(profile=lead, values={**values, "variant": "Platform"}, base=values)
    preview = hr.post(
        reverse("imports:profile"),
        {"file": upload(DATA / "lead-data-engineer-technical.txt")},
    )
    content = preview.content.decode()
    assert "has changes that were never published" in content
    assert "What would change" in content and "Platform" in content


def test_a_profile_changed_after_the_preview_is_not_overwritten(hr, lead):
    from profiles import drafts, lifecycle
    from tests.paths import DATA

    preview = hr.post(
        reverse("imports:profile"),
        {"file": upload(DATA / "lead-data-engineer-technical.txt")},
    )
    lifecycle.start_draft(profile=lead)
    values = drafts.field_values(lead)
    drafts.update_profile(profile=lead, values={**values, "variant": "Platform"}, base=values)
    response = hr.post(reverse("imports:profile"), {"token": preview.context["token"]}, follow=True)
    assert "the profile changed after you checked the file" in response.content.decode()
    lead.refresh_from_db()
    assert lead.variant == "Platform"
