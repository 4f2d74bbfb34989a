"""A published version's body is drawn once and kept; a draft's never."""

import pytest
from django.urls import reverse

from profiles import drafts, lifecycle
from profiles.rendering import TEMPLATE, document_body
from tests.cast import account, client_as

pytestmark = pytest.mark.django_db


def test_a_versions_body_is_kept_and_is_what_drawing_it_gives(lead):
    from django.template.loader import render_to_string

    version = lead.published_version
    drawn = render_to_string(TEMPLATE, {"document": version.document})
    assert document_body(version.document, version) == drawn
    # Kept: a second call draws nothing (the document given is not read).
    assert document_body({"never": "read"}, version) == drawn


def test_each_version_has_its_own_body_and_a_draft_is_never_kept(hr, lead):
    staff = client_as(account("sam", "Staff"))
    first = staff.get(reverse("profiles:detail", args=[lead.slug])).content.decode()
    lifecycle.start_draft(profile=lead)
    values = drafts.field_values(lead)
    drafts.update_profile(
        profile=lead, values={**values, "summary": "A newer summary."}, base=values
    )
    assert "A newer summary." not in first
    # HR read the draft as it is now, each time.
    draft = hr.get(reverse("profiles:detail", args=[lead.slug])).content.decode()
    assert "A newer summary." in draft
    lifecycle.publish_profile(profile=lead)
    assert "A newer summary." in (
        hr.get(reverse("profiles:detail", args=[lead.slug])).content.decode()
    )
    assert "A newer summary." not in (
        hr.get(reverse("profiles:version", args=[lead.slug, 1])).content.decode()
    )
    # Readers move on to the new version in force.
    assert "A newer summary." in (
        staff.get(reverse("profiles:detail", args=[lead.slug])).content.decode()
    )
