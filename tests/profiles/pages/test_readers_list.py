"""Readers list, sort, filter and search by what the version in force says,
from columns kept in step with publishing: never a draft's words, never the
document's key names."""

import pytest
from django.db import connection
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


def skill_filter(client, skill):
    return titles(client.get(reverse("profiles:list"), {"skill": skill.pk}))


def test_readers_filter_by_a_skill_the_version_in_force_asks_for_though_its_draft_drops_it(
    staff, lead, draft
):
    """A draft's links are the draft's; readers are answered from the
    version in force, and a skill only the draft asks for is not offered."""
    from competency.models import Level
    from profiles.sections import BY_SLUG
    from tests import factories

    dropped = lead.skill_links.first().skill
    # Another profile's draft keeps the skill in use, so it may be offered.
    level = Level.objects.filter(framework=dropped.framework).first()
    drafts.add_item(profile=draft, section=BY_SLUG["skills"], item=dropped, level=level)
    lifecycle.start_draft(profile=lead)
    drafts.remove_item(
        profile=lead,
        section=BY_SLUG["skills"],
        link_id=lead.skill_links.get(skill=dropped).pk,
    )
    added = factories.SkillFactory(name="Draft only skill", category=dropped.category)
    drafts.add_item(profile=lead, section=BY_SLUG["skills"], item=added, level=level)

    assert skill_filter(staff, dropped) == ["Lead Data Engineer – Technical"]
    assert skill_filter(staff, added) == []
    menu = staff.get(reverse("profiles:list")).context["filters"].form.fields["skill"]
    offered = {choice.value for choice, _ in menu.choices if choice}
    assert dropped.pk in offered and added.pk not in offered


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite matches the name alone")
def test_a_skill_of_the_same_name_in_another_category_is_another_skill(staff, lead):
    from competency.models import Level
    from tests import factories

    asked = lead.skill_links.first().skill
    namesake = factories.SkillFactory(
        name=asked.name, category=factories.CategoryFactory(framework=asked.framework)
    )
    other = factories.RoleProfileFactory(title="Other Engineer")
    level = Level.objects.filter(framework=asked.framework).first()
    factories.ProfileSkillFactory(profile=other, skill=namesake, level=level)
    lifecycle.publish_profile(profile=other)
    lifecycle.start_draft(profile=lead)  # so its version's document is asked
    assert skill_filter(staff, asked) == ["Lead Data Engineer – Technical"]
    assert skill_filter(staff, namesake) == ["Other Engineer"]
