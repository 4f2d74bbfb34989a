"""Editing a draft in the browser: texts, items, and no lost edits."""

import pytest
from django.urls import reverse

from competency.models import KnowledgeItem
from profiles import drafts, lifecycle
from profiles.models import RoleProfile
from profiles.sections import BY_SLUG
from tests import factories
from tests.profiles.pages.edit_form import press

pytestmark = pytest.mark.django_db


def edit_url(profile):
    return reverse("profiles:edit", args=[profile.slug])


def form_data(response):
    """The edit form as the browser would post it back."""
    form = response.context["form"]
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name)
        data[name] = field.prepare_value(value) if hasattr(field, "prepare_value") else value
        if data[name] is None:
            data[name] = ""
    return data


@pytest.fixture
def editable(lead):
    lifecycle.start_draft(profile=lead)
    lead.refresh_from_db()
    return lead


def test_saving_the_texts_of_a_draft(hr, editable):
    data = form_data(hr.get(edit_url(editable)))
    data.update(
        title="Lead Data Engineer",
        responsibilities="own the data platform\n\nmentor engineers\n",
        background="First paragraph\ncontinues here.\n\nSecond paragraph.",
    )
    response = hr.post(edit_url(editable), data, follow=True)
    assert "Your changes to the draft were saved." in response.content.decode()
    editable.refresh_from_db()
    assert editable.title == "Lead Data Engineer"
    assert editable.responsibilities == ["own the data platform", "mentor engineers"]
    assert editable.background == ["First paragraph continues here.", "Second paragraph."]


def test_a_validation_error_keeps_what_was_typed(hr, editable):
    data = form_data(hr.get(edit_url(editable)))
    data.update(title="", variant="Something I typed", summary="My new summary")
    response = hr.post(edit_url(editable), data)
    assert response.status_code == 400
    content = response.content.decode()
    assert "There is a problem" in content
    assert '<a href="#id_title">Enter a title</a>' in content
    assert 'value="Something I typed"' in content
    assert "My new summary" in content
    editable.refresh_from_db()
    assert editable.title == "Lead Data Engineer – Technical"


def test_a_second_save_never_silently_overwrites_the_first(hr, editable, client):
    # Two HR officers open the same draft.
    first = form_data(hr.get(edit_url(editable)))
    second = dict(first)

    first["summary"] = "The first officer's summary."
    hr.post(edit_url(editable), first)

    second["summary"] = "The second officer's summary."
    response = hr.post(edit_url(editable), second)
    assert response.status_code == 409
    content = response.content.decode()
    assert "Your changes were not saved" in content
    assert "The first officer&#x27;s summary." in content  # what changed meanwhile
    assert "The second officer&#x27;s summary." in content  # what they typed, kept
    editable.refresh_from_db()
    assert editable.summary == "The first officer's summary."

    # Having seen the other change, they may save theirs deliberately.
    again = {**second, "base": response.context["form"].data["base"]}
    hr.post(edit_url(editable), again)
    editable.refresh_from_db()
    assert editable.summary == "The second officer's summary."


def test_changes_to_different_fields_are_both_kept(hr, editable):
    first = form_data(hr.get(edit_url(editable)))
    second = dict(first)
    first["variant"] = "Platform"
    hr.post(edit_url(editable), first)
    second["summary"] = "A new summary."
    assert hr.post(edit_url(editable), second).status_code == 302
    editable.refresh_from_db()
    assert (editable.variant, editable.summary) == ("Platform", "A new summary.")


def test_a_tampered_base_is_refused(hr, editable):
    data = form_data(hr.get(edit_url(editable)))
    data["base"] = "not-a-signed-value"
    assert hr.post(edit_url(editable), data).status_code == 400


def test_a_published_profile_is_not_edited_but_redirected(hr, lead):
    response = hr.get(edit_url(lead), follow=True)
    assert "Start a new draft to change it" in response.content.decode()
    link = lead.work_activity_links.first()
    response = hr.post(edit_url(lead), {"item-action": f"remove:work-activities:{link.pk}"})
    assert response.status_code == 400
    assert lead.work_activity_links.count() == 2


