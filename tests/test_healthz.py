import json
import os
import subprocess
import sys

import pytest
from django.db import connection

from tests.paths import ROOT


@pytest.mark.django_db
def test_healthz_says_ok_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_healthz_is_503_when_the_database_does_not_answer():
    # A real process pointed at a PostgreSQL port where nothing listens.
    script = (
        "import django, json; django.setup();"
        "from django.test import Client;"
        "r = Client().get('/healthz');"
        "print(json.dumps([r.status_code, r.json()]))"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "competency.settings",
        "DATABASE_URL": "postgres://postgres@127.0.0.1:9/nowhere",
        "SECRET_KEY": "test",
        "ALLOWED_HOSTS": "testserver",
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
    assert body["status"] == "error"


def test_connections_persist_between_requests_and_are_checked_first(settings):
    database = settings.DATABASES["default"]
    assert database["CONN_MAX_AGE"] > 0
    assert database["CONN_HEALTH_CHECKS"] is True


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="JIT is PostgreSQL's")
def test_postgresqls_jit_is_off_for_the_applications_connections():
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
