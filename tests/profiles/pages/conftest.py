"""A named cast for the page tests: an HR officer, a line manager, a member
of staff, and profiles in each state."""

import pytest
from django.contrib.auth.models import Group

from profiles import services
from tests import factories
from tests.conftest import DATA
from tests.profiles.helpers import run


def member_of(group_name, username):
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
    services.publish_profile(profile=profile)
    services.archive_profile(profile=profile)
    return profile
