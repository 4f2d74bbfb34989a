"""Browser tests: Playwright (sync API) driving Debian's /usr/bin/chromium
against pytest-django's live server, with axe-core on every page
(tests/browser/journey.py).

- One browser per session; a fresh context (so no cookies) and page per test.
- `journey`: the test's page, with the checks of tests/browser/journey.py.

Playwright never downloads a browser here: Chromium comes from Debian
(`make chromium`).
"""

import io
import os
from pathlib import Path

import pytest
from django.core.management import call_command

from tests.browser.journey import (
    CHROMIUM,
    CHROMIUM_ARGS,
    HEIGHT,
    STYLESHEET,
    TIMEOUT_MS,
    WIDE,
    Journey,
)
from tests.cast import restore_what_the_migrations_made
from tests.paths import ROOT

# The playwright sync API runs an event loop in this thread; Django's ORM
# refuses to run in a thread with a running loop unless told it may.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"


def pytest_collection_modifyitems(items):
    here = Path(__file__).resolve().parent
    for item in items:
        if here in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.browser)


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "browser: drives Chromium against the live server (tests/browser/)"
    )


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"{CHROMIUM} is missing: install Debian's Chromium with `make chromium` "
            "(never `playwright install`)."
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def axe():
    from axe_playwright_python.sync_playwright import Axe

    return Axe()


@pytest.fixture
def demo_data(transactional_db, settings):
    """DDaT, the seven published DevOps demo profiles and the demo users."""
    restore_what_the_migrations_made()
    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())
    settings.DEBUG = False


@pytest.fixture
def journey(browser, axe, live_server, demo_data):
    yield from _journey(browser, axe, live_server)


@pytest.fixture
def journey_without_data(browser, axe, live_server, transactional_db):
    """A journey through pages that need no demo data (the API's
    documentation, open to anyone): without seed_demo's seconds."""
    yield from _journey(browser, axe, live_server)


def _journey(browser, axe, live_server):
    if not STYLESHEET.exists():
        pytest.fail(f"{STYLESHEET.relative_to(ROOT)} is missing: run `npm run build` first.")
    context = browser.new_context(
        viewport={"width": WIDE, "height": HEIGHT}, base_url=live_server.url
    )
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    journey = Journey(page, live_server.url, axe)
    yield journey
    if journey.problems:
        # The test failed before its final assertion: show what was found so far.
        print("\nProblems found before the test stopped:\n\n" + "\n\n".join(journey.problems))
    context.close()
