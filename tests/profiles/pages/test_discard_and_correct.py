"""Throwing a draft away, and correcting one item's text within a profile."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from competency.models import KnowledgeItem, WorkActivity
from profiles import drafts, lifecycle
from profiles.diff import diff_documents
from profiles.documents import ChangedSinceConfirmed, document_fingerprint, profile_document
from profiles.models import RoleProfile
from profiles.sections import BY_SLUG
from tests import factories
from tests.markup import parse, text
from tests.profiles.pages.edit_form import form_fields, press

pytestmark = pytest.mark.django_db


@pytest.fixture
def editable(lead):
    lifecycle.start_draft(profile=lead)
    lead.refresh_from_db()
    return lead


def discard_url(profile):
    return reverse("profiles:discard", args=[profile.slug])


# --- Discard ---------------------------------------------------------------------


def test_discarding_a_draft_goes_back_to_the_version_in_force(hr, editable):
    link = editable.knowledge_links.get(item__title="Systems Thinking")
    press(hr, editable, f"remove:knowledge:{link.pk}", summary="A summary to throw away")
    page = hr.get(discard_url(editable))
    content = page.content.decode()
    assert "Discard this draft?" in content
    # What would be thrown away (its words marked as added since version 1).
    assert "A summary to throw away" in text(parse(page), visible_only=True)
    response = hr.post(discard_url(editable), form_fields(page))
    assert response.url == reverse("profiles:detail", args=[editable.slug])
    editable.refresh_from_db()
    assert editable.status == RoleProfile.Status.PUBLISHED
    assert editable.published_version.number == 1
    assert editable.versions.count() == 1
    # The content says exactly what version 1 says, Systems Thinking included.
    assert lifecycle.same_as_latest_version(editable)
    assert editable.knowledge_links.filter(item__title="Systems Thinking").exists()
    message = hr.get(response.url).content.decode()
    assert "Discarded the draft of ‘Lead Data Engineer – Technical’: it is version 1 again." in (
        message
    )


def test_a_draft_changed_after_the_confirmation_page_is_not_discarded(hr, editable):
    page = hr.get(discard_url(editable))
    press(hr, editable, summary="Written after the page was read")
    hr.post(discard_url(editable), form_fields(page))
    editable.refresh_from_db()
    assert editable.status == RoleProfile.Status.DRAFT
    assert editable.summary == "Written after the page was read"


def test_a_never_published_draft_cannot_be_discarded(hr, draft):
    page = hr.get(discard_url(draft))
    content = page.content.decode()
    assert "This draft cannot be discarded" in content
    assert "it has never been published. To withdraw it, archive it instead." in content
    assert "Discard this draft</button>" not in content
    response = hr.post(discard_url(draft), {"fingerprint": ""}, follow=True)
    assert "archive it instead" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == RoleProfile.Status.DRAFT
    with pytest.raises(ValidationError, match="archive it instead"):
        lifecycle.discard_draft(profile=draft)


def test_discard_is_offered_only_for_a_draft_with_a_version_in_force(hr, editable, draft):
    assert (
        discard_url(editable)
        in hr.get(reverse("profiles:edit", args=[editable.slug])).content.decode()
    )
    detail = hr.get(reverse("profiles:detail", args=[editable.slug])).content.decode()
    assert "Discard this draft</a>" in detail
    assert (
        discard_url(draft)
        not in hr.get(reverse("profiles:edit", args=[draft.slug])).content.decode()
    )
    assert (
        discard_url(draft)
        not in hr.get(reverse("profiles:detail", args=[draft.slug])).content.decode()
    )


def test_a_published_profile_has_no_draft_to_discard(hr, lead):
    response = hr.post(discard_url(lead), {"fingerprint": ""})
    assert response.status_code == 302
    lead.refresh_from_db()
    assert lead.status == RoleProfile.Status.PUBLISHED
    with pytest.raises(ValidationError, match="not a draft"):
        lifecycle.discard_draft(profile=lead)


@pytest.mark.parametrize("person", ["staff", "manager"])
def test_only_hr_may_discard(person, request, editable):
    client = request.getfixturevalue(person)
    assert client.get(discard_url(editable)).status_code == 403
    assert client.post(discard_url(editable), {"fingerprint": ""}).status_code == 403
    editable.refresh_from_db()
    assert editable.status == RoleProfile.Status.DRAFT


def test_discard_checks_what_was_confirmed_under_the_lock(editable):
    seen = document_fingerprint(profile_document(editable))
    drafts.update_profile(
        profile=editable,
        values={**drafts.field_values(editable), "variant": "Changed"},
        base=drafts.field_values(editable),
    )
    with pytest.raises(ChangedSinceConfirmed):
        lifecycle.discard_draft(profile=editable, confirmed=seen)
    editable.refresh_from_db()
    assert (editable.status, editable.variant) == ("draft", "Changed")


# --- Correct an item's text ------------------------------------------------------


def correct_url(profile, kind, link):
    return reverse("profiles:correct", args=[profile.slug, kind, link.pk])


def test_correcting_a_text_gives_this_profile_a_new_item_and_leaves_others_alone(hr, editable):
    link = editable.work_activity_links.get(activity__title="Data pipeline design")
    old = link.activity
    other = factories.RoleProfileFactory(title="Other profile", slug="other")
    factories.ProfileWorkActivityFactory(profile=other, activity=old)

    page = hr.get(correct_url(editable, "work-activities", link))
    data = form_fields(page)
    assert data["title"] == "Data pipeline design"
    assert data["details"].startswith("Designs pipelines that are observable")
    assert "1 other profile uses ‘Data pipeline design’" in page.content.decode()
    data["details"] = old.details + " changes."
    response = hr.post(correct_url(editable, "work-activities", link), data)
    assert response.url.endswith(f"#item-work-activities-{link.pk}")

    link.refresh_from_db()
    assert link.activity != old
    assert link.activity.details.endswith("has to changes.")
    assert link.position == 0  # the same place
    old.refresh_from_db()
    assert old.details.endswith("has to")  # untouched for the other profile
    assert other.work_activity_links.get().activity == old


def test_correcting_keeps_the_depth_and_reuses_an_existing_item(hr, editable):
    link = editable.knowledge_links.get(item__title="Data Modelling")
    existing = factories.KnowledgeItemFactory(
        title="Data Modeling", details=link.item.details, kind="technical"
    )
    data = form_fields(hr.get(correct_url(editable, "knowledge", link)))
    data["title"] = "Data Modeling"
    hr.post(correct_url(editable, "knowledge", link), data)
    link.refresh_from_db()
    assert (link.item, link.depth, link.position) == (existing, "expert", 2)
    assert KnowledgeItem.objects.filter(title="Data Modeling").count() == 1


def test_correcting_to_an_item_already_in_the_profile_is_refused(hr, editable):
    first, second = editable.work_activity_links.order_by("position")
    data = form_fields(hr.get(correct_url(editable, "work-activities", first)))
    data.update(title=second.activity.title, details=second.activity.details)
    response = hr.post(correct_url(editable, "work-activities", first), data)
    assert response.status_code == 400
    assert "‘Design reviews’ is already in this profile&#x27;s work activities." in (
        response.content.decode()
    )
    first.refresh_from_db()
    assert first.activity.title == "Data pipeline design"


def test_a_correction_with_an_error_keeps_what_was_typed_and_writes_nothing(hr, editable):
    link = editable.work_activity_links.get(activity__title="Data pipeline design")
    before = WorkActivity.objects.count()
    data = form_fields(hr.get(correct_url(editable, "work-activities", link)))
    data.update(title="", details="Typed details I want back")
    response = hr.post(correct_url(editable, "work-activities", link), data)
    assert response.status_code == 400
    assert "Typed details I want back" in response.content.decode()
    assert WorkActivity.objects.count() == before


def test_a_correction_made_meanwhile_is_not_overwritten(hr, editable):
    link = editable.training_links.get()
    page = hr.get(correct_url(editable, "training", link))
    drafts.correct_item(
        profile=editable,
        section=BY_SLUG["training"],
        link_id=link.pk,
        seen=link.training_id,
        title="Distributed Systems",
        details="A colleague's correction.",
    )
    data = form_fields(page)
    data["details"] = "My correction."
    response = hr.post(correct_url(editable, "training", link), data)
    assert response.status_code == 400
    assert "nothing was overwritten" in response.content.decode()
    link.refresh_from_db()
    assert link.training.details == "A colleague's correction."


def test_skills_are_corrected_by_their_framework_not_here(hr, editable):
    link = editable.skill_links.first()
    assert hr.get(correct_url(editable, "skills", link)).status_code == 404


@pytest.mark.parametrize("person", ["staff", "manager"])
def test_only_hr_may_correct_a_text(person, request, editable):
    client = request.getfixturevalue(person)
    link = editable.training_links.get()
    url = correct_url(editable, "training", link)
    assert client.get(url).status_code == 403
    assert client.post(url, {"title": "Hacked", "seen": link.training_id}).status_code == 403
    link.refresh_from_db()
    assert link.training.title == "Distributed Systems"


# --- Order changes in a diff -------------------------------------------------------


def test_the_diff_names_moved_items_and_nothing_else_changes(editable):
    before = profile_document(editable)
    link = editable.knowledge_links.get(item__title="Stream Processing")
    drafts.move_item_to(profile=editable, section=BY_SLUG["knowledge"], link_id=link.pk, to=1)
    after = profile_document(editable)
    knowledge = diff_documents(before, after).sections[1]
    assert knowledge.moved == [("Stream Processing", 4, 1)]
    assert (knowledge.added, knowledge.removed, knowledge.changed) == ([], [], [])
    assert knowledge.same == 4  # the moved one is listed, not counted with these
    assert diff_documents(before, after).has_changes
    # Two different profiles' orders mean nothing: a comparison leaves them out.
    assert not diff_documents(before, after, moves=False).has_changes


def test_comparing_two_profiles_does_not_report_order(hr, editable):
    # Another profile with the same knowledge items, in the original order.
    other = factories.RoleProfileFactory(slug="copy")
    for position, link in enumerate(editable.knowledge_links.order_by("position")):
        factories.ProfileKnowledgeFactory(
            profile=other, item=link.item, depth=link.depth, position=position
        )
    link = editable.knowledge_links.get(item__title="Stream Processing")
    drafts.move_item_to(profile=editable, section=BY_SLUG["knowledge"], link_id=link.pk, to=1)
    response = hr.get(reverse("profiles:compare"), {"a": editable.slug, "b": other.slug})
    knowledge = response.context["comparison"].sections[1]
    assert knowledge.same == 5
    assert knowledge.moved == []
    assert "moved from" not in response.content.decode()