def test_adding_a_catalogue_item_with_a_depth(hr, editable):
    item = factories.KnowledgeItemFactory(title="Apache Kafka")
    page = hr.get(reverse("profiles:add", args=[editable.slug, "knowledge"]), {"q": "kafka"})
    assert [found.title for found in page.context["page_obj"]] == ["Apache Kafka"]
    hr.post(
        reverse("profiles:add", args=[editable.slug, "knowledge"]),
        {"item": item.pk, "depth": "proficient"},
    )
    link = editable.knowledge_links.get(item=item)
    assert (link.depth, link.position) == ("proficient", 5)


def test_adding_an_item_twice_is_an_error(hr, editable):
    existing = editable.work_activity_links.first().activity
    response = hr.post(
        reverse("profiles:add", args=[editable.slug, "work-activities"]), {"item": existing.pk}
    )
    assert response.status_code == 400
    assert "is already in this profile" in response.content.decode()
    assert editable.work_activity_links.count() == 2


def test_adding_a_skill_at_a_level_of_another_framework_is_refused(hr, editable):
    skill = factories.SkillFactory(category=editable.skill_links.first().skill.category)
    foreign = factories.LevelFactory(name="Elsewhere")
    response = hr.post(
        reverse("profiles:add", args=[editable.slug, "skills"]),
        {"item": skill.pk, "level": foreign.pk},
    )
    assert response.status_code == 400
    assert "is not a level of the DDaT framework" in response.content.decode()
    assert not editable.skill_links.filter(skill=skill).exists()


def test_creating_a_new_catalogue_item_keeps_input_on_error(hr, editable):
    url = reverse("profiles:add", args=[editable.slug, "knowledge"])
    response = hr.post(
        url,
        {
            "action": "create",
            "title": "",
            "details": "Typed details",
            "item_type": "technical",
            "depth": "aware",
        },
    )
    assert response.status_code == 400
    assert "Enter a title" in response.content.decode()
    assert "Typed details" in response.content.decode()
    hr.post(
        url,
        {
            "action": "create",
            "title": "dbt",
            "details": "Data build tool.",
            "item_type": "technical",
            "depth": "aware",
        },
    )
    item = KnowledgeItem.objects.get(title="dbt")
    assert editable.knowledge_links.get(item=item).depth == "aware"


def test_reordering_changing_and_removing_items(hr, editable):
    links = list(editable.work_activity_links.order_by("position"))
    press(hr, editable, f"up:work-activities:{links[1].pk}")
    assert [link.activity.title for link in editable.work_activity_links.order_by("position")] == [
        links[1].activity.title,
        links[0].activity.title,
    ]

    knowledge = editable.knowledge_links.get(item__title="Data Modelling")
    press(
        hr,
        editable,
        f"change:knowledge:{knowledge.pk}",
        **{f"depth-knowledge-{knowledge.pk}": "familiar"},
    )
    knowledge.refresh_from_db()
    assert knowledge.depth == "familiar"

    skill = editable.skill_links.first()
    working = skill.skill.category.framework.levels.get(name="Working")
    press(hr, editable, f"change:skills:{skill.pk}", **{f"level-skills-{skill.pk}": working.pk})
    skill.refresh_from_db()
    assert skill.level == working

    response = press(hr, editable, f"remove:work-activities:{links[1].pk}")
    assert "Removed ‘Design reviews’ from Work Activities." in (
        hr.get(response.url).content.decode()
    )
    assert editable.work_activity_links.count() == 1
    assert editable.work_activity_links.get().position == 0


def test_creating_a_profile(hr, db):
    response = hr.post(reverse("profiles:create"), {"title": "Data Analyst"})
    assert response.status_code == 302
    profile = RoleProfile.objects.get(slug="data-analyst")
    assert profile.status == "draft"
    duplicate = hr.post(reverse("profiles:create"), {"title": "Data Analyst"})
    assert duplicate.status_code == 400
    assert "Another profile already has this URL name." in duplicate.content.decode()


