"""HR edit a draft in the browser without losing what they typed: a summary
typed and then an item moved keeps both; the page opens at the moved item
with the message beside it; a draft can be thrown away. axe-core and the
320 px reflow check run on each page (see journey.py)."""

import re

from playwright.sync_api import expect

from profiles.models import RoleProfile
from profiles.sections import BY_SLUG

SLUG = "senior-devops-engineer-technical"
TYPED = "Typed just before pressing Move: this text must survive the press."


def rows(kind):
    section = BY_SLUG[kind]
    profile = RoleProfile.objects.get(slug=SLUG)
    return [(link.pk, str(section.item_of(link))) for link in section.ordered_links(profile)]


def test_typing_then_moving_an_item_keeps_both(journey):
    page = journey.page
    journey.sign_in("hr", check=False)
    journey.goto(f"/profiles/{SLUG}/")
    page.get_by_role("button", name="Start a new draft").click()
    page.wait_for_url(re.compile(rf"/profiles/{SLUG}/edit/$"))

    # Nothing changed yet: nothing to publish.
    expect(page.get_by_role("button", name=re.compile("Save and publish"))).to_have_count(0)
    expect(page.get_by_text("Nothing to publish yet").first).to_be_visible()
    journey.check("edit-unchanged")

    # Type a summary, then press Move down on the first work activity.
    (first_id, first), (_, second), *rest = rows("work-activities")
    count = 2 + len(rest)
    page.fill("#id_summary", TYPED)
    page.get_by_role("button", name=f"Move down {first}", exact=True).click()

    page.wait_for_url(re.compile(rf"/profiles/{SLUG}/edit/#item-work-activities-{first_id}$"))
    message = f"Moved ‘{first}’ to position 2 of {count} in Work Activities."
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(message)
    moved = page.locator(f"#item-work-activities-{first_id}")
    expect(moved).to_be_focused()
    expect(moved).to_contain_text(message)
    expect(page.locator("#id_summary")).to_have_value(TYPED)
    assert [title for _, title in rows("work-activities")][:2] == [second, first]
    # Something changed now: Publish is offered.
    expect(page.get_by_role("button", name=re.compile("Save and publish")).first).to_be_visible()
    journey.check("edit-moved")

    # At 320 px every control of the row is on screen, none cut off.
    page.set_viewport_size({"width": 320, "height": 900})
    for control in (f"Move up {first}", f"Move down {first}", f"Remove {first}"):
        button = page.get_by_role("button", name=control, exact=True)
        button.scroll_into_view_if_needed()
        box = button.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= 320, (control, box)
    page.set_viewport_size({"width": 1280, "height": 900})

    # Move to a position typed in the row, with a depth changed on the way.
    knowledge = rows("knowledge")
    last_id, last = knowledge[-1]
    page.fill(f"#to-knowledge-{last_id}", "1")
    page.get_by_role("button", name=f"Move {last} to this position", exact=True).click()
    page.wait_for_url(re.compile(rf"#item-knowledge-{last_id}$"))
    expect(page.locator(f"#item-knowledge-{last_id}")).to_be_focused()
    expect(page.locator(f"#item-knowledge-{last_id}")).to_contain_text(
        f"Moved ‘{last}’ to position 1 of {len(knowledge)} in Knowledge/Skills."
    )
    expect(page.locator("#id_summary")).to_have_value(TYPED)

    # The publish confirmation names the moves.
    page.get_by_role("button", name=re.compile("Save and publish")).first.click()
    page.wait_for_url(re.compile(rf"/profiles/{SLUG}/publish/$"))
    expect(page.get_by_text(f"(moved from {len(knowledge)} to 1)")).to_be_visible()
    journey.check("publish-moved")

    # Thrown away: back to the version in force.
    journey.goto(f"/profiles/{SLUG}/edit/")
    page.get_by_role("link", name=re.compile("Discard this draft")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Discard this draft?")
    journey.check("discard")
    page.get_by_role("button", name="Discard this draft").click()
    page.wait_for_url(re.compile(rf"/profiles/{SLUG}/$"))
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("version 1 again")
    assert RoleProfile.objects.get(slug=SLUG).status == "published"
    assert [title for _, title in rows("work-activities")][:2] == [first, second]

    journey.assert_accessible()


def test_correcting_an_items_text(journey):
    page = journey.page
    journey.sign_in("hr", check=False)
    journey.goto(f"/profiles/{SLUG}/")
    page.get_by_role("button", name="Start a new draft").click()
    (link_id, title), *_ = rows("training")
    page.fill("#id_summary", TYPED)
    page.get_by_role("button", name=f"Correct the text of {title}", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Correct the text of ‘{title}’")
    expect(page.locator("#id_title")).to_have_value(title)
    journey.check("correct-item")
    page.fill("#id_title", f"{title} (corrected)")
    page.get_by_role("button", name="Save the corrected text").click()
    page.wait_for_url(re.compile(rf"#item-training-{link_id}$"))
    expect(page.locator(f"#item-training-{link_id}")).to_contain_text(f"{title} (corrected)")
    expect(page.locator("#id_summary")).to_have_value(TYPED)

    # A work activity's wording corrected, then published: each page that
    # says what changed shows the old and new wording, the words marked.
    activity = "Platform design"
    page.get_by_role("button", name=f"Correct the text of {activity}", exact=True).click()
    details = page.locator("#id_details")
    details.fill(details.input_value().replace("without waiting for", "without a ticket to"))
    page.get_by_role("button", name="Save the corrected text").click()
    page.get_by_role("button", name=re.compile("Save and publish")).first.click()
    page.wait_for_url(re.compile(rf"/profiles/{SLUG}/publish/$"))
    row = page.get_by_role("row", name=re.compile(f"^{activity}"))
    expect(row.locator("del")).to_have_text("(removed: waiting for)")
    expect(row.locator("ins")).to_have_text("(added: a ticket to)")
    journey.check("publish-corrected")
    page.fill("#id_change_note", "Platform design no longer needs a ticket.")
    page.get_by_role("button", name="Publish version 2").click()
    journey.goto(f"/profiles/{SLUG}/changes/")
    expect(page.get_by_role("row", name=re.compile(f"^{activity}")).locator("ins")).to_have_text(
        "(added: a ticket to)"
    )
    journey.check("what-changed")
    journey.goto(f"/profiles/{SLUG}/versions/?from=1&to=2")
    journey.check("versions-compared")
    journey.goto(f"/profiles/{SLUG}/history/")
    expect(page.locator("del").filter(has_text="waiting for")).to_have_count(1)
    journey.check("history")
    journey.assert_accessible()
