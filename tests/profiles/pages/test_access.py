"""Who may see and do what: the denials as carefully as the successes."""

import pytest
from django.urls import reverse

from profiles import drafts, lifecycle
from tests import factories
from tests.cast import client_as

pytestmark = pytest.mark.django_db

HR_ONLY = [
    ("profiles:edit", True),
    ("profiles:publish", True),
    ("profiles:archive", True),
    ("profiles:versions", True),
    ("profiles:audit", True),
    ("profiles:add", "knowledge"),
]


def url(name, slug, extra=None):
    if extra is True or extra is None:
        return reverse(name, args=[slug])
    return reverse(name, args=[slug, extra])


def test_anonymous_visitors_are_sent_to_sign_in(client, lead):
    for path in [
        reverse("profiles:list"),
        reverse("profiles:detail", args=[lead.slug]),
        reverse("profiles:json", args=[lead.slug]),
        reverse("profiles:compare"),
        reverse("imports:profile"),
        *(url(name, lead.slug, extra) for name, extra in HR_ONLY),
    ]:
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith(reverse("login")), path


@pytest.mark.parametrize("name, extra", HR_ONLY)
def test_staff_are_refused_hr_pages(staff, lead, name, extra):
    assert staff.get(url(name, lead.slug, extra)).status_code == 403


def test_staff_cannot_post_changes_either(staff, lead):
    before = lead.versions.count()
    assert staff.post(reverse("profiles:publish", args=[lead.slug])).status_code == 403
    assert staff.post(reverse("profiles:new_draft", args=[lead.slug])).status_code == 403
    assert staff.post(reverse("profiles:archive", args=[lead.slug])).status_code == 403
    assert staff.post(reverse("imports:profile")).status_code == 403
    lead.refresh_from_db()
    assert (lead.status, lead.versions.count()) == ("published", before)


def test_staff_see_published_profiles_only(staff, lead, draft, archived):
    response = staff.get(reverse("profiles:list"))
    titles = [entry["title"] for entry in response.context["entries"]]
    assert titles == ["Lead Data Engineer – Technical"]
    assert staff.get(reverse("profiles:detail", args=[draft.slug])).status_code == 404
    assert staff.get(reverse("profiles:detail", args=[archived.slug])).status_code == 404
    assert staff.get(reverse("profiles:json", args=[draft.slug])).status_code == 404


def test_a_manager_reads_the_published_version_not_the_draft(manager, lead, hr_user):
    lifecycle.start_draft(profile=lead)
    drafts.update_profile(
        profile=lead,
        values={**drafts.field_values(lead), "title": "Renamed in the draft"},
        base=drafts.field_values(lead),
    )
    response = manager.get(reverse("profiles:detail", args=[lead.slug]))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Lead Data Engineer – Technical" in content
    assert "Renamed in the draft" not in content
    assert "Edit draft" not in content


def test_readers_see_only_the_version_in_force(manager, lead, tmp_path):
    lifecycle.start_draft(profile=lead)
    drafts.update_profile(
        profile=lead,
        values={**drafts.field_values(lead), "summary": "New summary."},
        base=drafts.field_values(lead),
    )
    lifecycle.publish_profile(profile=lead)
    assert manager.get(reverse("profiles:version", args=[lead.slug, 2])).status_code == 200
    assert manager.get(reverse("profiles:version", args=[lead.slug, 1])).status_code == 404
    assert manager.get(reverse("profiles:json", args=[lead.slug]) + "?version=1").status_code == 404


def test_comparing_with_a_profile_you_cannot_see_is_404(staff, lead, draft, archived):
    compare = reverse("profiles:compare")
    for hidden in (draft, archived):
        assert staff.get(compare, {"a": lead.slug, "b": hidden.slug}).status_code == 404
        assert staff.get(compare, {"a": hidden.slug}).status_code == 404
        assert staff.get(compare, {"b": hidden.slug, "qa": "lead"}).status_code == 404
    # Nor can it be found to be chosen: a search finds only versions in force.
    found = staff.get(compare, {"qa": "e"})
    assert [match["slug"] for match in found.context["sides"][0]["matches"]] == [lead.slug]


def test_hr_see_every_profile_and_its_status(hr, lead, draft, archived):
    response = hr.get(reverse("profiles:list"))
    assert {p.slug for p in response.context["page_obj"]} == {lead.slug, draft.slug, archived.slug}
    for profile in (lead, draft, archived):
        assert hr.get(reverse("profiles:detail", args=[profile.slug])).status_code == 200


def test_staff_see_no_links_to_hr_pages(staff, lead):
    content = staff.get(reverse("profiles:detail", args=[lead.slug])).content.decode()
    for hr_link in (
        reverse("catalogue:index"),
        reverse("imports:profile"),
        reverse("profiles:edit", args=[lead.slug]),
    ):
        assert f'href="{hr_link}"' not in content


