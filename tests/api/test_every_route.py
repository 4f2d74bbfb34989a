"""Every operation of the API's schema refuses a caller who is not signed in,
or whose token is revoked or expired, with a 401 and writes nothing: a new
endpoint that forgot its permission fails here without a line of its own."""

import re

import pytest

from tests.api.helpers import SCHEMA, assert_problem, rows
from tests.cast import issue, with_token

# What the schema says is open to anyone: the schema and its pages are not
# operations of it.
OPERATIONS = [
    (method.upper(), path)
    for path, operations in SCHEMA["paths"].items()
    for method in operations
    if method in {"get", "post", "put", "patch", "delete"}
]


def address(path):
    """The path with each parameter filled in: ids that need not exist (the
    sign-in is checked before any row is looked up)."""
    given = {"section": "knowledge"}  # one of the sections the address names
    return re.sub(r"\{([^}]+)\}", lambda found: given.get(found.group(1), "1"), path)


def test_the_schema_has_the_operations_to_check():
    assert len(OPERATIONS) > 80


@pytest.mark.parametrize("method, path", OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_every_operation_refuses_callers_who_are_not_signed_in(
    anonymous_api, hr_user, method, path
):
    revoked = with_token(issue(hr_user, revoked_at="2020-01-01T00:00:00Z")[1])
    expired = with_token(issue(hr_user, days=-1)[1])
    before = rows()
    for client in (anonymous_api, revoked, expired):
        response = client.generic(method, address(path), "{}", content_type="application/json")
        assert_problem(response, 401)
    assert rows() == before
