"""/readyz: may this process be sent traffic? 200 when the database answers,
every migration is applied and the cache and broker answer; 503 naming what
failed. The broker and cache are the machine's real Redis (TEST_REDIS_URL,
database 4 unless set), and an unreachable one is a port where nothing
listens."""

import json
import os
import socket
import subprocess
import sys

import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from tests.paths import ROOT

REDIS_URL = os.environ.get("TEST_REDIS_URL") or "redis://127.0.0.1:6379/4"


def closed_port():
    """A loopback port where nothing listens (just released by us)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def redis_cache(url, worker_id):
    return {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            # Parallel workers share the Redis database: each its own keys.
            "KEY_PREFIX": f"test-readyz-{worker_id}",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }


@pytest.mark.django_db
def test_ready_when_everything_configured_answers(client, settings):
    settings.CELERY_BROKER_URL = ""
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok" and body["failed"] == []
    checks = body["checks"]
    assert {name: check["status"] for name, check in checks.items()} == {
        "database": "ok",
        "migrations": "ok",
        "cache": "ok",
        "broker": "skipped",
    }
    # What is not configured says so.
    assert "not set" in checks["broker"]["reason"]
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_ready_with_a_real_redis_broker_and_cache(client, settings, worker_id):
    settings.CELERY_BROKER_URL = REDIS_URL
    settings.CACHES = redis_cache(REDIS_URL, worker_id)
    response = client.get("/readyz")
    assert response.status_code == 200, response.json()
    checks = response.json()["checks"]
    assert checks["broker"]["status"] == "ok"
    assert checks["cache"] == {"status": "ok", "backend": "RedisCache", "ms": checks["cache"]["ms"]}


@pytest.mark.django_db
def test_not_ready_when_the_broker_does_not_answer(client, settings):
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{closed_port()}/4"
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["failed"] == ["broker"]
    assert body["checks"]["broker"]["error"] == "ConnectionError"
    # The page names the failure, never the broker's address.
    assert "127.0.0.1" not in response.content.decode()


@pytest.mark.django_db
def test_not_ready_when_the_redis_cache_does_not_answer(client, settings, worker_id):
    settings.CELERY_BROKER_URL = ""
    settings.CACHES = redis_cache(f"redis://127.0.0.1:{closed_port()}/4", worker_id)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["failed"] == ["cache"]


@pytest.mark.django_db
def test_not_ready_while_a_migration_is_not_applied(client, settings):
    """A new release started before its migrations ran: not ready, and the
    page names the migration."""
    settings.CELERY_BROKER_URL = ""
    latest = sorted(MigrationLoader(connection).graph.leaf_nodes())[-1]
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM django_migrations WHERE app = %s AND name = %s", list(latest))
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["failed"] == ["migrations"]
    assert f"{latest[0]}.{latest[1]}" in body["checks"]["migrations"]["error"]
    assert body["checks"]["database"]["status"] == "ok"


def test_not_ready_when_the_database_does_not_answer():
    # A real process pointed at a PostgreSQL port where nothing listens.
    script = (
        "import django, json; django.setup();"
        "from django.test import Client;"
        "r = Client().get('/readyz');"
        "print(json.dumps([r.status_code, r.json()]))"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "competency.settings",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:{closed_port()}/nowhere",
        "SECRET_KEY": "test",
        "ALLOWED_HOSTS": "testserver",
        "SECURE_SSL_REDIRECT": "false",
        "CELERY_BROKER_URL": "",
        "REDIS_URL": "",
    }
    completed = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    status, body = json.loads(completed.stdout.strip().splitlines()[-1])
    assert status == 503
    assert body["failed"] == ["database"]
    # The migrations cannot be read without the database: not checked, said so.
    assert body["checks"]["migrations"]["status"] == "skipped"
    assert body["checks"]["cache"]["status"] == "ok"


@pytest.mark.django_db
def test_readyz_and_metrics_are_never_redirected_to_https(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.CELERY_BROKER_URL = ""
    assert client.get("/readyz").status_code == 200
    assert client.get("/metrics").status_code == 200
    # Every other page is.
    assert client.get("/sign-in/").status_code == 301