def test_saving_again_after_a_conflict_keeps_the_other_persons_other_changes(hr, editable):
    first = form_data(hr.get(edit_url(editable)))
    second = dict(first)
    first.update(title="Title by the first officer", summary="Summary by the first officer")
    hr.post(edit_url(editable), first)

    second["summary"] = "Summary by the second officer"
    conflict = hr.post(edit_url(editable), second)
    assert conflict.status_code == 409
    # The form now shows the first officer's title, which the second left alone.
    resubmitted = conflict.context["form"].data.copy()
    assert resubmitted["title"] == "Title by the first officer"
    hr.post(edit_url(editable), resubmitted)
    editable.refresh_from_db()
    assert editable.title == "Title by the first officer"
    assert editable.summary == "Summary by the second officer"


def test_text_typed_while_someone_publishes_is_kept_with_the_reason(hr, editable):
    data = form_data(hr.get(edit_url(editable)))
    drafts.update_profile(
        profile=editable,
        values={**drafts.field_values(editable), "variant": "Platform"},
        base=drafts.field_values(editable),
    )
    lifecycle.publish_profile(profile=editable)
    data["summary"] = "Words I do not want to lose"
    response = hr.post(edit_url(editable), data)
    assert response.status_code == 409
    content = response.content.decode()
    assert "Words I do not want to lose" in content
    assert "start a new draft" in content


@pytest.mark.parametrize("bad", ["abc", "²", "", "-1"])
def test_nonsense_ids_are_refused_without_a_crash(hr, editable, bad):
    add = reverse("profiles:add", args=[editable.slug, "skills"])
    assert hr.post(add, {"item": bad, "level": bad}).status_code == 404
    link = editable.skill_links.first()
    response = press(hr, editable, f"change:skills:{link.pk}", **{f"level-skills-{link.pk}": bad})
    assert response.status_code == 400
    assert "Choose a level for the skill." in response.content.decode()
    assert press(hr, editable, f"up:skills:{bad}").status_code == 400
    assert press(hr, editable, f"sideways:skills:{link.pk}").status_code == 400
    assert press(hr, editable, f"up:nowhere:{link.pk}").status_code == 400
    assert hr.post(
        reverse("profiles:new_draft", args=[editable.slug]), {"version": bad}
    ).status_code in (302, 404)
    assert hr.get(reverse("profiles:json", args=[editable.slug]), {"version": bad}).status_code in (
        200,
        404,
    )


def test_a_depth_changed_by_someone_else_meanwhile_is_not_overwritten(hr, editable):
    knowledge = editable.knowledge_links.get(item__title="Data Modelling")
    page = hr.get(edit_url(editable))  # showing "expert"
    drafts.change_item(
        profile=editable, section=BY_SLUG["knowledge"], link_id=knowledge.pk, depth="proficient"
    )  # a colleague
    response = press(
        hr,
        editable,
        f"change:knowledge:{knowledge.pk}",
        page=page,
        summary="Typed meanwhile",
        **{f"depth-knowledge-{knowledge.pk}": "aware"},
    )
    assert response.status_code == 400
    content = response.content.decode()
    assert "Someone changed the depth of ‘Data Modelling’ to Proficient in" in content
    assert "Typed meanwhile" in content  # kept in the form, not saved
    knowledge.refresh_from_db()
    editable.refresh_from_db()
    assert knowledge.depth == "proficient"
    assert editable.summary != "Typed meanwhile"


def test_a_move_in_a_list_reordered_meanwhile_is_refused(hr, editable):
    links = list(editable.work_activity_links.order_by("position"))
    page = hr.get(edit_url(editable))
    drafts.move_item(
        profile=editable, section=BY_SLUG["work-activities"], link_id=links[1].pk, offset=-1
    )  # a colleague
    response = press(hr, editable, f"up:work-activities:{links[1].pk}", page=page)
    assert "were reordered while you were looking" in response.content.decode()
    order = [link.pk for link in editable.work_activity_links.order_by("position")]
    assert order == [links[1].pk, links[0].pk]
