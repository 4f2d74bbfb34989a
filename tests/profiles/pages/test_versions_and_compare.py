"""Publishing, archiving, new drafts, differences and comparisons."""

import pytest
from django.urls import reverse

from profiles import drafts, lifecycle
from profiles.models import RoleProfile
from profiles.sections import BY_SLUG
from tests import factories
from tests.paths import DATA
from tests.profiles.helpers import run

pytestmark = pytest.mark.django_db


def change_depth(profile, title, depth):
    link = profile.knowledge_links.get(item__title=title)
    drafts.change_item(profile=profile, section=BY_SLUG["knowledge"], link_id=link.pk, depth=depth)


def confirm_publish(hr, profile):
    """Open the confirmation page, then confirm what it showed."""
    page = hr.get(reverse("profiles:publish", args=[profile.slug]))
    return hr.post(
        reverse("profiles:publish", args=[profile.slug]),
        {
            "fingerprint": page.context["form"]["fingerprint"].value(),
            "change_note": "Data Modelling is now needed at Proficient.",
        },
        follow=True,
    )


def test_publishing_asks_first_then_makes_the_next_version(hr, hr_user, lead):
    lifecycle.start_draft(profile=lead)
    change_depth(lead, "Data Modelling", "proficient")
    page = hr.get(reverse("profiles:publish", args=[lead.slug]))
    content = page.content.decode()
    assert "Publish version 2?" in content
    assert "Data Modelling" in content and "Proficient in" in content
    response = confirm_publish(hr, lead)
    assert "Published ‘Lead Data Engineer – Technical’ as version 2." in (response.content.decode())
    version = lead.versions.get(number=2)
    assert version.published_by == hr_user
    assert RoleProfile.objects.get(pk=lead.pk).status == "published"


def test_publishing_an_unchanged_draft_says_there_is_nothing_new(hr, lead):
    lifecycle.start_draft(profile=lead)
    response = confirm_publish(hr, lead)
    assert "Nothing has changed since version 1" in response.content.decode()
    assert lead.versions.count() == 1


def test_a_draft_changed_after_the_confirmation_page_is_not_published(hr, lead):
    lifecycle.start_draft(profile=lead)
    change_depth(lead, "Data Modelling", "proficient")
    page = hr.get(reverse("profiles:publish", args=[lead.slug]))
    change_depth(lead, "Stream Processing", "aware")  # someone else, meanwhile
    response = hr.post(
        reverse("profiles:publish", args=[lead.slug]),
        {"fingerprint": page.context["form"]["fingerprint"].value(), "change_note": "Depths."},
        follow=True,
    )
    assert "The draft changed while you were reading this page" in response.content.decode()
    assert lead.versions.count() == 1


def test_archiving_and_starting_a_new_draft(hr, lead):
    assert (
        "Archive this profile?"
        in hr.get(reverse("profiles:archive", args=[lead.slug])).content.decode()
    )
    hr.post(reverse("profiles:archive", args=[lead.slug]))
    assert RoleProfile.objects.get(pk=lead.pk).status == "archived"
    response = hr.post(reverse("profiles:new_draft", args=[lead.slug]), follow=True)
    assert "Started a new draft from the published profile." in response.content.decode()
    assert RoleProfile.objects.get(pk=lead.pk).status == "draft"


def test_a_new_draft_from_an_old_version(hr, lead):
    lifecycle.start_draft(profile=lead)
    change_depth(lead, "Data Modelling", "aware")
    lifecycle.publish_profile(profile=lead)
    hr.post(reverse("profiles:new_draft", args=[lead.slug]), {"version": "1"})
    assert lead.knowledge_links.get(item__title="Data Modelling").depth == "expert"
    assert (
        hr.post(reverse("profiles:new_draft", args=[lead.slug]), {"version": "9"}).status_code
        == 404
    )


def test_the_diff_between_versions_names_what_changed(hr, lead):
    lifecycle.start_draft(profile=lead)
    change_depth(lead, "Data Modelling", "proficient")
    drafts.remove_item(
        profile=lead, section=BY_SLUG["training"], link_id=lead.training_links.get().pk
    )
    lifecycle.publish_profile(profile=lead)
    response = hr.get(reverse("profiles:versions", args=[lead.slug]), {"from": 1, "to": 2})
    comparison = response.context["comparison"]
    knowledge = next(s for s in comparison.sections if s.key == "knowledge_skills")
    assert [(c.label, c.before, c.after, c.direction) for c in knowledge.changed] == [
        ("Data Modelling", "Expert in", "Proficient in", -1)
    ]
    training = next(s for s in comparison.sections if s.key == "training")
    assert training.removed == [("Distributed Systems", "")]
    content = response.content.decode()
    assert "Version 1 compared with version 2" in content
    assert (
        hr.get(reverse("profiles:versions", args=[lead.slug]), {"from": 1, "to": 7}).status_code
        == 404
    )


def test_comparing_two_profiles_shows_what_to_grow_into(staff, lead, tmp_path):
    principal = tmp_path / "principal.txt"
    principal.write_text(
        (DATA / "lead-data-engineer-technical.txt")
        .read_text(encoding="utf-8")
        .replace("Lead Data Engineer – Technical", "Principal Data Engineer")
        .replace("2 – Working", "3 – Practitioner")
        .replace("Conference Talk", "Keynote"),
        encoding="utf-8",
    )
    run("import_profile", str(principal), "--publish")
    response = staff.get(
        reverse("profiles:compare"), {"a": lead.slug, "b": "principal-data-engineer"}
    )
    comparison = response.context["comparison"]
    skills = next(s for s in comparison.sections if s.key == "organisation_skills")
    assert [(c.label, c.before, c.after, c.direction) for c in skills.changed] == [
        ("Metadata management", "2 – Working", "3 – Practitioner", 1)
    ]
    pdas = next(s for s in comparison.sections if s.key == "pdas")
    assert pdas.added == [("Keynote", "")] and pdas.removed == [("Conference Talk", "")]
    assert "higher" in response.content.decode()


