"""HR's people and cycle pages in the browser, with axe at 1280 and 320 px:
the people list, a person, a refused loop, the import's preview, the
cycles, a cycle's dates, a cycle's view, opening and reassigning. People are
chosen by name through the accessible autocomplete, and dates typed in
GOV.UK's day, month and year boxes. Screenshots of each."""

from playwright.sync_api import expect

PEOPLE_FILE = (
    "employee id,name,email,manager's employee id,profile slug,job title,start date,"
    "probation end date\n"
    "HR001,Harriet Rees,hr@example.org,,,HR business partner,2019-09-02,\n"
    "DV001,Priya Shah,dv001@example.org,,lead-devops-engineer-management,Head of DevOps,"
    "2018-01-08,\n"
    "DV002,Mo Khan,manager@example.org,DV001,senior-devops-engineer-management,"
    "DevOps team lead,2020-05-04,\n"
    "DV003,Sam Okafor,staff@example.org,DV001,devops-engineer,DevOps engineer,2023-02-06,\n"
    "DV009,Nia New,nia@example.org,DV002,junior-devops-engineer,Junior DevOps engineer,"
    "2026-01-05,2026-07-05\n"
)


def test_hr_people_and_cycles(journey, tmp_path):
    page = journey.page
    journey.sign_in("hr", check=False)

    page.get_by_role("link", name="People", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("People")
    expect(page.get_by_role("link", name="Sam Okafor")).to_be_visible()
    journey.check("people-list")

    page.get_by_role("link", name="Mo Khan").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Mo Khan")
    journey.check("person")

    # A loop: Priya under Sam, who is under Mo, who is under Priya.
    journey.goto("/people/")
    page.get_by_role("link", name="Priya Shah").click()
    page.get_by_role("link", name="Change Priya Shah's details").click()
    # The line manager chosen from the autocomplete's suggestions.
    manager = page.get_by_role("combobox", name="Line manager")
    manager.fill("sam ok")
    page.get_by_role("option", name="Sam Okafor").click()
    expect(manager).to_have_value("Sam Okafor (DV003)")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("would make a loop")
    expect(page.get_by_role("combobox", name="Line manager")).to_have_value("Sam Okafor (DV003)")
    journey.check("person-loop-refused")
    # A date with no year: said in words, with what was typed kept.
    page.get_by_role("group", name="Start date").get_by_label("Year").fill("")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Start date must include a year")
    journey.check("person-date-refused")

    file = tmp_path / "people.csv"
    file.write_text(PEOPLE_FILE)
    journey.goto("/people/import/")
    journey.check("people-import", screenshot=False)
    page.get_by_label("The whole organisation", exact=True).check()
    page.get_by_label("People file").set_input_files(str(file))
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check the people import")
    journey.check("people-import-preview")

    page.get_by_role("link", name="Cycles", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Appraisal cycles")
    journey.check("cycles")
    page.get_by_role("link", name="Annual review").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Annual review")
    journey.check("cycle")
    page.get_by_role("link", name="Change name, kind or dates").click()
    closes = page.get_by_role("group", name="Closes on")
    closes.get_by_label("Month").fill("13")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Closes on must be a real date")
    journey.check("cycle-dates-refused")
    page.go_back()
    page.go_back()

    # Filtering the cycle's appraisals by a team chosen by name.
    team = page.get_by_role("combobox", name="Team of")
    team.fill("priya")
    page.get_by_role("option", name="Priya Shah").click()
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_role("combobox", name="Team of")).to_have_value("Priya Shah (DV001)")
    journey.check("cycle-team-filter", screenshot=False)

    page.get_by_role("link", name="Add people to the cycle").click()
    # A team by a manager's name: two match, so the page asks which.
    page.get_by_label("Who is appraised").select_option("team")
    page.get_by_role("combobox", name="Line manager").fill("a")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("2 people match “a”")
    journey.check("cycle-open-choose")
    page.get_by_role("radio", name="Mo Khan").check()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("for Mo Khan's team")
    journey.check("cycle-open-team-confirm", screenshot=False)
    page.get_by_role("link", name="Choose another scope").click()
    page.get_by_label("Who is appraised").select_option("everyone")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Open the cycle for everyone")
    journey.check("cycle-open-confirm")

    journey.goto("/cycles/")
    page.get_by_role("link", name="Annual review").click()
    page.get_by_role("link", name="Reassign Kim Patel's appraisal").click()
    journey.check("reassign")
    # Priya manages it already: refused, with what was typed kept.
    new_manager = page.get_by_role("combobox", name="New manager")
    new_manager.fill("DV001")
    page.get_by_label("Reason (kept with the appraisal)").fill("Kim moved to Mo's team")
    page.get_by_role("button", name="Reassign").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("already this appraisal's manager")
    expect(page.get_by_role("combobox", name="New manager")).to_have_value("Priya Shah (DV001)")
    new_manager = page.get_by_role("combobox", name="New manager")
    new_manager.fill("mo k")
    expect(page.get_by_role("option", name="Mo Khan")).to_be_visible()
    journey.check("reassign-suggestions")
    page.get_by_role("option", name="Mo Khan").click()
    page.get_by_role("button", name="Reassign").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("managed by Mo Khan")
    journey.check("cycle-after-reassign", screenshot=False)

    journey.assert_accessible()
