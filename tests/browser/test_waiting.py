"""Each home starts with what waits for the signed-in person (appraisals/
waiting.py): staff, a line manager and HR, each following an item to the
place to act; axe-clean, with screenshots at 1280, 375 (a phone) and 320 px
(reflow) in artifacts/screenshots/home-waiting-*."""

import re
from datetime import date

from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from appraisals import plans
from appraisals.models import Person
from tests.browser.journey import NARROW, PHONE, WIDE


def test_each_home_lists_what_waits_and_links_to_it(journey):
    page = journey.page
    journey.widths = (WIDE, PHONE, NARROW)
    sam = Person.objects.get(employee_id="DV003")
    plans.record_check_in(
        person=sam,
        by=get_user_model().objects.get(username="manager"),
        held_on=date(2026, 11, 2),
        agreed_actions="Sam pairs on the pipeline; Mo books the course.",
    )
    # Priya, Mo's manager, has left: Mo's appraisal is HR's to reassign.
    Person.objects.filter(employee_id="DV001").update(leaving_date=date.today())

    journey.sign_in("staff", check=False)
    waiting = page.get_by_role("heading", name="Waiting for you")
    expect(waiting).to_be_visible()
    expect(page.get_by_role("link", name="2 waiting for you")).to_be_visible()
    journey.check("home-waiting-staff")
    page.get_by_role("link", name=re.compile("^Rate yourself and submit")).click()
    expect(page).to_have_url(re.compile(r"/appraisals/\d+/#ratings$"))

    page.context.clear_cookies()  # signed out
    journey.sign_in("manager", check=False)
    expect(page.get_by_role("link", name=re.compile("probation checkpoint")).first).to_be_visible()
    journey.check("home-waiting-manager")
    page.get_by_role("link", name=re.compile("^Follow up the actions agreed with Sam")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check-ins with Sam Okafor")

    page.context.clear_cookies()
    journey.sign_in("hr", check=False)
    expect(page.get_by_role("heading", name="Waiting for you")).to_be_visible()
    journey.check("home-waiting-hr")
    page.get_by_role("link", name=re.compile("^Reassign Mo Khan’s appraisal")).click()
    expect(page).to_have_url(re.compile(r"/reassign/$"))
    journey.assert_accessible()
