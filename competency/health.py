"""Readiness: may this process be sent traffic? (`/readyz`)

`/healthz` (competency/views.py) says the process is up and its database
answers; `/readyz` says everything a request may need is there: the
database, every migration applied (a new release whose migrations have not
run yet is not ready), the cache, and the Celery broker. What is not
configured is skipped and says so. Each check has a short timeout: a load
balancer asks every few seconds.
"""

import time
import uuid

from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

# Seconds to wait for Redis (the broker) before calling it unreachable.
BROKER_TIMEOUT = 1.0


class NotReady(Exception):
    """A check failed; the message says why (never a secret: no URLs)."""


def check_database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {}


def check_migrations():
    # The plan to reach every app's latest migration from what the database
    # records as applied: empty when the schema is this code's (~10 ms).
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if plan:
        names = [f"{migration.app_label}.{migration.name}" for migration, _ in plan]
        raise NotReady(f"{len(names)} not applied: {', '.join(names[:5])}")
    return {}


def check_cache():
    cache = caches["default"]
    key = f"readyz:{uuid.uuid4().hex}"
    cache.set(key, "1", timeout=10)
    found = cache.get(key)
    cache.delete(key)
    if found != "1":
        raise NotReady("a value written was not read back")
    return {"backend": type(cache).__name__}


def broker_url():
    return getattr(settings, "CELERY_BROKER_URL", "") or ""


def redis_client(url):
    import redis

    return redis.Redis.from_url(
        url, socket_connect_timeout=BROKER_TIMEOUT, socket_timeout=BROKER_TIMEOUT
    )


def check_broker():
    url = broker_url()
    if not url:
        return {"status": "skipped", "reason": "CELERY_BROKER_URL and REDIS_URL are not set"}
    if url.startswith(("redis://", "rediss://", "unix://")):
        redis_client(url).ping()
        return {}
    try:
        from kombu import Connection
    except ImportError:
        return {"status": "skipped", "reason": "not a Redis URL, and kombu is not installed"}
    with Connection(url, connect_timeout=BROKER_TIMEOUT) as broker:
        broker.ensure_connection(max_retries=1)
    return {}


CHECKS = {
    "database": check_database,
    "migrations": check_migrations,
    "cache": check_cache,
    "broker": check_broker,
}


def run_checks():
    """{name: {"status": "ok" | "error" | "skipped", ...}} for every check."""
    results = {}
    for name, check in CHECKS.items():
        started = time.perf_counter()
        if name == "migrations" and results["database"]["status"] != "ok":
            results[name] = {"status": "skipped", "reason": "the database is unavailable"}
            continue
        try:
            result = {"status": "ok", **check()}
        except NotReady as error:
            result = {"status": "error", "error": str(error)}
        except Exception as error:
            # Any failure means not ready; the exception's class says which
            # kind without leaking a connection string into a public page.
            result = {"status": "error", "error": type(error).__name__}
        result["ms"] = round((time.perf_counter() - started) * 1000, 1)
        results[name] = result
    return results


@never_cache
@require_GET
def readyz(request):
    """200 when every configured check passes, 503 naming the ones that failed."""
    checks = run_checks()
    failed = [name for name, result in checks.items() if result["status"] == "error"]
    body = {"status": "error" if failed else "ok", "failed": failed, "checks": checks}
    return JsonResponse(body, status=503 if failed else 200)
