import shutil

import pytest

from tests.cast import groups_are_there
from tests.paths import ROOT

# The cast (tests/cast.py): the organisation, its people and their clients,
# for every test; a real SMTP server (tests/smtp.py) and a real Celery
# worker (tests/workers.py) for those that ask.
pytest_plugins = ["tests.cast", "tests.smtp", "tests.workers"]


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


# Fixtures that give a test the database.
DATABASE_FIXTURES = {"db", "transactional_db", "live_server", "django_db_reset_sequences"}


@pytest.fixture(autouse=True)
def _migrations_rows(request):
    """The groups and rights the migrations make, put back for each test
    that uses the database. A transactional test's flush (the live server's,
    a race's, a backup's, a real worker's) empties every table and Django
    puts back only content types and permissions; a test never depends on
    which tests ran before it on its xdist worker. Serialized rollback would
    too, but it fails after a flush that has already put content types back
    (duplicate keys), which the browser tests' flushes do."""
    if request.node.get_closest_marker("django_db") or DATABASE_FIXTURES & set(
        request.fixturenames
    ):
        request.getfixturevalue("_django_db_helper")
        groups_are_there()
