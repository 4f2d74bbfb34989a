import importlib
import os
import shutil
from pathlib import Path

import pytest
from django.contrib.auth.models import Group

from competency.models import Framework, Level

ROOT = Path(__file__).resolve().parent.parent
# ../shared is beside the repository on the team's machines and in CI, not
# in a bare clone: tests of the published sample itself skip without it,
# and every other test uses the project's own pages in the same layout.
SHARED = Path(os.environ.get("SHARED_DIR") or ROOT.parent / "shared")
SAMPLE = SHARED / "samples" / "senior-devops-engineer-management.txt"
needs_shared = pytest.mark.skipif(
    not SAMPLE.exists(),
    reason=f"needs the published sample in {SHARED}, which a clone of the repository alone "
    "does not have (the project's fixtures cover the same parser paths)",
)
# A page of the project's own, in the published layout, with the sample's slug.
OWN_PAGE = ROOT / "fixtures" / "profiles" / "senior-devops-engineer-management.txt"
DATA = Path(__file__).resolve().parent / "profiles" / "data"

DDAT_LEVELS = ["Awareness", "Working", "Practitioner", "Expert"]


def pytest_sessionstart(session):
    """Screenshots of this run only (the folder is git-ignored). Cleared once,
    by the run that hands out the tests: each of pytest-xdist's workers has a
    session of its own, and one clearing would delete the other's pictures."""
    if not hasattr(session.config, "workerinput"):
        shutil.rmtree(ROOT / "artifacts" / "screenshots", ignore_errors=True)


@pytest.fixture
def ddat(db):
    """The DDaT framework with its four-level scale, as seed_demo loads it."""
    framework = Framework.objects.create(name="DDaT", slug="ddat")
    for rank, name in enumerate(DDAT_LEVELS, start=1):
        Level.objects.create(framework=framework, rank=rank, name=name)
    return framework


@pytest.fixture
def sample_bytes():
    return SAMPLE.read_bytes()


def restore_what_the_migrations_made():
    """The live server needs a transactional database, which is flushed
    after each test: the groups made by profiles/migrations/0005_groups.py go
    with it (the flush's post_migrate signal puts back only the content types
    and permissions). Put them back as that migration makes them.

    (tests/browser/, tests/api/test_readme_walkthrough.py.) Serialized
    rollback would do this, but not reliably with the browser tests: once
    Playwright's sync API runs its event loop in this thread, Django hands
    the test a different connection object from the one that holds the
    serialized data."""
    from django.apps import apps
    from django.contrib.auth.management import create_permissions
    from django.contrib.auth.models import Group, Permission

    from competency import roles

    groups = importlib.import_module("profiles.migrations.0005_groups")
    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0)
    for name in groups.GROUPS:
        Group.objects.get_or_create(name=name)
    Group.objects.get(name=roles.HR).permissions.add(
        *Permission.objects.filter(content_type__app_label__in=groups.HR_APPS)
    )


# The cast: an HR officer, a line manager and a member of staff, each signed
# in on the test client (one client per test, so one person per test).
def member_of(group_name, username):
    from tests import factories

    user = factories.UserFactory(username=username)
    user.groups.add(Group.objects.get(name=group_name))
    return user


@pytest.fixture
def hr_user(db):
    return member_of("HR", "harriet")


@pytest.fixture
def hr(client, hr_user):
    client.force_login(hr_user)
    return client


@pytest.fixture
def staff(client, db):
    client.force_login(member_of("Staff", "sam"))
    return client


@pytest.fixture
def manager(client, db):
    client.force_login(member_of("Line managers", "mo"))
    return client


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache (published versions' bodies are
    kept there), so no test reads what another drew."""
    from django.core.cache import cache

    cache.clear()
