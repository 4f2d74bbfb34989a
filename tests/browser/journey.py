"""A page in a fresh browser context and the checks made on each page of a
journey (the browser tests' library; their fixtures are in conftest.py).

- `journey.check(name)` runs axe-core with the WCAG 2.2 A and AA rules at
  1280 px and at 320 px wide, checks the page reflows at 320 px (WCAG 1.4.10)
  and, for the main pages when SCREENSHOTS=1 (`make screenshots`), saves
  screenshots to artifacts/screenshots/<name>-<width>.png. Problems are collected so one run
  lists every page's problems; `journey.assert_accessible()` at the end of a
  test fails with the whole list.
- JavaScript errors and failed requests for a page's assets (a missing
  stylesheet, say) are problems too, and so is anything the page's
  Content-Security-Policy refused (each `securitypolicyviolation` event, on
  every page the test passes through, checked or not), and a page of the
  site answered without that policy.
"""

import os
import re

from playwright.sync_api import expect

from tests.paths import ROOT

SCREENSHOTS = ROOT / "artifacts" / "screenshots"
# Whole-page pictures of every checked page at each width are a sixth of
# the journeys' CPU, and CI looks at none of them: taken when a person asks
# to look at the pages (`make screenshots`, or SCREENSHOTS=1).
TAKE_SCREENSHOTS = os.environ.get("SCREENSHOTS", "") not in ("", "0")
STYLESHEET = ROOT / "static" / "dist" / "app.css"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]

WIDE, NARROW = 1280, 320
HEIGHT = 900
WIDTHS = (WIDE, NARROW)
# A common phone's width, for journeys people take on their phones (the
# appraisal): axe and a screenshot there too; reflow is checked at NARROW.
PHONE = 375
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": WCAG_TAGS},
    "resultTypes": ["violations"],
}
TIMEOUT_MS = 10_000
SCREENSHOT_TIMEOUT_MS = 60_000

DEMO_PASSWORD = "demo"

# Reports each Content-Security-Policy violation to the test as it happens:
# run in every document before its own scripts (Playwright's init scripts and
# bindings are not subject to the page's policy), so a violation on a page
# the test only passes through is caught too.
CSP_LISTENER_JS = """
document.addEventListener('securitypolicyviolation', (event) => {
  window.reportCspViolation({
    document: event.documentURI,
    directive: event.violatedDirective,
    blocked: event.blockedURI,
    source: event.sourceFile ? event.sourceFile + ':' + event.lineNumber : '',
    sample: event.sample,
  });
}, true);
"""

# The reflow check: if the page is wider than a 320 px viewport, name the
# outermost elements that stick out without being clipped by a scrolling
# container (a table wrapper that scrolls on its own is fine, but an
# absolutely positioned child whose containing block is outside that wrapper
# escapes it and widens the page).
REFLOW_JS = """
() => {
  const root = document.documentElement;
  const vw = root.clientWidth;
  if (root.scrollWidth <= vw) return null;
  const describe = (el) => {
    let text = el.tagName.toLowerCase();
    if (el.id) text += '#' + el.id;
    const classes = (el.getAttribute('class') || '').trim().split(/\\s+/).filter(Boolean);
    if (classes.length) text += '.' + classes.join('.');
    return text;
  };
  const clipped = (el) => {
    const position = getComputedStyle(el).position;
    if (position === 'fixed') return true;
    const block = position === 'absolute' ? el.offsetParent : null;
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      const overflow = getComputedStyle(p).overflowX;
      if (overflow === 'visible') continue;
      if (position !== 'absolute' || (block && (p === block || p.contains(block)))) return true;
    }
    return false;
  };
  const escapes = (el) => {
    const box = el.getBoundingClientRect();
    return (box.width > 0 || box.height > 0) && box.right > vw + 0.5 && !clipped(el);
  };
  const culprits = [];
  for (const el of document.body.querySelectorAll('*')) {
    if (!escapes(el)) continue;
    const parent = el.parentElement;
    if (parent && parent !== document.body && escapes(parent)) continue;
    const box = el.getBoundingClientRect();
    const inside = el.parentElement ? ' in ' + describe(el.parentElement) : '';
    culprits.push(describe(el) + inside + ' (' + getComputedStyle(el).position + ', '
      + Math.round(box.width) + ' px wide, right edge at ' + Math.round(box.right) + ' px)');
  }
  return {scrollWidth: root.scrollWidth, viewport: vw, count: culprits.length,
          culprits: culprits.slice(0, 4)};
}
"""


def _format_violation(where, violation):
    lines = [
        f"[{where}] {violation['id']} ({violation.get('impact') or 'n/a'}): "
        f"{violation['help']} <{violation.get('helpUrl', '')}>"
    ]
    for node in violation["nodes"][:8]:
        target = " ".join(str(part) for part in node["target"])
        html = re.sub(r"\s+", " ", node.get("html", ""))[:200]
        lines.append(f"    - {target}\n        {html}")
        summary = (node.get("failureSummary") or "").strip()
        if summary:
            lines.append("        " + re.sub(r"\s*\n\s*", " | ", summary)[:400])
    if len(violation["nodes"]) > 8:
        lines.append(f"    … and {len(violation['nodes']) - 8} more elements")
    return "\n".join(lines)


