"""The request id: the proxy's X-Request-ID kept when it is a sane token,
a new one otherwise, echoed on the response and carried into Celery tasks."""

import re

import pytest

from competency import request_id

GENERATED = re.compile(r"[0-9a-f]{32}")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "given",
    ["0f8fad5b-d9cb-469f-a165-70867728950e", "Root=1-5e6722a7-cc2xmpl46db7ae98d2", "a" * 200],
    ids=["uuid", "aws-trace", "longest"],
)
def test_the_proxys_id_is_kept_and_echoed(client, given):
    response = client.get("/healthz", headers={"X-Request-ID": given})
    assert response["X-Request-ID"] == given


@pytest.mark.django_db
@pytest.mark.parametrize(
    "given",
    ["", "a" * 201, "two words", "line\r\nInjected: header", "<script>", "é"],
    ids=["empty", "too-long", "space", "newline", "markup", "non-ascii"],
)
def test_an_unusable_id_is_replaced_by_a_new_one(client, given):
    response = client.get("/healthz", headers={"X-Request-ID": given})
    assert GENERATED.fullmatch(response["X-Request-ID"])


@pytest.mark.django_db
def test_each_request_without_an_id_gets_its_own(client):
    first = client.get("/healthz")["X-Request-ID"]
    second = client.get("/healthz")["X-Request-ID"]
    assert GENERATED.fullmatch(first) and GENERATED.fullmatch(second)
    assert first != second
    # Outside a request there is none.
    assert request_id.get() == "-"


@pytest.mark.django_db
def test_a_refused_request_carries_its_id_too(client):
    """Error pages are what users report: their id must be there."""
    response = client.get("/people/", headers={"X-Request-ID": "refused-1"})
    assert response.status_code == 302  # to sign in
    assert response["X-Request-ID"] == "refused-1"


def test_bound_sets_the_id_for_a_block_and_puts_back_what_was_there():
    with request_id.bound("outer"):
        with request_id.bound("inner") as value:
            assert value == "inner" == request_id.get()
        assert request_id.get() == "outer"
    assert request_id.get() == "-"
