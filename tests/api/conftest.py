"""The API's cast: one DRF client per person (never the shared `client`),
tokens in each state, and profiles in each state. The appraisals' cast
(`cast`: HR, a head, a manager, their report, another manager and their
report) and its `appraisal` come from tests/appraisals/conftest.py."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from competency.api.models import ApiToken
from profiles import lifecycle
from tests import factories
from tests.appraisals.conftest import appraisal, cast, cycle, profile  # noqa: F401
from tests.conftest import member_of

PROBLEM = "application/problem+json"


def signed_in(user):
    client = APIClient()
    client.force_login(user)
    return client


def with_token(raw):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
    return client


@pytest.fixture
def hr_person(db):
    return member_of("HR", "harriet")


@pytest.fixture
def manager_person(db):
    return member_of("Line managers", "mo")


@pytest.fixture
def staff_person(db):
    return member_of("Staff", "sam")


@pytest.fixture
def hr_api(hr_person):
    return signed_in(hr_person)


@pytest.fixture
def manager_api(manager_person):
    return signed_in(manager_person)


@pytest.fixture
def staff_api(staff_person):
    return signed_in(staff_person)


@pytest.fixture
def anonymous_api():
    return APIClient()


def issue(user, *, days=30, **fields):
    token, raw = ApiToken.issue(
        name="HR system", user=user, expires_at=timezone.now() + timedelta(days=days)
    )
    if fields:
        ApiToken.objects.filter(pk=token.pk).update(**fields)
    return token, raw


@pytest.fixture
def hr_token_api(hr_person):
    return with_token(issue(hr_person)[1])


@pytest.fixture
def revoked_api(hr_person):
    return with_token(issue(hr_person, revoked_at=timezone.now())[1])


@pytest.fixture
def expired_api(hr_person):
    return with_token(issue(hr_person, days=-1)[1])


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


def assert_problem(response, status):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    assert body["status"] == status
    assert set(body) >= {"type", "title", "status", "detail"}
    assert body["title"] and body["detail"]
    return body
