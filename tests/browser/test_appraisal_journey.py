"""One appraisal through the whole workflow in the browser, as the person
(the demo login `staff`), their manager (`manager`) and HR (`hr`): a
submission with ratings left out refused until confirmed (the rating typed
kept), the shared review answered with a disagreement the manager settles
by changing the rating, agreement and both signatures, a stale form refused
with what happened, HR reopening with a reason, and another team's manager
refused the appraisal by its URL. axe-core runs on each page at 1280, 375
and 320 px, the reflow check at 320 px; screenshots of the main pages
are saved (artifacts/screenshots, copied to the test's tmp dir)."""

import re
import shutil
from datetime import date

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from appraisals import cycles, workflow
from appraisals.models import Cycle, Person, Requirement
from competency import roles
from profiles.models import RoleProfile
from tests.browser.journey import DEMO_PASSWORD, NARROW, PHONE, SCREENSHOTS, WIDE

SLUG = "senior-devops-engineer-technical"


def organisation():
    """Mo (the demo manager) manages Sam (the demo staff login); Olu, another
    manager, manages Tia. One open cycle with an appraisal for each report."""
    users = get_user_model().objects
    profile = RoleProfile.objects.get(slug=SLUG)
    # The demo organisation (seed_demo) holds these logins too: this test
    # builds its own around them.
    Person.objects.update(account=None)
    mo = Person.objects.create(
        employee_id="E1",
        name="Mo Khan",
        account=users.get(username="manager"),
        role_profile=profile,
        job_title="Lead DevOps Engineer",
    )
    Person.objects.create(
        employee_id="E2",
        name="Sam Okafor",
        account=users.get(username="staff"),
        role_profile=profile,
        line_manager=mo,
        job_title="Senior DevOps Engineer",
        start_date=date(2024, 1, 8),
    )
    olu_user = users.create_user("olu", "olu@example.org", DEMO_PASSWORD)
    olu_user.groups.add(Group.objects.get(name=roles.LINE_MANAGERS))
    olu = Person.objects.create(employee_id="E3", name="Olu Ade", account=olu_user)
    Person.objects.create(employee_id="E4", name="Tia Li", line_manager=olu, role_profile=profile)
    cycle = Cycle.objects.create(
        name="Appraisal journey 2026",
        opens_on=date(2026, 4, 1),
        closes_on=date(2026, 12, 31),
        status=Cycle.Status.OPEN,
    )
    (appraisal,) = cycles.open_cycle(cycle=cycle, scope=cycles.Scope.team(mo)).created
    return appraisal


def sign_out(journey):
    journey.page.context.clear_cookies()


def press(page, name):
    page.get_by_role("button", name=name, exact=True).first.click()
    page.wait_for_load_state("load")


SAVE = "Save and come back (everything on the page)"


def agree_to_everything(page):
    for radio in page.locator("input[type=radio][value=agreed]").all():
        radio.check()


def rate(page, requirement, rank, evidence):
    page.click(f"label[for=r-{requirement.pk}-rating-{rank}]")
    page.fill(f"#r-{requirement.pk}-evidence", evidence)


