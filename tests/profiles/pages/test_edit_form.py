"""The edit page is one form: whatever button is pressed, what was typed is
saved first, and the button's change is made in the same transaction."""

import pytest
from django.urls import reverse

from profiles import drafts, lifecycle
from profiles.sections import BY_SLUG
from tests.profiles.pages.edit_form import edit_url, press

pytestmark = pytest.mark.django_db


@pytest.fixture
def editable(lead):
    lifecycle.start_draft(profile=lead)
    lead.refresh_from_db()
    return lead


def titles(profile, kind="knowledge"):
    section = BY_SLUG[kind]
    return [str(section.item_of(link)) for link in section.ordered_links(profile)]


def test_text_typed_then_move_pressed_is_saved_and_the_item_moved(hr, editable):
    link = editable.knowledge_links.get(item__title="Systems Thinking")
    response = press(hr, editable, f"down:knowledge:{link.pk}", summary="Typed, then moved")
    assert response.status_code == 302
    assert response.url == edit_url(editable) + f"#item-knowledge-{link.pk}"
    editable.refresh_from_db()
    assert editable.summary == "Typed, then moved"
    assert titles(editable)[:2] == ["Coaching Others", "Systems Thinking"]


def test_text_typed_then_remove_pressed_is_saved_and_the_item_removed(hr, editable):
    link = editable.knowledge_links.get(item__title="Coaching Others")
    press(hr, editable, f"remove:knowledge:{link.pk}", variant="Platform")
    editable.refresh_from_db()
    assert editable.variant == "Platform"
    assert "Coaching Others" not in titles(editable)


def test_a_depth_chosen_then_save_pressed_is_saved_with_the_texts(hr, editable):
    link = editable.knowledge_links.get(item__title="Data Modelling")
    press(hr, editable, summary="New summary", **{f"depth-knowledge-{link.pk}": "aware"})
    link.refresh_from_db()
    editable.refresh_from_db()
    assert (link.depth, editable.summary) == ("aware", "New summary")


def test_a_text_conflict_during_an_item_press_keeps_the_text_and_moves_nothing(hr, editable):
    page = hr.get(edit_url(editable))
    values = drafts.field_values(editable)
    drafts.update_profile(
        profile=editable, values={**values, "summary": "A colleague's summary."}, base=values
    )
    link = editable.knowledge_links.get(item__title="Systems Thinking")
    response = press(
        hr, editable, f"down:knowledge:{link.pk}", page=page, summary="My typed summary."
    )
    assert response.status_code == 409
    content = response.content.decode()
    assert "Your changes were not saved" in content
    assert "My typed summary." in content
    assert "The button you pressed did nothing either" in content
    editable.refresh_from_db()
    assert editable.summary == "A colleague's summary."
    assert titles(editable)[0] == "Systems Thinking"


def test_a_refused_item_change_writes_none_of_the_texts(hr, editable):
    """All or nothing: the texts are not saved without the button's change."""
    link = editable.knowledge_links.get(item__title="Systems Thinking")
    response = press(
        hr,
        editable,
        f"move:knowledge:{link.pk}",
        summary="Typed before a bad position",
        **{f"to-knowledge-{link.pk}": "99"},
    )
    assert response.status_code == 400
    content = response.content.decode()
    assert "Enter a position from 1 to 5 to move ‘Systems Thinking’ to." in content
    assert "Typed before a bad position" in content
    editable.refresh_from_db()
    assert editable.summary != "Typed before a bad position"
    assert titles(editable)[0] == "Systems Thinking"


@pytest.mark.parametrize("typed", ["0", "6", "three", "", "2.5", "-1"])
def test_positions_that_are_not_in_the_list_are_refused(hr, editable, typed):
    link = editable.knowledge_links.get(item__title="Systems Thinking")
    response = press(
        hr, editable, f"move:knowledge:{link.pk}", **{f"to-knowledge-{link.pk}": typed}
    )
    assert response.status_code == 400
    assert "Enter a position from 1 to 5" in response.content.decode()


