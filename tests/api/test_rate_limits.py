"""Rate limits: counted in the shared cache (so every worker on one Redis
counts one budget), told on every answer in RateLimit / RateLimit-Policy
(draft-ietf-httpapi-ratelimit-headers), Retry-After on a 429; and pages
linked in a Link header (RFC 8288)."""

import re
import uuid

import pytest
import redis

from competency.api import throttling
from tests import factories
from tests.api.helpers import assert_problem
from tests.cast import issue, with_token

pytestmark = pytest.mark.django_db

# This branch's own Redis database: the worker tests use 1.
REDIS_URL = "redis://127.0.0.1:6379/6"
RATE_LIMIT = re.compile(r'^"(caller|anonymous)";r=(\d+);t=(\d+)$')


def rates(monkeypatch, caller="600/min", anonymous="60/min"):
    monkeypatch.setattr(throttling.CallerThrottle, "THROTTLE_RATES", {"caller": caller})
    monkeypatch.setattr(throttling.AnonymousThrottle, "THROTTLE_RATES", {"anonymous": anonymous})


def left(response):
    scope, remaining, reset = RATE_LIMIT.match(response["RateLimit"]).groups()
    assert 1 <= int(reset) <= 60
    return scope, int(remaining)


def test_every_answer_says_the_policy_and_what_is_left(monkeypatch, staff_api, anonymous_api):
    rates(monkeypatch, caller="5/min", anonymous="3/min")
    ok = staff_api.get("/api/v1/profiles/")
    assert ok.status_code == 200
    assert ok["RateLimit-Policy"] == '"caller";q=5;w=60'
    assert left(ok) == ("caller", 4)
    # Refusals too: a 404, an unknown address.
    assert left(assert_404(staff_api.get("/api/v1/profiles/nobody/"))) == ("caller", 3)
    assert left(assert_404(staff_api.get("/api/v1/nowhere/"))) == ("caller", 2)
    signed_out = anonymous_api.get("/api/v1/profiles/")
    assert signed_out["RateLimit-Policy"] == '"anonymous";q=3;w=60'
    assert left(signed_out) == ("anonymous", 2)


def assert_404(response):
    assert_problem(response, 404)
    return response


def test_a_429_says_when_to_come_back(monkeypatch, staff_api):
    rates(monkeypatch, caller="1/min")
    assert staff_api.get("/api/v1/profiles/").status_code == 200
    refused = staff_api.get("/api/v1/profiles/")
    assert_problem(refused, 429)
    assert left(refused) == ("caller", 0)
    assert 1 <= int(refused["Retry-After"]) <= 60


@pytest.fixture
def shared_redis(settings):
    """The default cache on Redis (database 6), as with REDIS_URL, and a
    second cache alias on the same Redis: another client, as another
    worker process would hold."""
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as error:
        pytest.skip(f"Redis is not answering at {REDIS_URL} (make redis starts it): {error}")
    cache = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": f"rate-{uuid.uuid4().hex}",
    }
    settings.CACHES = {"default": cache, "other": dict(cache)}
    yield
    from django.core.cache import caches

    caches["default"].clear()


class OtherWorkersThrottle(throttling.CallerThrottle):
    cache_alias = "other"


def test_two_workers_on_one_redis_share_one_count(monkeypatch, shared_redis, staff_user):
    rates(monkeypatch, caller="3/min")
    token, raw = issue(staff_user)
    api = with_token(raw)
    assert left(api.get("/api/v1/profiles/")) == ("caller", 2)
    # Another worker counts the same caller's next request in the same count.
    request = type("Request", (), {"user": staff_user, "auth": token})()
    other = OtherWorkersThrottle()
    assert other.allow_request(request, None) and other.remaining == 1
    assert left(api.get("/api/v1/profiles/")) == ("caller", 0)
    assert_problem(api.get("/api/v1/profiles/"), 429)
    assert not OtherWorkersThrottle().allow_request(request, None)


def test_pages_are_linked_in_a_link_header(hr_api, db):
    for n in range(3):
        factories.RoleProfileFactory(title=f"Role {n}", slug=f"role-{n}")
    first = hr_api.get("/api/v1/profiles/", {"page_size": 1})
    body = first.json()
    assert first["Link"] == f'<{body["next"]}>; rel="next"'
    second = hr_api.get(body["next"])
    links = dict((rel, url) for url, rel in re.findall(r'<([^>]+)>; rel="(\w+)"', second["Link"]))
    assert links == {"next": second.json()["next"], "prev": second.json()["previous"]}
    # The last page has no next.
    last = hr_api.get(second.json()["next"])
    assert 'rel="next"' not in last["Link"] and 'rel="prev"' in last["Link"]
