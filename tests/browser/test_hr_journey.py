"""HR in the browser: find a profile, edit it, meet a validation error and
fix it, publish, read the differences, compare two profiles and import the
sample file. axe-core runs on every page on the way (see journey.py)."""

import re

from playwright.sync_api import expect

from tests.paths import OWN_PAGE

SLUG = "senior-devops-engineer-technical"
TITLE = "Senior DevOps Engineer – Technical"
CHANGE_NOTE = "The summary now says what the team owns."
OTHER_SLUG = "lead-devops-engineer-technical"
OTHER_TITLE = "Lead DevOps Engineer – Technical"
NEW_SUMMARY = (
    "A senior DevOps engineer builds and runs the delivery pipelines and platforms that "
    "teams ship their services on, and helps the team to improve them."
)


def shows_the_new_summary(page):
    """A page of differences shows the new summary, its added words marked."""
    for added in ("builds and runs the delivery pipelines and", "helps the team to improve them."):
        expect(page.locator("ins", has_text=added).first).to_be_visible()


def heading(page):
    return page.get_by_role("heading", level=1)


def test_hr_edits_publishes_and_reads_the_differences(journey):
    page = journey.page
    journey.sign_in("hr")
    # HR's home is what waits for them (tests/browser/test_waiting.py).
    page.get_by_role("link", name="Role profiles", exact=True).click()

    # The list, then a search narrowed by a filter.
    expect(heading(page)).to_have_text("Role profiles")
    expect(page.get_by_role("heading", name="7 profiles")).to_be_visible()
    journey.check("list")
    page.fill("#id_q", "technical")
    page.select_option("#id_role_level", "Senior")
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_role("heading", name="2 profiles", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Junior DevOps Engineer")).to_have_count(0)
    journey.check("list-filtered", screenshot=False)
    page.get_by_role("link", name=TITLE).click()

    # The published profile: HR start a new draft to change it.
    expect(heading(page)).to_have_text(TITLE)
    expect(page.get_by_text("Published", exact=True)).to_be_visible()
    journey.check("profile")
    page.get_by_role("button", name="Start a new draft").click()
    page.wait_for_url(re.compile(rf"/profiles/{SLUG}/edit/$"))

    # The edit page.
    expect(heading(page)).to_have_text(f"Edit {TITLE}")
    expect(page.get_by_text("Started a new draft from the published profile.")).to_be_visible()
    journey.check("edit")

    # An empty title is refused with the GOV.UK error summary.
    page.fill("#id_title", "")
    page.fill("#id_summary", NEW_SUMMARY)
    page.get_by_role("button", name="Save changes").first.click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    # GOV.UK Frontend moves the focus to the summary, so it is read first.
    expect(summary).to_be_focused()
    expect(summary.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(page).to_have_title(re.compile(r"^Error: "))
    expect(page.locator("#id_title-error")).to_contain_text("Enter a title")
    # What was typed elsewhere is kept.
    expect(page.locator("#id_summary")).to_have_value(NEW_SUMMARY)
    journey.check("edit-error")
    # The summary's link takes the person to the field.
    summary.get_by_role("link", name="Enter a title").click()
    expect(page.locator("#id_title")).to_be_focused()

    # Fixed, it saves.
    page.fill("#id_title", TITLE)
    page.get_by_role("button", name="Save changes").first.click()
    expect(page.get_by_text("Your changes to the draft were saved.")).to_be_visible()
    expect(page.locator(".govuk-error-summary")).to_have_count(0)
    expect(page.locator("#id_summary")).to_have_value(NEW_SUMMARY)
    journey.check("edit-saved", screenshot=False)

    # Back on the profile, the draft can be published.
    page.get_by_role("button", name="Save and preview").first.click()
    expect(heading(page)).to_have_text(TITLE)
    expect(page.get_by_text("Draft", exact=True)).to_be_visible()
    journey.check("profile-draft", screenshot=False)
    page.get_by_role("link", name="Publish", exact=True).click()

    # The confirmation shows what changed since version 1.
    page.wait_for_url(re.compile(rf"/profiles/{SLUG}/publish/$"))
    expect(heading(page)).to_have_text("Publish version 2?")
    expect(page.get_by_role("heading", name="Changes since version 1")).to_be_visible()
    shows_the_new_summary(page)
    journey.check("publish")
    # Publishing asks what changed, for readers.
    page.get_by_role("button", name="Publish version 2").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("what changed in this version")
    journey.check("publish-error", screenshot=False)
    page.get_by_label("What changed in this version").fill(CHANGE_NOTE)
    page.get_by_role("button", name="Publish version 2").click()

    page.wait_for_url(re.compile(rf"/profiles/{SLUG}/$"))
    expect(page.get_by_text(f"Published ‘{TITLE}’ as version 2.")).to_be_visible()
    journey.check("profile-published", screenshot=False)

    # Everyone reads the note, and what changed since version 1.
    expect(page.get_by_text(CHANGE_NOTE)).to_be_visible()
    page.get_by_role("link", name="What changed in version 2").click()
    expect(heading(page)).to_have_text("What changed in version 2")
    shows_the_new_summary(page)
    journey.check("changes")
    page.go_back()

    # The versions page compares version 1 with version 2.
    page.get_by_role("link", name="Versions and differences").click()
    expect(heading(page)).to_have_text("Versions and differences")
    expect(page.get_by_role("link", name="Version 2", exact=True)).to_be_visible()
    journey.check("versions", screenshot=False)
    page.select_option("#from", "1")
    page.select_option("#to", "2")
    page.get_by_role("button", name="Show differences").click()
    page.wait_for_url(re.compile(r"/versions/\?from=1&to=2$"))
    expect(page.get_by_role("heading", name="Version 1 compared with version 2")).to_be_visible()
    shows_the_new_summary(page)
    journey.check("diff")

    journey.assert_accessible()


def test_hr_compares_two_profiles(journey):
    page = journey.page
    journey.sign_in("hr", check=False)
    journey.goto(f"/profiles/{SLUG}/")
    page.get_by_role("link", name="Compare with another profile").click()

    expect(heading(page)).to_have_text("Compare role profiles")
    # The first side holds the profile compared from; the second is found by
    # a search and chosen from a short list of matches.
    expect(page.get_by_text(TITLE, exact=True)).to_be_visible()
    page.fill("#qb", "lead devops")
    page.get_by_role("button", name="Search for the second profile").click()
    page.wait_for_url(re.compile(rf"/profiles/compare/\?a={SLUG}&qb=lead\+devops$"))
    journey.check("compare-choose")
    page.get_by_role("link", name=f"Choose {OTHER_TITLE} as the second profile").click()

    page.wait_for_url(re.compile(rf"/profiles/compare/\?a={SLUG}&b={OTHER_SLUG}$"))
    expect(page.get_by_role("heading", name=f"{TITLE} compared with {OTHER_TITLE}")).to_be_visible()
    # Two different levels of the same job family differ somewhere.
    expect(page.get_by_text("No differences.")).to_have_count(0)
    journey.check("compare")

    journey.assert_accessible()


def test_hr_imports_a_profile_page(journey, tmp_path):
    # The project's own page, with one skill worded differently from the
    # demo profiles that share it.
    edition = tmp_path / OWN_PAGE.name
    text = OWN_PAGE.read_text(encoding="utf-8")
    shared = "You can design, write, test and document code that is fit for production."
    assert shared in text
    edition.write_text(text.replace(shared, shared[:-1] + ", and review others' code."))
    page = journey.page
    journey.sign_in("hr", check=False)
    page.get_by_role("link", name="Imports", exact=True).click()

    expect(heading(page)).to_have_text("Import a role profile")
    journey.check("import")

    # No file: the error summary.
    page.get_by_role("button", name="Check the file").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    expect(page.locator("#id_file-error")).to_contain_text("Choose a file to import")
    journey.check("import-error", screenshot=False)

    # The sample: a preview, and nothing saved until confirmed.
    page.set_input_files("#id_file", edition)
    page.get_by_role("button", name="Check the file").click()
    expect(heading(page)).to_have_text("Check the import")
    expect(page.get_by_text(edition.name)).to_be_visible()
    expect(page.locator(".govuk-inset-text").first).to_contain_text(
        "senior-devops-engineer-management"
    )
    journey.check("import-preview")

    # The file words a skill that the demo profiles share differently: the
    # preview asks what to do, and asks again if the question is skipped.
    # The question and a Confirm button come before the long preview, which
    # ends with a second button for the same form.
    expect(page.get_by_role("heading", name="Texts that other profiles share")).to_be_visible()
    confirm = page.get_by_role("button", name="Confirm import")
    expect(confirm).to_have_count(2)
    question = page.get_by_role("group", name="What should happen to the shared text?")
    preview = page.get_by_role("heading", name="How the profile will look")
    assert question.bounding_box()["y"] < confirm.first.bounding_box()["y"]
    assert confirm.first.bounding_box()["y"] < preview.bounding_box()["y"]
    confirm.last.click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Choose whether to update")
    expect(page).to_have_title(re.compile(r"^Error: Check the import"))
    expect(page.locator("#shared_texts-error")).to_contain_text("Choose whether to update")
    journey.check("import-shared-texts-error")
    page.get_by_label("Keep the current text").check()
    confirm.first.click()

    page.wait_for_url(re.compile(r"/profiles/senior-devops-engineer-management/$"))
    expect(heading(page)).to_have_text("Senior DevOps Engineer – Management")
    expect(page.locator(".govuk-notification-banner--success")).to_be_visible()
    journey.check("import-done", screenshot=False)

    journey.assert_accessible()