def test_moving_an_item_to_a_position_names_it_and_opens_the_page_at_it(hr, editable):
    link = editable.knowledge_links.get(item__title="Data Protection Law")
    response = press(hr, editable, f"move:knowledge:{link.pk}", **{f"to-knowledge-{link.pk}": "2"})
    assert response.url.endswith(f"#item-knowledge-{link.pk}")
    assert titles(editable) == [
        "Systems Thinking",
        "Data Protection Law",
        "Coaching Others",
        "Data Modelling",
        "Stream Processing",
    ]
    page = hr.get(response.url)
    content = page.content.decode()
    message = "Moved ‘Data Protection Law’ to position 2 of 5 in Knowledge/Skills."
    # In the banner at the top, which keeps the focus on the item, and in
    # the item's own row, where the page opens.
    assert content.count(message) == 2
    assert 'data-disable-auto-focus="true"' in content
    assert f'id="item-knowledge-{link.pk}" tabindex="-1"' in content


def test_every_control_is_labelled_with_its_item(hr, editable):
    content = hr.get(edit_url(editable)).content.decode()
    link = editable.skill_links.get(skill__name="Data engineering and manipulation")
    assert (
        f'<label class="govuk-label govuk-body-s" for="level-skills-{link.pk}">'
        "Level for Data engineering and manipulation</label>"
    ) in content
    assert "Depth for Data Modelling</label>" in content
    assert "Position of Data Modelling</label>" in content
    assert 'Move up<span class="govuk-visually-hidden"> Data Modelling</span>' in content


def test_buttons_that_leave_the_page_save_first(hr, editable):
    for button, page in [
        ("preview", reverse("profiles:detail", args=[editable.slug])),
        ("publish", reverse("profiles:publish", args=[editable.slug])),
        ("add:training", reverse("profiles:add", args=[editable.slug, "training"])),
    ]:
        response = press(hr, editable, button, summary=f"Typed before {button}")
        assert response.url == page
        editable.refresh_from_db()
        assert editable.summary == f"Typed before {button}"
    link = editable.training_links.get()
    response = press(hr, editable, f"correct:training:{link.pk}", summary="Before correcting")
    assert response.url == reverse("profiles:correct", args=[editable.slug, "training", link.pk])
    editable.refresh_from_db()
    assert editable.summary == "Before correcting"


def test_staff_cannot_press_the_buttons(staff, lead):
    link = lead.knowledge_links.first()
    response = staff.post(edit_url(lead), {"item-action": f"remove:knowledge:{link.pk}"})
    assert response.status_code == 403
    assert lead.knowledge_links.filter(pk=link.pk).exists()


# --- Publish only when something changed ---------------------------------------


def test_publish_is_not_offered_when_nothing_changed(hr, editable):
    edit = hr.get(edit_url(editable)).content.decode()
    assert 'value="publish"' not in edit
    assert "Nothing to publish yet: this draft says what version 1 says." in edit

    detail = hr.get(reverse("profiles:detail", args=[editable.slug])).content.decode()
    assert reverse("profiles:publish", args=[editable.slug]) not in detail
    assert "Nothing to publish: this draft says what version 1 says." in detail

    page = hr.get(reverse("profiles:publish", args=[editable.slug]))
    content = page.content.decode()
    assert '<h1 class="govuk-heading-xl">Nothing to publish</h1>' in content
    assert "Publish version 2" not in content
    assert 'name="fingerprint"' not in content


def test_publish_is_offered_once_something_changed(hr, editable):
    press(hr, editable, summary="Something new")
    assert 'value="publish"' in hr.get(edit_url(editable)).content.decode()
    detail = hr.get(reverse("profiles:detail", args=[editable.slug])).content.decode()
    assert f'href="{reverse("profiles:publish", args=[editable.slug])}"' in detail
    publish = hr.get(reverse("profiles:publish", args=[editable.slug])).content.decode()
    assert "Publish version 2</button>" in publish


def test_a_never_published_draft_can_be_published(hr, draft):
    content = hr.get(reverse("profiles:publish", args=[draft.slug])).content.decode()
    assert "Publish version 1</button>" in content


# --- Order changes in the differences ---------------------------------------------


def test_the_publish_page_shows_an_item_moved(hr, editable):
    link = editable.knowledge_links.get(item__title="Data Protection Law")
    press(hr, editable, f"move:knowledge:{link.pk}", **{f"to-knowledge-{link.pk}": "2"})
    content = hr.get(reverse("profiles:publish", args=[editable.slug])).content.decode()
    assert "Publish version 2</button>" in content
    assert 'Data Protection Law<span class="govuk-body-s"> (moved from 5 to 2)</span>' in content
    # Only the item moved is named, not the three it passed.
    assert "Coaching Others<span" not in content
