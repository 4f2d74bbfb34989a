"""axe-core on the pages the journeys do not pass through: the catalogue,
the audit trail, the version list, adding an item, creating a profile, the
archive confirmation, the framework upload, the API tokens page and a
missing page. Each is
checked at 1280 and 320 px like the journeys' pages (see journey.py)."""

from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from competency.api.models import Webhook

SLUG = "senior-devops-engineer-technical"


def visit(journey, name, path, heading=None):
    response = journey.goto(path)
    assert response.status in (200, 404), (path, response.status)
    if heading:
        expect(journey.page.get_by_role("heading", level=1)).to_contain_text(heading)
    journey.check(name)


def test_every_other_hr_page_is_accessible(journey):
    journey.sign_in("hr")
    page = journey.page

    visit(journey, "catalogue", "/catalogue/", "Catalogue")
    page.get_by_role("link", name="DDaT").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("DDaT")
    journey.check("catalogue-framework")
    page.get_by_role("link", name="Systems design").first.click()
    journey.check("catalogue-skill")
    visit(journey, "catalogue-knowledge", "/catalogue/knowledge/?q=cloud")
    page.get_by_role("link", name="Cloud Platforms").first.click()
    journey.check("catalogue-component")

    visit(journey, "versions", f"/profiles/{SLUG}/versions/", "Versions")
    visit(journey, "audit", f"/profiles/{SLUG}/history/", "Who changed what")
    visit(journey, "archive", f"/profiles/{SLUG}/archive/", "Archive this profile?")
    visit(journey, "create", "/profiles/new/", "Create a role profile")
    visit(journey, "framework-import", "/import/framework/", "Import a framework")
    visit(journey, "not-found", "/profiles/no-such-profile/", "Page not found")

    # The API tokens page: with an error, then with a token shown once.
    visit(journey, "api-tokens", "/api/tokens/", "API tokens")
    page.get_by_role("button", name="Make token").click()
    journey.check("api-tokens-error")
    page.get_by_label("Name").fill("HR system")
    page.get_by_label("Acts as").select_option(label="staff")
    page.get_by_role("button", name="Make token").click()
    expect(page.get_by_role("heading", name="Token made")).to_be_visible()
    journey.check("api-tokens-made")

    # A webhook's page, then its secret rotated: the old one still signs.
    hook = Webhook.objects.create(
        name="Learning platform",
        url="https://hooks.example.org/learning",
        events=["profile.version_published"],
        owner=get_user_model().objects.get(username="hr"),
        secret=Webhook.new_secret(),
    )
    visit(journey, "webhook", f"/api/webhooks/{hook.pk}/", "Learning platform")
    page.get_by_role("button", name="Rotate secret").click()
    expect(page.get_by_text("The secret before it still signs each delivery too")).to_be_visible()
    journey.check("webhook-rotated")

    # Adding items needs a draft.
    journey.goto(f"/profiles/{SLUG}/")
    page.get_by_role("button", name="Start a new draft").click()
    visit(journey, "add-skill", f"/profiles/{SLUG}/edit/skills/?q=design", "Add organisation skill")
    visit(journey, "add-qualification", f"/profiles/{SLUG}/edit/qualifications/")

    journey.assert_accessible()


def test_error_and_preview_pages_are_accessible(journey):
    """The pages people meet when something needs their attention: an edit
    conflict, a failed add, a framework upload's preview and its outcome."""
    from profiles import drafts
    from profiles.models import RoleProfile
    from tests.paths import DDAT_ROLES

    journey.sign_in("hr", check=False)
    page = journey.page
    journey.goto(f"/profiles/{SLUG}/")
    page.get_by_role("button", name="Start a new draft").click()

    # Someone else saves the summary while this person edits it too.
    journey.goto(f"/profiles/{SLUG}/edit/")
    profile = RoleProfile.objects.get(slug=SLUG)
    values = drafts.field_values(profile)
    drafts.update_profile(
        profile=profile, values={**values, "summary": "Changed by a colleague."}, base=values
    )
    page.fill("#id_summary", "Changed by me.")
    page.get_by_role("button", name="Save changes").first.click()
    expect(page.locator("body")).to_contain_text("Your changes were not saved")
    journey.check("edit-conflict")

    # Adding an item that is already in the profile.
    journey.goto(f"/profiles/{SLUG}/edit/knowledge/")
    page.get_by_role("button", name="Create and add").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    journey.check("add-error", screenshot=False)

    # A framework upload's preview.
    journey.goto("/import/framework/")
    page.set_input_files("#id_file", str(DDAT_ROLES))
    page.select_option("#id_format", "ddat-roles")
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Check the framework import")
    journey.check("framework-import-preview")
    page.get_by_role("button", name="Confirm import").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Framework imported")
    journey.check("framework-import-done")

    journey.assert_accessible()
