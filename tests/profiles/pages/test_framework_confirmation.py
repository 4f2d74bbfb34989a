"""A framework upload's confirmation writes only what was previewed: if the
catalogue changed in between, nothing is written and the page says why."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from competency.models import Skill
from profiles.importing.framework_import import import_framework
from tests.paths import SKILLS

pytestmark = pytest.mark.django_db

OLD = "Planning and running releases so that users are not surprised."


def described(text):
    return SKILLS.read_text(encoding="utf-8").replace(OLD, text).encode()


def preview(hr, data):
    response = hr.post(
        reverse("imports:framework"),
        {"file": SimpleUploadedFile("skills.csv", data), "format": "skills"},
    )
    assert "token" in response.context, response.content.decode()[:500]
    return response.context["token"]


def test_a_catalogue_changed_after_the_preview_is_not_overwritten(hr):
    import_framework(SKILLS.read_bytes(), "skills.csv", format="skills")
    token = preview(hr, described("Mine, as I previewed it."))
    # A colleague imports another edition meanwhile.
    import_framework(described("A colleague's."), "skills.csv", format="skills")

    response = hr.post(reverse("imports:framework"), {"token": token}, follow=True)

    assert "the catalogue changed after you checked the file" in response.content.decode()
    assert Skill.objects.get(name="Release management").description == "A colleague's."


def test_an_unchanged_catalogue_takes_the_previewed_import(hr):
    import_framework(SKILLS.read_bytes(), "skills.csv", format="skills")
    token = preview(hr, described("Mine, as I previewed it."))

    response = hr.post(reverse("imports:framework"), {"token": token}, follow=True)

    assert "Framework imported" in response.content.decode()
    assert Skill.objects.get(name="Release management").description == "Mine, as I previewed it."
