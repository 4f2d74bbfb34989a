"""The team heatmap, finding people by skill and level, and readiness in
Chromium: a manager uses each, axe-core and the reflow check run at 1280
and 320 px, and screenshots are saved (artifacts/screenshots/insight-*)."""

from datetime import date

from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from appraisals import cycles, insight
from appraisals.models import Appraisal, Cycle, Person, Requirement, Stage
from profiles.models import RoleProfile
from tests.browser.journey import SCREENSHOTS, TAKE_SCREENSHOTS

SENIOR = "senior-devops-engineer-technical"
LEAD = "lead-devops-engineer-technical"


def demo_team():
    """The demo manager with the demo staff member and four more reports,
    each with an agreed appraisal whose ratings vary around the levels."""
    users = get_user_model().objects
    profile = RoleProfile.objects.get(slug=SENIOR)
    # The demo organisation (seed_demo) holds these logins too: this test
    # builds its own around them.
    Person.objects.update(account=None)
    mo = Person.objects.create(
        employee_id="M1", name="Mo Manager", account=users.get(username="manager")
    )
    people = [
        Person.objects.create(
            employee_id="S1",
            name="Sam Staff",
            job_title="Senior DevOps Engineer",
            line_manager=mo,
            role_profile=profile,
            account=users.get(username="staff"),
        )
    ]
    for n, name in enumerate(["Ada Okafor", "Ben Shah", "Cleo Price", "Dan Wu"], start=2):
        people.append(
            Person.objects.create(
                employee_id=f"S{n}",
                name=name,
                job_title="Senior DevOps Engineer",
                line_manager=mo,
                role_profile=profile,
            )
        )
    cycle = Cycle.objects.create(
        name="Annual review 2025", opens_on=date(2025, 4, 1), closes_on=date(2025, 6, 30)
    )
    opened = cycles.open_cycle(cycle=cycle, scope=cycles.Scope.team(mo)).created
    for n, appraisal in enumerate(opened):
        Appraisal.objects.filter(pk=appraisal.pk).update(stage=Stage.AGREED)
        for m, row in enumerate(appraisal.requirements.all()):
            ranks = [step["rank"] for step in row.scale]
            if (n + m) % 7 == 0:
                continue  # not rated
            base = row.required_rank or ranks[len(ranks) // 2]
            rating = min(max(base + (n + m) % 3 - 1, ranks[0]), ranks[-1])
            Requirement.objects.filter(pk=row.pk).update(manager_rating=rating)
    # Agreed here by update, not through the workflow: the stored latest
    # ratings that finding people reads are refreshed as the workflow would.
    insight.refresh_latest_ratings([person.pk for person in people])
    return mo, people


def test_a_manager_sees_the_heatmap_finds_people_and_reads_readiness(journey):
    _manager, people = demo_team()
    page = journey.page
    journey.sign_in("manager", check=False)

    journey.goto("/team/heatmap/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Team heatmap")
    table = page.get_by_role("table", name="Gaps by person and requirement")
    expect(table.get_by_role("rowheader")).to_have_count(5)
    expect(table).to_contain_text("Below")
    journey.check("insight-heatmap")
    # Wider than the window: it scrolls within its region, whose name is the
    # heading above it, and each row's person stays in view as it does.
    region = page.get_by_role("region", name="Gaps by person and requirement, 5 people")
    expect(region).to_have_attribute("tabindex", "0")
    region.focus()
    page.keyboard.press("End")
    region.evaluate("region => { region.scrollLeft = region.scrollWidth; }")
    assert region.evaluate("region => region.scrollLeft") > 0
    name, left = table.get_by_role("rowheader").first.bounding_box(), region.bounding_box()
    assert abs(name["x"] - left["x"]) <= 1
    if TAKE_SCREENSHOTS:
        page.screenshot(path=SCREENSHOTS / "insight-heatmap-scrolled-1280.png")

    journey.goto("/team/find/")
    page.get_by_label("Skill or knowledge item").fill("containers")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="Containers and Orchestration").click()
    page.get_by_label("2 – Familiar with").check()
    page.get_by_role("button", name="Find people").click()
    expect(page.get_by_role("heading", level=2, name="Familiar with or above")).to_be_visible()
    journey.check("insight-find-people")

    journey.goto(f"/people/{people[0].pk}/readiness/")
    page.get_by_role("link", name="Lead DevOps Engineer – Technical").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Readiness for Lead DevOps")
    expect(page.get_by_role("heading", name="Still needed")).to_be_visible()
    journey.check("insight-readiness")

    # Another team's person, by URL: 404.
    other = Person.objects.create(employee_id="X1", name="Xi Other")
    response = journey.goto(f"/people/{other.pk}/readiness/")
    assert response.status == 404
    journey.assert_accessible()
