"""Staff in the browser: they read published profiles, and are refused the
HR pages (editing, importing). axe-core runs on every page, the refusal
page included (see journey.py)."""

import re

from playwright.sync_api import expect

SLUG = "senior-devops-engineer-technical"
TITLE = "Senior DevOps Engineer – Technical"


def test_staff_reads_a_profile_and_is_refused_an_edit(journey):
    page = journey.page
    journey.sign_in("staff", check=False)

    # Staff land on their own home (their profile and appraisal), and find
    # every published profile under Role profiles, without HR's controls.
    expect(page.get_by_role("heading", level=1)).to_have_text("Sam Okafor")
    # Where they can grow: the next role level in their job family.
    page.get_by_role("link", name=re.compile("^Where you can grow")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Where you can grow")
    expect(page.locator("main")).to_contain_text("The next role level in DevOps is Senior")
    journey.check("staff-growth")
    page.go_back()
    page.get_by_role("link", name="Role profiles", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Role profiles")
    expect(page.get_by_role("link", name="Imports", exact=True)).to_have_count(0)
    expect(page.get_by_role("link", name="Create a profile")).to_have_count(0)
    journey.check("staff-list", screenshot=False)
    page.get_by_role("link", name=TITLE).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    for control in ("Edit draft", "Start a new draft", "Publish", "Archive"):
        expect(page.get_by_role("button", name=control, exact=True)).to_have_count(0)
        expect(page.get_by_role("link", name=control, exact=True)).to_have_count(0)
    journey.check("staff-profile", screenshot=False)

    # Going to the edit page anyway: 403, on a page that says so.
    response = journey.goto(f"/profiles/{SLUG}/edit/")
    assert response.status == 403
    expect(page.locator("body")).to_contain_text(re.compile(r"forbidden|permission", re.I))
    expect(page.locator("#id_title")).to_have_count(0)
    journey.check("staff-refused")

    # The import page too.
    response = journey.goto("/import/profile/")
    assert response.status == 403
    expect(page.locator("#id_file")).to_have_count(0)

    journey.assert_accessible()