def test_a_new_draft_from_an_old_version_leaves_shared_framework_text_alone(hr, lead):
    from competency.models import Skill

    skill = Skill.objects.get(name="Metadata management")
    skill.description = "Today's wording of the framework."
    skill.save()
    hr.post(reverse("profiles:new_draft", args=[lead.slug]), {"version": "1"})
    skill.refresh_from_db()
    assert skill.description == "Today's wording of the framework."


def test_a_changed_credit_line_is_a_difference(lead):
    from profiles.diff import diff_documents

    document = lead.versions.get().document
    changed = {**document, "source": "Another credit line."}
    fields = [change.label for change in diff_documents(document, changed).fields]
    assert fields == ["Credit line"]


def test_each_side_is_chosen_from_a_search_keeping_the_other_side(staff, lead, tmp_path):
    principal = tmp_path / "principal.txt"
    principal.write_text(
        (DATA / "lead-data-engineer-technical.txt")
        .read_text(encoding="utf-8")
        .replace("Lead Data Engineer – Technical", "Principal Data Engineer"),
        encoding="utf-8",
    )
    run("import_profile", str(principal), "--publish")
    compare = reverse("profiles:compare")
    # No menu of every profile: nothing is listed before a search.
    first = staff.get(compare, {"a": lead.slug})
    content = first.content.decode()
    assert "<select" not in content and "Principal Data Engineer" not in content
    assert first.context["sides"][0]["profile"]["title"] == "Lead Data Engineer – Technical"
    assert "comparison" not in first.context
    # Searching the second side keeps the first choice, and lists matches
    # each with a link that chooses it.
    found = staff.get(compare, {"a": lead.slug, "qb": "principal"})
    side = found.context["sides"][1]
    assert [match["title"] for match in side["matches"]] == ["Principal Data Engineer"]
    assert side["matches"][0]["choose"] == f"{compare}?a={lead.slug}&b=principal-data-engineer"
    assert f'<input type="hidden" name="a" value="{lead.slug}">' in found.content.decode()
    chosen = staff.get(side["matches"][0]["choose"])
    assert chosen.context["comparison"] is not None
    assert "Lead Data Engineer – Technical compared with Principal Data Engineer" in (
        chosen.content.decode()
    )
    # Searching the first side again keeps the second choice and its search.
    again = staff.get(compare, {"a": lead.slug, "qa": "engineer", "b": "principal-data-engineer"})
    side = again.context["sides"][0]
    assert {match["slug"] for match in side["matches"]} == {lead.slug, "principal-data-engineer"}
    principal_link = next(m for m in side["matches"] if m["slug"] == "principal-data-engineer")
    assert principal_link["choose"] == (
        f"{compare}?a=principal-data-engineer&b=principal-data-engineer"
    )


def test_a_side_lists_a_few_matches_and_says_when_more_match(hr):
    from profiles.views.reading import MATCHES_SHOWN

    for number in range(MATCHES_SHOWN + 1):
        factories.RoleProfileFactory(title=f"Analyst {number:02}", slug=f"analyst-{number:02}")
    found = hr.get(reverse("profiles:compare"), {"qa": "analyst"})
    side = found.context["sides"][0]
    assert len(side["matches"]) == MATCHES_SHOWN and side["more"]
    assert "More profiles match" in found.content.decode()
    assert hr.get(reverse("profiles:compare"), {"qa": "zzz"}).context["sides"][0]["matches"] == []


def test_a_search_too_long_is_an_error_on_its_side(hr):
    response = hr.get(reverse("profiles:compare"), {"qb": "x" * 201})
    assert response.context["sides"][1]["errors"]
    content = response.content.decode()
    assert "There is a problem" in content and 'href="#qb"' in content


@pytest.mark.parametrize("count", [2, 45])
def test_the_versions_page_reads_a_page_of_versions_and_two_documents(
    hr, count, django_assert_num_queries
):
    profile = factories.RoleProfileFactory(title="Versioned", slug="versioned")
    for number in range(count):
        if number:
            lifecycle.start_draft(profile=profile)
            RoleProfile.objects.filter(pk=profile.pk).update(summary=f"Summary {number}.")
            profile.refresh_from_db()
        lifecycle.publish_profile(profile=profile)
    url = reverse("profiles:versions", args=[profile.slug])
    with django_assert_num_queries(8):
        response = hr.get(url)
    shown = list(response.context["page_obj"])
    assert [version.number for version in shown] == list(range(count, max(count - 20, 0), -1))
    # The list reads no document; the differences shown are the last two's.
    assert all("document" in version.get_deferred_fields() for version in shown)
    assert f"Version {count - 1} compared with version {count}" in response.content.decode()
    if count > 20:
        second = hr.get(url, {"page": 2, "from": "1", "to": "3"})
        assert [version.number for version in second.context["page_obj"]] == list(
            range(count - 20, count - 40, -1)
        )
        assert "Version 1 compared with version 3" in second.content.decode()
