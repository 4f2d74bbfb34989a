"""HR's personal-data controls in the browser, with axe at 1280 and 320 px:
a leaver past retention's page offers the downloads and the anonymise
button, the confirmation page says what will happen, and afterwards the
page shows the placeholder. Screenshots of each."""

from datetime import date

from playwright.sync_api import expect

from appraisals.models import Person


def test_hr_anonymises_a_leaver_past_retention(journey):
    Person.objects.filter(name="Jo Lee").update(
        start_date=date(2014, 2, 3), leaving_date=date(2019, 8, 30)
    )
    page = journey.page
    journey.sign_in("hr", check=False)
    journey.goto(f"/people/{Person.objects.get(name='Jo Lee').pk}/")
    expect(page.get_by_role("heading", name="Personal data")).to_be_visible()
    expect(page.get_by_role("link", name="a PDF of everything held about Jo Lee")).to_be_visible()
    journey.check("person-personal-data")

    page.get_by_role("link", name="Anonymise Jo Lee").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Anonymise this leaver")
    journey.check("person-anonymise-confirm")
    page.get_by_role("button", name="Anonymise Jo Lee").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Former employee")
    expect(page.get_by_text("Anonymised on")).to_be_visible()
    journey.check("person-anonymised")
