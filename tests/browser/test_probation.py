"""The probation page in the browser: the manager finds Alex's probation
from their home, completes the overdue checkpoint and is told what is
missing from an extension; axe-clean at 1280 and 320 px."""

import re

from playwright.sync_api import expect


def test_the_manager_completes_a_checkpoint_and_records_an_outcome(journey):
    page = journey.page
    journey.sign_in("manager", check=False)
    # Chromium may read the hidden part after a space ("Probation : Alex").
    page.get_by_role("link", name=re.compile(r"^Probation\W+Alex Morgan$")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Probation: Alex Morgan")
    expect(page.get_by_text("Overdue")).to_have_count(1)
    journey.check("probation")

    page.get_by_label("Notes").first.fill("Settling in well")
    page.get_by_role("button", name=re.compile(r"^Mark as done\W+the 1-month")).click()
    expect(page.get_by_text("The 1-month checkpoint is done.")).to_be_visible()
    expect(page.get_by_text("Settling in well")).to_be_visible()

    page.get_by_label("Extended to a new end date").check()
    page.locator("#id_notes").fill("More time on the pipeline work")
    page.get_by_role("button", name="Record the outcome").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(page.locator("#id_notes")).to_have_value("More time on the pipeline work")
    journey.check("probation-error")
    journey.assert_accessible()
