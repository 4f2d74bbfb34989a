import shutil

import pytest

from tests.paths import ROOT

# The cast (tests/cast.py): the organisation, its people and their clients,
# for every test.
pytest_plugins = ["tests.cast"]


def pytest_sessionstart(session):
    """Screenshots of this run only (the folder is git-ignored). Cleared once,
    by the run that hands out the tests: each of pytest-xdist's workers has a
    session of its own, and one clearing would delete the other's pictures."""
    if not hasattr(session.config, "workerinput"):
        shutil.rmtree(ROOT / "artifacts" / "screenshots", ignore_errors=True)


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache (published versions' bodies are
    kept there), so no test reads what another drew."""
    from django.core.cache import cache

    cache.clear()
