"""axe-core on the pages the journeys do not pass through: the catalogue,
the audit trail, the version list, adding an item, creating a profile, the
archive confirmation, the framework upload and a missing page. Each is
checked at 1280 and 320 px like the journeys' pages (see conftest.py)."""

from playwright.sync_api import expect

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

    # Adding items needs a draft.
    journey.goto(f"/profiles/{SLUG}/")
    page.get_by_role("button", name="Start a new draft").click()
    visit(journey, "add-skill", f"/profiles/{SLUG}/edit/skills/?q=design", "Add organisation skill")
    visit(journey, "add-qualification", f"/profiles/{SLUG}/edit/qualifications/")

    journey.assert_accessible()
