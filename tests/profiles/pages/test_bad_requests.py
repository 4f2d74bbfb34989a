"""Requests no page would send, answered with a message or a 404, never a
crash; and what a reader must never glimpse on the way."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import ProtectedError
from django.urls import reverse

from competency.models import Framework, KnowledgeItem, Skill
from profiles import drafts, lifecycle
from profiles.models import JobFamily, RoleProfile
from tests.cast import account

pytestmark = pytest.mark.django_db


@pytest.fixture
def editable(lead):
    lifecycle.start_draft(profile=lead)
    lead.refresh_from_db()
    return lead


def test_a_version_page_never_shows_a_readers_the_drafts_title(staff, lead):
    lifecycle.start_draft(profile=lead)
    values = drafts.field_values(lead)
    drafts.update_profile(
        profile=lead, values={**values, "title": "zzsecret draft title"}, base=values
    )
    page = staff.get(reverse("profiles:version", args=[lead.slug, 1])).content.decode()
    assert "zzsecret" not in page


def test_a_new_organisation_skill_cannot_be_written_on_the_add_page(hr, editable):
    response = hr.post(
        reverse("profiles:add", args=[editable.slug, "skills"]),
        {"action": "create", "title": "Made up", "details": "x"},
    )
    assert response.status_code == 400
    assert "come from their framework" in response.content.decode()
    assert not Skill.objects.filter(name="Made up").exists()


@pytest.mark.parametrize("huge", ["9" * 5000, "1e9", "٣"])
def test_numbers_no_page_would_send_find_nothing(hr, editable, huge):
    response = hr.post(
        reverse("profiles:add", args=[editable.slug, "knowledge"]), {"item": huge, "depth": ""}
    )
    assert response.status_code == 404
    download = hr.get(reverse("profiles:json", args=[editable.slug]), {"version": huge})
    assert download.status_code == 404


def test_a_search_longer_than_any_question_is_an_error_not_a_crash(staff, lead):
    response = staff.get(reverse("profiles:list"), {"q": "a " * 1100})
    assert response.status_code == 200
    assert response.context["entries"] == []
    assert "at most 200 characters" in response.content.decode()


def test_only_the_first_words_of_a_long_search_count(hr, editable):
    words = " ".join(["modelling"] + [f"w{n}" for n in range(60)])
    response = hr.get(reverse("profiles:add", args=[editable.slug, "knowledge"]), {"q": words})
    assert response.status_code == 200


@pytest.mark.parametrize("text", ["\\u0000", "\\ud800"])
def test_a_framework_json_with_a_character_no_database_stores(hr, text):
    document = (
        '{"schema": "framework/1", "name": "Acme", "levels": [{"rank": 1, "name": "One"}], '
        '"categories": [{"name": "Delivery", "skills": [{"name": "Bad' + text + '", '
        '"levels": []}]}]}'
    )
    json.loads(document)  # valid JSON, all the same
    response = hr.post(
        reverse("imports:framework"),
        {"file": SimpleUploadedFile("acme.json", document.encode()), "format": "json"},
    )
    assert "a character that cannot be stored" in response.content.decode()
    assert not Framework.objects.exists()


def test_two_job_family_names_that_slug_alike_both_import(ddat, tmp_path):
    from profiles.importing.batch import import_profiles
    from profiles.importing.parsing import read_profile

    def document(slug, family):
        return {
            "schema": "role-profile/1",
            "title": slug.title(),
            "slug": slug,
            "job_family": family,
            "summary": "Builds data systems.",
            "responsibilities": [],
            "background": [],
            "prior_knowledge": [],
            "work_activities": [],
            "knowledge_skills": [],
            "training": [],
            "pdas": [],
            "qualifications": [],
            "organisation_skills": [],
        }

    for slug, family in (("one", "Data Engineering"), ("two", "Data engineering")):
        source = read_profile(json.dumps(document(slug, family)).encode(), f"{slug}.json")
        import_profiles([source])
    assert sorted(JobFamily.objects.values_list("slug", flat=True)) == [
        "data-engineering",
        "data-engineering-2",
    ]
    assert RoleProfile.objects.get(slug="two").job_family.name == "Data engineering"


def test_whoever_published_a_version_cannot_be_deleted_from_under_it(lead):
    publisher = account("publisher", "HR")
    lifecycle.start_draft(profile=lead)
    values = drafts.field_values(lead)
    drafts.update_profile(profile=lead, values={**values, "variant": "Platform"}, base=values)
    lifecycle.publish_profile(profile=lead, user=publisher, change_note="Platform variant.")
    with pytest.raises(ProtectedError):
        publisher.delete()
    assert lead.versions.get(number=2).published_by == publisher


def test_a_catalogue_item_is_not_created_for_a_failed_add(hr, editable):
    before = KnowledgeItem.objects.count()
    response = hr.post(
        reverse("profiles:add", args=[editable.slug, "knowledge"]),
        {"action": "create", "title": "", "details": "x", "item_type": "technical"},
    )
    assert response.status_code == 400
    assert KnowledgeItem.objects.count() == before
