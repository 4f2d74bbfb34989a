"""Publishing asks what changed; the versions page and every reader see it,
and everyone signed in can read what changed in the version in force since
the one before it."""

import pytest
from django.urls import reverse

from profiles import drafts, lifecycle
from profiles.models import ProfileVersion
from tests.markup import parse, text

pytestmark = pytest.mark.django_db

NOTE = "Adds stream processing at Proficient."


def new_summary(profile, summary):
    lifecycle.start_draft(profile=profile)
    values = drafts.field_values(profile)
    drafts.update_profile(profile=profile, values={**values, "summary": summary}, base=values)


def publish_page(hr, profile):
    return hr.get(reverse("profiles:publish", args=[profile.slug]))


def test_publishing_without_a_note_is_refused_and_keeps_the_page(hr, lead):
    new_summary(lead, "A second summary.")
    page = publish_page(hr, lead)
    response = hr.post(
        reverse("profiles:publish", args=[lead.slug]),
        {"fingerprint": page.context["form"]["fingerprint"].value(), "change_note": "  "},
    )
    assert response.status_code == 400
    content = response.content.decode()
    assert "Say in a sentence or two what changed in this version" in content
    assert "<title>Error: " in content
    assert lead.versions.count() == 1


def test_a_note_too_long_is_refused_with_what_was_typed_kept(hr, lead):
    new_summary(lead, "A second summary.")
    page = publish_page(hr, lead)
    typed = "word " * 120
    response = hr.post(
        reverse("profiles:publish", args=[lead.slug]),
        {"fingerprint": page.context["form"]["fingerprint"].value(), "change_note": typed},
    )
    assert response.status_code == 400
    assert "Keep the note to 500 characters or fewer" in response.content.decode()
    assert typed.strip() in response.content.decode()
    assert lead.versions.count() == 1


def test_the_note_is_kept_with_the_version_and_shown_on_the_versions_page(hr, hr_user, lead):
    new_summary(lead, "A second summary.")
    page = publish_page(hr, lead)
    hr.post(
        reverse("profiles:publish", args=[lead.slug]),
        {"fingerprint": page.context["form"]["fingerprint"].value(), "change_note": NOTE},
    )
    version = ProfileVersion.objects.get(profile=lead, number=2)
    assert version.change_note == NOTE and version.published_by == hr_user
    assert NOTE in hr.get(reverse("profiles:versions", args=[lead.slug])).content.decode()


def test_readers_see_the_note_and_what_changed_since_the_version_before(staff, lead):
    new_summary(lead, "A second summary, now in force.")
    lifecycle.publish_profile(profile=lead, change_note=NOTE)
    detail = staff.get(reverse("profiles:detail", args=[lead.slug])).content.decode()
    assert NOTE in detail
    changes = staff.get(reverse("profiles:changes", args=[lead.slug]))
    content = changes.content.decode()
    assert changes.status_code == 200
    assert "What changed in version 2" in content and NOTE in content
    assert "Compared with version 1" in content
    assert "A second summary, now in force." in text(parse(changes), visible_only=True)


def test_the_first_version_says_there_is_nothing_before_it(staff, lead):
    content = staff.get(reverse("profiles:changes", args=[lead.slug])).content.decode()
    assert "first version: there is no earlier one" in content


def test_readers_never_see_a_drafts_changes(staff, lead):
    new_summary(lead, "zzsecret draft summary")
    content = staff.get(reverse("profiles:changes", args=[lead.slug])).content.decode()
    assert "zzsecret" not in content


def test_an_archived_or_unpublished_profile_has_no_changes_page(staff, archived, draft):
    for profile in (archived, draft):
        assert staff.get(reverse("profiles:changes", args=[profile.slug])).status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(client, lead):
    response = client.get(reverse("profiles:changes", args=[lead.slug]))
    assert response.status_code == 302 and "/sign-in/" in response["Location"]


def test_a_draft_changed_meanwhile_shows_the_page_again_with_the_note_kept(hr, lead):
    new_summary(lead, "A second summary.")
    page = publish_page(hr, lead)
    values = drafts.field_values(lead)  # a colleague edits meanwhile
    drafts.update_profile(profile=lead, values={**values, "variant": "Platform"}, base=values)
    response = hr.post(
        reverse("profiles:publish", args=[lead.slug]),
        {"fingerprint": page.context["form"]["fingerprint"].value(), "change_note": NOTE},
    )
    content = response.content.decode()
    assert "The draft changed while you were reading this page" in content
    assert NOTE in content  # what they wrote is still in the form
    assert "Platform" in content  # and the page now shows the colleague's change
    assert lead.versions.count() == 1
    # Confirming again, having seen it, publishes.
    hr.post(
        reverse("profiles:publish", args=[lead.slug]),
        {"fingerprint": response.context["form"]["fingerprint"].value(), "change_note": NOTE},
    )
    assert lead.versions.count() == 2
