"""Readers list, sort, filter and search by what the version in force says,
from columns kept in step with publishing: never a draft's words, never the
document's key names."""

import pytest
from django.urls import reverse

from profiles import drafts, lifecycle
from profiles.models import RoleProfile

pytestmark = pytest.mark.django_db


def titles(response):
    return [entry["title"] for entry in response.context["entries"]]


@pytest.mark.parametrize(
    "key", ["level_description", "awarding_body", "schema", "organisation_skills", "depth"]
)
def test_a_search_for_a_key_of_the_json_finds_nothing(staff, lead, key):
    assert titles(staff.get(reverse("profiles:list"), {"q": key})) == []


def test_a_search_finds_the_words_of_the_version_in_force(staff, lead):
    for words in ("metadata", "Stream Processing", "Lead Data"):
        assert titles(staff.get(reverse("profiles:list"), {"q": words})) == [
            "Lead Data Engineer – Technical"
        ]


def test_the_columns_follow_publishing_archiving_and_new_drafts(staff, lead):
    lifecycle.start_draft(profile=lead)
    values = drafts.field_values(lead)
    drafts.update_profile(
        profile=lead,
        values={**values, "title": "Lead Data Engineer – Platform", "summary": "zzdraftword"},
        base=values,
    )
    # The draft changes nothing readers list or find.
    lead.refresh_from_db()
    assert lead.published_title == "Lead Data Engineer – Technical"
    assert titles(staff.get(reverse("profiles:list"), {"q": "zzdraftword"})) == []

    lifecycle.publish_profile(profile=lead, change_note="Renamed.")
    lead.refresh_from_db()
    assert lead.published_title == "Lead Data Engineer – Platform"
    assert lead.published_at == lead.published_version.published_at
    assert titles(staff.get(reverse("profiles:list"), {"q": "zzdraftword"})) == [
        "Lead Data Engineer – Platform"
    ]

    lifecycle.archive_profile(profile=lead)
    lead.refresh_from_db()
    assert (lead.published_title, lead.published_text, lead.published_at) == ("", "", None)
    assert titles(staff.get(reverse("profiles:list"))) == []


def test_readers_sort_by_the_titles_in_force(staff, lead, ddat):
    from tests import factories

    other = factories.RoleProfileFactory(title="Apprentice Analyst")
    lifecycle.publish_profile(profile=other)
    lifecycle.start_draft(profile=other)
    values = drafts.field_values(other)
    # Only in the draft: it must not move the profile in readers' order.
    drafts.update_profile(profile=other, values={**values, "title": "Zed Analyst"}, base=values)
    assert titles(staff.get(reverse("profiles:list"), {"sort": "title"})) == [
        "Apprentice Analyst",
        "Lead Data Engineer – Technical",
    ]
    assert RoleProfile.objects.get(pk=other.pk).title == "Zed Analyst"