def test_a_refusal_is_a_page_of_the_service_with_a_way_back(staff, lead):
    response = staff.get(reverse("profiles:edit", args=[lead.slug]))
    assert response.status_code == 403
    content = response.content.decode()
    assert "You do not have permission to see this page" in content
    assert f'href="{reverse("profiles:list")}"' in content


def draft_with_secrets(profile):
    """HR start a new draft and write something not yet for everyone."""
    lifecycle.start_draft(profile=profile)
    values = drafts.field_values(profile)
    drafts.update_profile(
        profile=profile,
        values={**values, "title": "Secret new title", "summary": "zzsecretword plans"},
        base=values,
    )


def test_readers_never_see_a_drafts_text_in_lists_searches_or_comparisons(staff, lead):
    draft_with_secrets(lead)
    listing = staff.get(reverse("profiles:list")).content.decode()
    assert "Lead Data Engineer – Technical" in listing
    assert "Secret new title" not in listing and "zzsecretword" not in listing
    found = staff.get(reverse("profiles:list"), {"q": "zzsecretword"})
    assert found.context["entries"] == []
    # The published text is still found.
    found = staff.get(reverse("profiles:list"), {"q": "metadata"})
    assert [entry["title"] for entry in found.context["entries"]] == [
        "Lead Data Engineer – Technical"
    ]
    compare = staff.get(reverse("profiles:compare"), {"a": lead.slug, "qb": "lead"})
    assert "Secret new title" not in compare.content.decode()
    assert compare.context["sides"][1]["matches"][0]["title"] == "Lead Data Engineer – Technical"
    assert not staff.get(reverse("profiles:compare"), {"qb": "zzsecretword"}).context["sides"][1][
        "matches"
    ]
    detail = staff.get(reverse("profiles:detail", args=[lead.slug])).content.decode()
    assert "zzsecretword" not in detail


def test_readers_filter_by_what_the_published_version_says(staff, lead):
    family = factories.JobFamilyFactory(name="Data", slug="data")
    draft_with_secrets(lead)
    lead.job_family = family  # only in the draft
    lead.save()
    found = staff.get(reverse("profiles:list"), {"job_family": "data"})
    assert found.context["entries"] == []
    found = staff.get(reverse("profiles:list"), {"role_level": "Lead", "sort": "family"})
    assert len(found.context["entries"]) == 1
    skill = lead.skill_links.first().skill
    found = staff.get(reverse("profiles:list"), {"skill": skill.pk})
    assert len(found.context["entries"]) == 1


def test_an_archived_profile_stays_hidden_while_a_new_draft_is_prepared(staff, lead):
    lifecycle.archive_profile(profile=lead)
    lifecycle.start_draft(profile=lead)
    assert staff.get(reverse("profiles:detail", args=[lead.slug])).status_code == 404
    assert staff.get(reverse("profiles:list")).context["entries"] == []
    values = drafts.field_values(lead)
    drafts.update_profile(profile=lead, values={**values, "variant": "Platform"}, base=values)
    lifecycle.publish_profile(profile=lead)
    assert staff.get(reverse("profiles:detail", args=[lead.slug])).status_code == 200


def test_readers_menus_offer_only_what_versions_in_force_use(staff, hr_user, lead):
    """A job family or skill that only a draft uses is not named to readers."""
    from competency.models import Level
    from profiles.sections import BY_SLUG

    hr = client_as(hr_user)
    published_skills = {link.skill.pk for link in lead.skill_links.all()}
    lifecycle.start_draft(profile=lead)
    family = factories.JobFamilyFactory(name="DRAFTONLYFAMILY", slug="draftonlyfamily")
    values = drafts.field_values(lead)
    drafts.update_profile(profile=lead, values={**values, "job_family": family.pk}, base=values)
    draft_skill = factories.SkillFactory(
        name="DRAFTONLYSKILL", category__framework=lead.skill_links.first().skill.framework
    )
    level = Level.objects.filter(framework=draft_skill.framework).first()
    drafts.add_item(profile=lead, section=BY_SLUG["skills"], item=draft_skill, level=level)

    menus = staff.get(reverse("profiles:list")).context["filters"].form
    family_choices = [label for _, label in menus.fields["job_family"].choices]
    skill_choices = {value.value for value, _ in menus.fields["skill"].choices if value}
    assert "DRAFTONLYFAMILY" not in family_choices
    assert skill_choices == published_skills
    page = staff.get(reverse("profiles:list")).content.decode()
    assert "DRAFTONLYFAMILY" not in page and "DRAFTONLYSKILL" not in page

    # HR search the working copies, so their menus name both.
    hr_page = hr.get(reverse("profiles:list")).content.decode()
    assert "DRAFTONLYFAMILY" in hr_page and "DRAFTONLYSKILL" in hr_page
