"""Every operation of the API's schema names the token scope it needs, and
refuses a token without it (403, nothing written), whatever its person may
do: a new endpoint that forgot to say its area fails here without a test
of its own, and so does a viewset that does not derive from the API's base
classes (which put the scope check before any permission it names)."""

import re

import pytest
from django.urls import get_resolver

from competency.api.models import AREAS, SCOPES
from competency.api.scopes import ANY_AREA, EVERY_AREA
from competency.api.views import ThrottleFirst
from competency.urls import router
from tests.api.helpers import SCHEMA, assert_problem, rows
from tests.cast import issue, with_token

OPERATIONS = [
    (method.upper(), path, operation)
    for path, operations in SCHEMA["paths"].items()
    for method, operation in operations.items()
    if method in {"get", "post", "put", "patch", "delete"}
]
# A background job is read by whoever started it, with any token: the call
# that started it needed its scope.
ANY_TOKEN = {"/api/v1/jobs/{id}/"}


def token_scope(operation):
    (requirement,) = [need for need in operation["security"] if "tokenAuth" in need]
    return requirement["tokenAuth"]


def address(path):
    given = {"section": "knowledge"}
    return re.sub(r"\{([^}]+)\}", lambda found: given.get(found.group(1), "1"), path)


def test_the_schema_has_the_operations_to_check():
    assert len(OPERATIONS) > 80


@pytest.mark.parametrize(
    "method, path, operation", OPERATIONS, ids=[f"{m} {p}" for m, p, _ in OPERATIONS]
)
def test_every_operation_names_the_scope_it_needs(method, path, operation):
    scopes = token_scope(operation)
    if path in ANY_TOKEN:
        assert scopes == []
        return
    areas = {scope.split(":")[0] for scope in scopes}
    # One area, or every area (a webhook's events tell of them all).
    assert len(scopes) == 1 or areas == set(AREAS), scopes
    for scope in scopes:
        area, access = scope.split(":")
        assert area in AREAS
        assert access == ("read" if method == "GET" else "write")


@pytest.mark.parametrize(
    "method, path, operation", OPERATIONS, ids=[f"{m} {p}" for m, p, _ in OPERATIONS]
)
def test_every_operation_refuses_an_hr_token_without_its_scope(hr_user, method, path, operation):
    if path in ANY_TOKEN:
        pytest.skip("any token reads the jobs its person started")
    # The last scope it needs (of one, or of each area's) is the one missing.
    scope = token_scope(operation)[-1]
    area, access = scope.split(":")
    # Everything else, and for a write the area's read too.
    held = [s for s in SCOPES if s != scope and (access == "write" or not s.startswith(area))]
    token, raw = issue(hr_user)
    token.scopes = held
    token.save(update_fields=["scopes"])
    before = rows()
    response = with_token(raw).generic(method, address(path), "{}", content_type="application/json")
    body = assert_problem(response, 403)
    assert "scope" in body["detail"]
    assert rows() == before


def _viewsets():
    return [viewset for _, viewset, _ in router.registry]


def test_every_viewset_declares_an_area_and_checks_scopes():
    for viewset in _viewsets():
        assert issubclass(viewset, ThrottleFirst), viewset
        assert viewset.api_area in {*AREAS, ANY_AREA, EVERY_AREA}, viewset


def test_every_api_address_is_a_router_viewset_or_the_plumbing():
    """An API view outside the router would escape the check above."""
    api = get_resolver().url_patterns
    (namespace,) = [p for p in api if getattr(p, "namespace", None) == "api"]
    names = {getattr(p, "name", None) for p in namespace.url_patterns}
    assert names - {None} <= {"schema", "swagger", "redoc"}
