"""Small screens and screen readers (issue 8, point 7), in Chromium.

On each page: axe-core at 1280 and 320 px, the reflow check and screenshots
(journey.check, see journey.py); then at 320 px every table cell lies
within the viewport (tables of components stack instead of hiding columns
off-screen), and at both widths a table wrapper is a tab stop exactly when
it scrolls (static/app.mjs). Screenshots: artifacts/screenshots/."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.journey import HEIGHT, NARROW, WIDE, WIDTHS

SLUG = "senior-devops-engineer-management"
TITLE = "Senior DevOps Engineer – Management"

# Two animation frames: the first lets the new width lay out, the second
# comes after the resize observers of the first have run.
SETTLE_JS = "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))"

# Table cells whose box is not wholly within the viewport's width, named by
# their table's caption and their own first words.
CELLS_OFF_SCREEN_JS = """
() => {
  const vw = document.documentElement.clientWidth;
  const off = [];
  for (const cell of document.querySelectorAll('table td, table th')) {
    const box = cell.getBoundingClientRect();
    if (box.left >= -0.5 && box.right <= vw + 0.5) continue;
    const caption = cell.closest('table').caption;
    off.push((caption ? caption.textContent.trim() : 'a table without a caption') + ': '
      + (cell.textContent.trim().slice(0, 40) || '(empty cell)')
      + ' (' + Math.round(box.left) + ' to ' + Math.round(box.right) + ' px of ' + vw + ')');
  }
  return off;
}
"""

# Table wrappers that are a tab stop without scrolling, or scroll without
# being one.
WRAPPERS_JS = """
() => [...document.querySelectorAll('.app-table-wrapper')].flatMap((wrapper) => {
  const scrolls = wrapper.scrollWidth > wrapper.clientWidth;
  const tabStop = wrapper.getAttribute('tabindex') === '0';
  if (scrolls === tabStop) return [];
  const name = wrapper.getAttribute('aria-label') || wrapper.getAttribute('aria-labelledby');
  return [name + (scrolls ? ' scrolls but is no tab stop' : ' is a tab stop but does not scroll')
    + ' (' + wrapper.scrollWidth + ' px of content in ' + wrapper.clientWidth + ' px)'];
})
"""


def at_width(page, width):
    page.set_viewport_size({"width": width, "height": HEIGHT})
    page.evaluate(SETTLE_JS)


def check_small_screen(journey, name):
    """journey.check, then the cells and wrappers at each width."""
    journey.check(name)
    page = journey.page
    where = f"{name}: {page.url.removeprefix(journey.base_url)}"
    try:
        for width in WIDTHS:
            at_width(page, width)
            for problem in page.evaluate(WRAPPERS_JS):
                journey.problems.append(f"[{where} @ {width}px] table wrapper: {problem}")
            if width == NARROW:
                for cell in page.evaluate(CELLS_OFF_SCREEN_JS):
                    journey.problems.append(f"[{where} @ {width}px] cell off-screen: {cell}")
    finally:
        at_width(page, WIDE)


def visit(journey, name, path, heading):
    journey.goto(path)
    expect(journey.page.get_by_role("heading", level=1)).to_contain_text(heading)
    check_small_screen(journey, name)


def test_the_sign_in_error_says_the_same_in_summary_and_field(journey):
    page = journey.page
    journey.goto("/sign-in/")
    page.fill("#id_username", "hr")
    page.fill("#id_password", "not the password")
    page.get_by_role("button", name="Sign in").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(page).to_have_title(re.compile(r"^Error: Sign in – "))
    link = summary.get_by_role("link")
    message = page.locator("#id_username-error")
    expect(message).to_contain_text(link.inner_text())
    check_small_screen(journey, "sign-in-error")
    link.click()
    expect(page.locator("#id_username")).to_be_focused()
    journey.assert_accessible()


def test_pages_read_on_a_small_screen(journey):
    page = journey.page
    journey.sign_in("hr", check=False)

    visit(journey, "list", "/profiles/", "Role profiles")
    visit(journey, "list-search", "/profiles/?q=incident", "Role profiles")
    expect(page).to_have_title("Search: incident – Role profiles – Competency framework")

    visit(journey, "profile", f"/profiles/{SLUG}/", TITLE)
    visit(journey, "version", f"/profiles/{SLUG}/versions/1/", TITLE)
    expect(page).to_have_title(f"Version 1 – {TITLE} – Competency framework")
    visit(journey, "versions", f"/profiles/{SLUG}/versions/", "Versions and differences")
    visit(journey, "audit", f"/profiles/{SLUG}/history/", "Who changed what")

    visit(journey, "catalogue", "/catalogue/", "Catalogue")
    page.get_by_role("link", name="DDaT").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("DDaT")
    check_small_screen(journey, "catalogue-framework")
    page.get_by_role("link", name="Systems design").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Systems design")
    check_small_screen(journey, "catalogue-skill")
    visit(journey, "catalogue-knowledge", "/catalogue/knowledge/?q=cloud", "Knowledge and skills")
    expect(page).to_have_title(re.compile(r"^Search: cloud – Knowledge and skills – "))
    page.get_by_role("link", name="Cloud Platforms").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Cloud Platforms")
    check_small_screen(journey, "catalogue-component")

    # Adding items needs a draft.
    journey.goto(f"/profiles/{SLUG}/")
    page.get_by_role("button", name="Start a new draft").click()
    page.wait_for_url(re.compile(rf"/profiles/{SLUG}/edit/$"))
    visit(journey, "add-skill", f"/profiles/{SLUG}/edit/skills/?q=design", "Add organisation skill")
    level = page.get_by_role("combobox", name=re.compile(r"^Level for "))
    expect(level.first).to_be_visible()
    visit(journey, "add-knowledge", f"/profiles/{SLUG}/edit/knowledge/", "Add knowledge")
    page.get_by_role("button", name="Create and add").click()
    expect(page).to_have_title(re.compile(r"^Error: Add knowledge"))
    check_small_screen(journey, "add-knowledge-error")

    journey.assert_accessible()


def test_a_table_wrapper_is_a_tab_stop_only_while_it_scrolls(journey):
    page = journey.page
    journey.sign_in("hr", check=False)
    journey.goto(f"/profiles/{SLUG}/")
    wrapper = page.locator(".app-table-wrapper[aria-labelledby='knowledge']")
    expect(wrapper).to_have_count(1)
    expect(wrapper).not_to_have_attribute("tabindex", re.compile(".*"))

    # A word too long for any column widens the table past its wrapper.
    page.evaluate(
        """() => {
          const cell = document.querySelector(
            ".app-table-wrapper[aria-labelledby='knowledge'] tbody td");
          const word = document.createElement('span');
          word.id = 'long-word';
          word.textContent = 'x'.repeat(300);
          cell.append(word);
        }"""
    )
    expect(wrapper).to_have_attribute("tabindex", "0")
    results = journey.axe.run(page, options={"runOnly": ["scrollable-region-focusable"]})
    assert results.response["violations"] == []
    # The keyboard reaches it, and it shows where the focus is.
    wrapper.focus()
    expect(wrapper).to_be_focused()
    outline = wrapper.evaluate("(el) => getComputedStyle(el).outlineStyle")
    assert outline == "solid"

    # Stacked on a small screen, the word wraps: nothing to scroll.
    at_width(page, NARROW)
    expect(wrapper).not_to_have_attribute("tabindex", re.compile(".*"))
    at_width(page, WIDE)
    expect(wrapper).to_have_attribute("tabindex", "0")

    # Without the word, no scrolling and no tab stop.
    page.evaluate("() => document.getElementById('long-word').remove()")
    expect(wrapper).not_to_have_attribute("tabindex", re.compile(".*"))
    assert page.evaluate(WRAPPERS_JS) == []
    journey.assert_accessible()


@pytest.fixture
def no_javascript(browser, live_server, demo_data):
    context = browser.new_context(
        java_script_enabled=False,
        viewport={"width": NARROW, "height": HEIGHT},
        base_url=live_server.url,
    )
    page = context.new_page()
    yield page
    context.close()


def test_without_javascript_a_small_screen_needs_no_scrolling(no_javascript):
    page = no_javascript
    page.goto("/sign-in/")
    page.fill("#id_username", "hr")
    page.fill("#id_password", "demo")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/sign-in/" not in url)  # HR's home
    for path in (f"/profiles/{SLUG}/", "/catalogue/", f"/profiles/{SLUG}/history/"):
        page.goto(path)
        assert page.evaluate(CELLS_OFF_SCREEN_JS) == [], path
        # No wrapper scrolls, so none needs to be a tab stop.
        assert page.evaluate(WRAPPERS_JS) == [], path
