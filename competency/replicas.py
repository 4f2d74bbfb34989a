"""Reads from a PostgreSQL streaming replica, when one is configured.

With `REPLICA_DATABASE_URL` set, the settings add a `replica` database and
install `ReplicaRouter` and `ReadFromReplica`. The rules, in one place:

- Only a request may read from the replica, and only a safe one (GET, HEAD,
  OPTIONS) from a caller who has not written lately. Management commands,
  background tasks and migrations read the primary: they act on what they
  read, and a replica may be a moment behind.
- Read-your-writes: a caller who wrote (any request that wrote a row) is
  pinned to the primary for `REPLICA_PIN_SECONDS` (10 unless set), so the
  page they are sent to after a save shows the save. The pin is kept in the
  shared cache under a digest of the caller's session cookie or API token,
  so every web process sees it (with several processes, the cache must be
  shared: REDIS_URL).
- Inside a transaction every read goes to the primary: a transaction reads
  what it is about to change.
- A replica that does not answer is left alone for `REPLICA_RETRY_SECONDS`
  (5 unless set) while the primary answers everything; each process asks
  again after that.
"""

import contextvars
import hashlib
import time

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connections

REPLICA = "replica"
PRIMARY = "default"

# Whether the request being served may read from the replica; False outside
# requests (commands, tasks, the test runner's own set-up).
_may_read_replica = contextvars.ContextVar("may_read_replica", default=False)
# Whether the request being served has written.
_wrote = contextvars.ContextVar("wrote", default=False)

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


# The credentials of a request, sessions and API tokens, are read from the
# primary always (one read by key per request): one made a moment ago may
# not have reached the replica yet. Their own bookkeeping (a session's last
# activity, a token's last use) pins nobody to the primary.
PRIMARY_ONLY = frozenset({"sessions.session", "api.apitoken"})


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if (
            _may_read_replica.get()
            and model._meta.label_lower not in PRIMARY_ONLY
            and not connections[PRIMARY].in_atomic_block
        ):
            return REPLICA
        return PRIMARY

    def db_for_write(self, model, **hints):
        if model._meta.label_lower not in PRIMARY_ONLY:
            _wrote.set(True)
            _may_read_replica.set(False)
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        # Both aliases hold the same rows.
        return True

    def allow_migrate(self, db, app_label, **hints):
        return db == PRIMARY


class _Health:
    """When this process last found the replica down (0: it answered)."""

    down_since = 0.0


def replica_answers():
    """Whether the replica answers. Asked on each request that may read it:
    opening a cursor runs Django's health check of a kept connection (one
    `SELECT 1`, about 0.1 ms on loopback) or connects. A replica that stops
    between this check and a read costs that one request a 500."""
    retry = getattr(settings, "REPLICA_RETRY_SECONDS", 5)
    if _Health.down_since and time.monotonic() - _Health.down_since < retry:
        return False
    connection = connections[REPLICA]
    try:
        connection.cursor().close()
    except DatabaseError:
        connection.close()
        _Health.down_since = time.monotonic()
        return False
    _Health.down_since = 0.0
    return True


def _pin_key(credential):
    """The cache key of a caller's pin: a digest, never the credential."""
    if not credential:
        return None
    return "replica-pin:" + hashlib.sha256(credential.encode()).hexdigest()


def _caller_key(request):
    return _pin_key(
        request.META.get("HTTP_AUTHORIZATION") or request.COOKIES.get(settings.SESSION_COOKIE_NAME)
    )


class ReadFromReplica:
    """Decides for each request whether its reads may go to the replica, and
    pins a caller who wrote to the primary for a while."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        key = _caller_key(request)
        pinned = key is not None and cache.get(key) is not None
        may_read = request.method in SAFE_METHODS and not pinned and replica_answers()
        replica_token = _may_read_replica.set(may_read)
        wrote_token = _wrote.set(False)
        try:
            response = self.get_response(request)
            if _wrote.get():
                # A sign-in gives a new session cookie: it is pinned too.
                for pin in {key, _new_session_key(response)} - {None}:
                    cache.set(pin, 1, getattr(settings, "REPLICA_PIN_SECONDS", 10))
            # For operators and the tests: where this request's reads went.
            response["X-Read-From"] = "replica" if _may_read_replica.get() else "primary"
            return response
        finally:
            _may_read_replica.reset(replica_token)
            _wrote.reset(wrote_token)


def _new_session_key(response):
    morsel = response.cookies.get(settings.SESSION_COOKIE_NAME)
    return _pin_key(morsel.value if morsel is not None else None)
