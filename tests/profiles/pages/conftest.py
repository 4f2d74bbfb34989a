"""Profiles in each state for the page tests (the cast of people is in
tests/cast.py)."""

import pytest

from profiles import lifecycle
from tests import factories
from tests.paths import DATA
from tests.profiles.helpers import run


@pytest.fixture
def lead(ddat):
    """A published profile: Lead Data Engineer – Technical, version 1."""
    run("import_profile", str(DATA / "lead-data-engineer-technical.txt"), "--publish")
    from profiles.models import RoleProfile

    return RoleProfile.objects.get(slug="lead-data-engineer-technical")


@pytest.fixture
def draft(db):
    """A profile that has never been published."""
    return factories.RoleProfileFactory(title="Payroll Officer", slug="payroll-officer")


@pytest.fixture
def archived(db):
    profile = factories.RoleProfileFactory(title="Mainframe Operator", slug="mainframe-operator")
    lifecycle.publish_profile(profile=profile)
    lifecycle.archive_profile(profile=profile)
    return profile