class Journey:
    """A page in a fresh browser context, plus the checks made on each page
    of a journey."""

    def __init__(self, page, base_url, axe):
        self.page = page
        self.base_url = base_url
        self.axe = axe
        self.problems = []
        self.checked = []
        # Addresses the policy is meant to refuse on a test's pages
        # (expect_refused): not problems.
        self.refusals_expected = set()
        # The widths each check runs axe (and takes screenshots) at.
        self.widths = WIDTHS
        page.on("pageerror", self._page_error)
        page.on("response", self._response)
        page.on("requestfailed", self._request_failed)
        page.expose_function("reportCspViolation", self._csp_violation)
        page.add_init_script(CSP_LISTENER_JS)

    # What the page reports by itself ------------------------------------

    def _page_error(self, error):
        self.problems.append(f"[{self.page.url}] JavaScript error: {error}")

    def expect_refused(self, url):
        """The policy refuses `url` on purpose (something a library's page
        asks for from the web, say): not a problem."""
        self.refusals_expected.add(url)

    def _csp_violation(self, violation):
        if violation["blocked"] in self.refusals_expected:
            return
        where = violation["document"].removeprefix(self.base_url)
        text = f"[{where}] Content-Security-Policy refused {violation['blocked'] or 'something'}"
        text += f" ({violation['directive']})"
        if violation["source"]:
            text += f" from {violation['source']}"
        if violation["sample"]:
            text += f": {violation['sample']!r}"
        self.problems.append(text)

    def _response(self, response):
        resource_type = response.request.resource_type
        if resource_type != "document" and response.status >= 400:
            self.problems.append(
                f"[{self.page.url}] asset {response.url} answered {response.status}"
            )
        if (
            resource_type == "document"
            and response.url.startswith(self.base_url)
            and "content-security-policy" not in response.headers
        ):
            self.problems.append(f"[{response.url}] answered without a Content-Security-Policy")

    def _request_failed(self, request):
        # ERR_ABORTED is Chromium cancelling a request because the page went
        # on to the next one before it finished: not the page's fault. A
        # missing asset answers 404 and is caught above; one the
        # Content-Security-Policy refused ("csp") is reported as a violation.
        failure = request.failure or ""
        refused = "ERR_ABORTED" in failure or failure == "csp"
        if request.resource_type != "document" and not refused:
            self.problems.append(f"[{self.page.url}] asset {request.url} failed: {request.failure}")

    # Navigation ---------------------------------------------------------

    def url(self, path):
        return self.base_url + path

    def goto(self, path):
        return self.page.goto(self.url(path))

    def sign_in(self, username, *, check=True):
        page = self.page
        self.goto("/sign-in/")
        expect(page.get_by_role("heading", name="Sign in", level=1)).to_be_visible()
        if check:
            self.check("sign-in", screenshot=False)
        page.fill("#id_username", username)
        page.fill("#id_password", DEMO_PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        # The home sends anyone without appraisals on to the role profiles,
        # and HR, staff and managers to their own home page.
        page.wait_for_url(lambda url: "/sign-in/" not in url)
        page.wait_for_load_state("load")

    # Checks ---------------------------------------------------------------

    def check(self, name, *, screenshot=True):
        """axe-core at each of the journey's widths, reflow at 320 px, and
        screenshots."""
        page = self.page
        page.wait_for_load_state("load")
        where_page = f"{name}: {page.url.removeprefix(self.base_url)}"
        self.checked.append(where_page)
        try:
            for width in self.widths:
                page.set_viewport_size({"width": width, "height": HEIGHT})
                # Let resize handlers and media queries settle.
                page.evaluate("() => new Promise(r => requestAnimationFrame(() => r()))")
                where = f"{where_page} @ {width}px"
                results = self.axe.run(page, options=AXE_OPTIONS)
                for violation in results.response["violations"]:
                    self.problems.append(_format_violation(where, violation))
                if width == NARROW:
                    overflow = page.evaluate(REFLOW_JS)
                    if overflow:
                        self.problems.append(
                            f"[{where}] reflow (WCAG 1.4.10): the page is "
                            f"{overflow['scrollWidth']} px wide in a {overflow['viewport']} px "
                            "viewport, so it scrolls sideways. Wider than the viewport: "
                            + "; ".join(overflow["culprits"] or ["(no single element found)"])
                            + (
                                f" … {overflow['count']} elements in all"
                                if overflow["count"] > len(overflow["culprits"])
                                else ""
                            )
                        )
                if screenshot and TAKE_SCREENSHOTS:
                    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
                    # A whole appraisal is a long page: drawn whole, it can take
                    # longer than a click may on a busy machine.
                    page.screenshot(
                        path=SCREENSHOTS / f"{name}-{width}.png",
                        full_page=True,
                        timeout=SCREENSHOT_TIMEOUT_MS,
                    )
        finally:
            page.set_viewport_size({"width": WIDE, "height": HEIGHT})

    def assert_accessible(self):
        problems, self.problems = self.problems, []
        assert not problems, (
            f"{len(problems)} accessibility or page problem(s) on the pages checked "
            f"({len(self.checked)} pages: {', '.join(self.checked)}):\n\n" + "\n\n".join(problems)
        )
