"""The pages the site serves from its libraries rather than its own
templates — the API's documentation (Swagger UI and ReDoc), DRF's browsable
API and Django's admin — still work under the site's Content-Security-Policy:
each draws what it is for, and the browser refuses nothing on them (the
journey records every `securitypolicyviolation`, see journey.py). Not checked
with axe: their markup is the libraries'."""

from playwright.sync_api import expect

SLUG = "senior-devops-engineer-technical"
# Both documentation pages fetch the whole schema (half a megabyte) and draw
# it: ReDoc takes 5 s here on an idle machine, and over 30 s on a busy one.
SCHEMA_TIMEOUT_MS = 120_000


def test_the_api_documentation_renders_under_the_policy(journey_without_data):
    journey = journey_without_data
    page = journey.page

    journey.goto("/api/v1/docs/")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text(
        "Competency framework API", timeout=SCHEMA_TIMEOUT_MS
    )
    # The operations, drawn from the schema the page fetched.
    expect(page.locator(".opblock-summary-path").first).to_be_visible()
    page.locator(".opblock-summary-path", has_text="/api/v1/profiles/").first.click()
    expect(page.get_by_role("button", name="Try it out").first).to_be_visible()

    # ReDoc's menu asks for its maker's logo from the web, which the policy
    # refuses (the documentation loads nothing from the web); ReDoc then
    # leaves the logo out.
    journey.expect_refused("https://cdn.redoc.ly/redoc/logo-mini.svg")
    journey.goto("/api/v1/redoc/")
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        "Competency framework API", timeout=SCHEMA_TIMEOUT_MS
    )
    # ReDoc's search runs in a web worker (made from a blob: URL), which
    # may still be indexing: search again until it answers.
    results = page.get_by_role("search").get_by_role("menuitem")
    for _ in range(10):
        page.get_by_placeholder("Search...").fill("")
        page.get_by_placeholder("Search...").fill("profile")
        try:
            expect(results.first).to_be_visible(timeout=2_000)
            break
        except AssertionError:
            continue
    expect(results.first).to_contain_text("role-profile/1", timeout=SCHEMA_TIMEOUT_MS)

    journey.assert_accessible()


def test_the_browsable_api_and_the_admin_render_under_the_policy(journey):
    journey.sign_in("hr", check=False)
    page = journey.page

    # A list with its filters and extra actions, and an object with its forms.
    journey.goto("/api/v1/profiles/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Profile")
    page.get_by_role("button", name="Filters").click()
    expect(page.locator("#filtersModal")).to_be_visible()
    journey.goto(f"/api/v1/profiles/{SLUG}/")
    expect(page.locator(".response-info")).to_contain_text(SLUG)

    journey.goto("/admin/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Frameworks, catalogue")
    journey.goto("/admin/profiles/roleprofile/")
    expect(page.locator("#result_list")).to_be_visible()
    page.locator("#result_list tbody a").first.click()
    expect(page.locator("#content h1")).to_be_visible()

    # The live server's policy is enforced, and the journey hears what it
    # refuses: an image from another site, added by a script.
    page.evaluate(
        "() => { const image = new Image(); image.alt = '';"
        " image.src = 'https://elsewhere.example/pixel.png'; document.body.append(image); }"
    )
    for _ in range(50):
        refused = [problem for problem in journey.problems if "elsewhere.example" in problem]
        if refused:
            break
        page.wait_for_timeout(100)
    assert refused and "img-src" in refused[0], journey.problems
    journey.problems.remove(refused[0])

    journey.assert_accessible()