def test_one_appraisal_from_draft_to_reopened(journey, tmp_path):
    page = journey.page
    # Managers and staff take it on their phones too.
    journey.widths = (WIDE, PHONE, NARROW)
    appraisal = organisation()
    path = f"/appraisals/{appraisal.pk}/"
    skills = list(appraisal.requirements.filter(kind=Requirement.Kind.ORGANISATION_SKILL))

    # The manager's home lists the team; the manager opens the appraisal.
    journey.sign_in("manager", check=False)
    expect(page.get_by_role("heading", name="Your team", exact=True)).to_be_visible()
    expect(page.get_by_role("row", name="Sam Okafor")).to_contain_text("draft, due")
    journey.check("appraisal-home-manager")
    page.locator(f'a[href="{path}"]').click()
    journey.check("appraisal-draft", screenshot=False)
    press(page, "Open for self-assessment")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("open for self-assessment")
    sign_out(journey)

    # The person picks one rating and presses Submit straight away: refused,
    # with what is not rated listed and the rating kept; confirmed, it goes.
    journey.sign_in("staff", check=False)
    expect(page.get_by_role("heading", name="Your appraisal")).to_be_visible()
    journey.check("appraisal-home-staff")
    page.locator(f'a[href="{path}"]').click()
    # One part on its own page, from the task list: Save and continue.
    page.get_by_role("link", name="Organisation skills").click()
    rate(page, skills[0], 2, "Ran the pipeline migration.")
    journey.check("appraisal-part-skills")
    press(page, "Save and continue")
    expect(page.get_by_role("heading", level=1)).to_have_text("Knowledge and skills")
    journey.goto(path)
    expect(page.locator("#part-skills-hint")).to_contain_text(f"1 of {len(skills)} rated")
    rate(page, skills[1], 3, "Wrote the standards.")
    press(page, "Submit your self-assessment")
    expect(page.locator(".govuk-error-summary")).to_contain_text("requirements are not rated")
    expect(page.locator(f"#r-{skills[1].pk}-rating-3")).to_be_checked()
    expect(page.locator(f"#r-{skills[1].pk}-evidence")).to_have_value("Wrote the standards.")
    journey.check("appraisal-submit-unrated")
    page.locator("#confirm-submit").check()
    press(page, "Submit your self-assessment")
    expect(page.get_by_text("Your self-assessment went to your manager.")).to_be_visible()
    sign_out(journey)

    # The manager reads it, rates, plans and shares.
    journey.sign_in("manager", check=False)
    journey.goto(path)
    expect(page.get_by_text("Ran the pipeline migration.")).to_be_visible()
    for skill in skills:
        rate(page, skill, 2, "Seen in reviews.")
    press(page, SAVE)
    expect(page.get_by_role("heading", name="Suggestions for the biggest gaps")).to_be_visible()
    # Each suggestion has its own button; the gap's other options are folded away.
    gap = page.locator("div.app-suggestion").filter(
        has=page.get_by_role("heading", name=skills[0].title, exact=True)
    )
    for summary in gap.locator("details:not([open]) > summary").all():
        summary.click()
    name = re.compile(f"^Add .+ to the plan for {re.escape(skills[0].title)}$")
    gap.get_by_role("button", name=name).first.click()
    page.wait_for_load_state("load")
    page.get_by_text("Add an objective").click()
    page.fill("#id_objective-title", "Lead the platform upgrade")
    page.select_option("#outcome", "meets")
    press(page, "Add the objective")
    journey.check("appraisal-manager-review")
    page.locator("#confirm-share").check()
    press(page, "Share the review")
    expect(page.get_by_text("The review is shared.")).to_be_visible()
    sign_out(journey)

    # The person answers: disagrees with one rating (saying why), agrees to
    # the rest. Meanwhile the manager takes the review back: the answers,
    # posted from the page the person still has, are refused with what
    # happened, and kept on the page.
    journey.sign_in("staff", check=False)
    journey.goto(path)
    expect(page.get_by_text("Below").first).to_be_visible()
    agree_to_everything(page)
    item = appraisal.review_items.get(requirement=skills[0])
    page.locator(f"#a-{item.pk}-answer-disagreed").check()
    page.fill(f"#a-{item.pk}-comment", "I led the migration's design review.")
    appraisal.refresh_from_db()
    workflow.take_back_review(
        appraisal=appraisal,
        by=appraisal.manager.account,
        confirmed_stage="review_shared",
        reason="One more rating to check.",
    )
    press(page, "Save your answers")
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "moved from review shared to manager review"
    )
    journey.check("appraisal-stale-refused")
    workflow.share_review(
        appraisal=appraisal,
        by=appraisal.manager.account,
        confirmed_stage="manager_review",
        confirm_unrated=True,
    )
    journey.goto(path)
    agree_to_everything(page)
    page.locator(f"#a-{item.pk}-answer-disagreed").check()
    page.fill(f"#a-{item.pk}-comment", "I led the migration's design review.")
    press(page, "Save your answers")
    expect(page.get_by_text("Disagrees")).to_be_visible()
    journey.check("appraisal-review-shared-person")
    sign_out(journey)

    # The manager replies and raises the rating: it goes back to the person.
    journey.sign_in("manager", check=False)
    journey.goto(path)
    expect(page.get_by_text("I led the migration's design review.")).to_be_visible()
    page.fill(f"#a-{item.pk}-comment", "Agreed: you led it. Raised to 3.")
    page.click(f"label[for=r-{skills[0].pk}-rating-3]")
    journey.check("appraisal-review-shared-manager")
    press(page, "Save your replies and changes")
    sign_out(journey)

    # The person agrees to everything: agreed; writes a summary and signs.
    journey.sign_in("staff", check=False)
    journey.goto(path)
    expect(page.get_by_text("Agreed: you led it. Raised to 3.")).to_be_visible()
    agree_to_everything(page)
    press(page, "Save your answers")
    expect(page.locator(".govuk-tag").first).to_have_text("Agreed")
    page.fill("#summary-text", "A good year.")
    press(page, "Sign the appraisal")
    expect(page.get_by_text("You signed the appraisal.")).to_be_visible()
    sign_out(journey)

    journey.sign_in("manager", check=False)
    journey.goto(path)
    press(page, "Sign the appraisal")
    expect(page.locator(".govuk-tag").first).to_have_text("Signed off")
    journey.goto(f"/appraisals/{appraisal.pk}/gaps/")
    journey.check("appraisal-gaps")
    journey.goto(f"/appraisals/{appraisal.pk}/summary/")
    journey.check("appraisal-summary")
    sign_out(journey)

    # HR reopen it with a reason, which the history keeps.
    journey.sign_in("hr", check=False)
    journey.goto(path)
    press(page, "Reopen")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Say why you reopen it")
    page.fill("#reason-reopen", "The outcome was recorded against the wrong cycle.")
    press(page, "Reopen")
    expect(page.get_by_text("The appraisal is reopened for manager review.")).to_be_visible()
    expect(page.get_by_text("The outcome was recorded against the wrong cycle.")).to_be_visible()
    journey.check("appraisal-reopened")
    sign_out(journey)

    # Another team's manager: 404 by the URL, like any id that does not exist.
    journey.sign_in("olu", check=False)
    response = journey.goto(path)
    assert response.status == 404
    journey.check("appraisal-other-team-404", screenshot=False)

    for shot in SCREENSHOTS.glob("appraisal-*.png"):
        shutil.copy(shot, tmp_path / shot.name)
    journey.assert_accessible()
