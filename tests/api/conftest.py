"""Profiles in each state for the API tests (the people and their clients
are the cast's: tests/cast.py)."""

import pytest

from profiles import lifecycle
from tests import factories


@pytest.fixture
def published(db):
    """A published profile, version 1, with a job family."""
    family = factories.JobFamilyFactory(name="Data", slug="data")
    data_engineer = factories.RoleProfileFactory(
        title="Data Engineer", slug="data-engineer", job_family=family
    )
    lifecycle.publish_profile(profile=data_engineer, change_note="First")
    data_engineer.refresh_from_db()
    return data_engineer


@pytest.fixture
def draft_only(db):
    """A profile never published, in a job family of its own."""
    family = factories.JobFamilyFactory(name="Secret plans", slug="secret-plans")
    return factories.RoleProfileFactory(
        title="Payroll Officer", slug="payroll-officer", job_family=family, summary="Hidden"
    )
