"""Tokens with scopes: HR give a token only what its integration needs, and
it never has more than its person's rights. (That every operation checks
its scope is tests/api/test_every_route_for_scoped_tokens.py.)"""

import importlib

import pytest
from django.apps import apps
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory, force_authenticate

from competency.api.models import READ_ONLY, SCOPES, ApiToken
from competency.api.views import GenericViewSet
from tests.api.helpers import assert_problem
from tests.cast import issue, with_token

pytestmark = pytest.mark.django_db


def scoped(user, scopes):
    token, raw = issue(user)
    ApiToken.objects.filter(pk=token.pk).update(scopes=scopes)
    return with_token(raw)


def test_a_learning_platforms_token_reads_profiles_and_nothing_else(hr_user, published):
    api = scoped(hr_user, ["profiles:read"])
    assert api.get("/api/v1/profiles/").status_code == 200
    assert api.get("/api/v1/skills/").status_code == 200
    for path in ("/api/v1/people/", "/api/v1/appraisals/", "/api/v1/cycles/"):
        assert_problem(api.get(path), 403)
    # HR's own right to write, but not the token's.
    assert_problem(api.post("/api/v1/profiles/", {"title": "X"}, format="json"), 403)


def test_a_read_only_token_reads_every_area_and_writes_none(hr_user):
    api = scoped(hr_user, READ_ONLY)
    for path in ("/api/v1/profiles/", "/api/v1/people/", "/api/v1/appraisals/"):
        assert api.get(path).status_code == 200
    assert_problem(api.post("/api/v1/people/", {}, format="json"), 403)


def test_write_includes_read(hr_user):
    assert scoped(hr_user, ["people:write"]).get("/api/v1/people/").status_code == 200


def test_scopes_never_give_more_than_the_persons_rights(staff_user):
    api = scoped(staff_user, SCOPES)
    assert_problem(api.get("/api/v1/cycles/"), 403)  # HR's
    assert_problem(api.post("/api/v1/profiles/", {"title": "X"}, format="json"), 403)


class Forgetful(GenericViewSet):
    """A viewset whose author forgot to say its area."""

    def list(self, request):
        return Response([])


def test_a_view_that_names_no_area_refuses_every_token_and_not_a_session(hr_user):
    view = Forgetful.as_view({"get": "list"})
    token, _ = issue(hr_user)
    request = APIRequestFactory().get("/")
    force_authenticate(request, user=hr_user, token=token)
    assert view(request).status_code == 403
    request = APIRequestFactory().get("/")
    force_authenticate(request, user=hr_user)
    assert view(request).status_code == 200


def test_hr_make_a_read_only_token_on_the_tokens_page(hr_api, staff_user):
    page = hr_api.get("/api/tokens/").content.decode()
    # Every box ticked at first: the person's full rights, as before scopes.
    assert page.count('type="checkbox"') == len(SCOPES)
    assert page.count(" checked") == len(SCOPES)
    hr_api.post(
        "/api/tokens/",
        {"name": "Reader", "user": staff_user.pk, "days": 30, "scopes": READ_ONLY},
    )
    token = ApiToken.objects.get(name="Reader")
    assert token.scopes == READ_ONLY and not token.has_full_rights
    listed = hr_api.get("/api/tokens/").content.decode()
    assert "profiles:read, people:read, appraisals:read" in listed


def test_a_token_may_do_something(hr_api, staff_user):
    page = hr_api.post("/api/tokens/", {"name": "Nothing", "user": staff_user.pk, "days": 30})
    assert "Tick at least one thing the token may do." in page.content.decode()
    assert not ApiToken.objects.filter(name="Nothing").exists()


def test_tokens_made_before_scopes_keep_their_persons_full_rights(hr_user):
    migration = importlib.import_module("competency.api.migrations.0002_token_scopes")
    token, _ = issue(hr_user)
    ApiToken.objects.filter(pk=token.pk).update(scopes=[])
    migration.full_rights(apps, None)
    token.refresh_from_db()
    assert token.has_full_rights and sorted(token.scopes) == sorted(SCOPES)
