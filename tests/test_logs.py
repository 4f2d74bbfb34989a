"""What the log says, as an operator reads it: the application run in another
process (so its logging is configured as in production, from the
environment), its standard error read line by line."""

import json
import os
import subprocess
import sys
import textwrap

import pytest

from tests.paths import ROOT

# Requests made by the process under test: one with the proxy's id and a
# query string holding a person's name, one without an id, one refused,
# then a line logged outside any request.
SCRIPT = textwrap.dedent(
    """
    import django, logging
    django.setup()
    from django.test import Client
    client = Client()
    client.get("/healthz?q=Sam+Okafor", headers={"X-Request-ID": "from-the-proxy"})
    client.get("/healthz")
    client.get("/metrics", REMOTE_ADDR="203.0.113.9")
    logging.getLogger("competency.example").warning("between requests")
    """
)


def run(tmp_path, **settings):
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("DJANGO_", "PYTEST_", "LOG_"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="competency.settings",
        DEBUG="false",
        SECRET_KEY="test-only-key",
        ALLOWED_HOSTS="testserver",
        SECURE_SSL_REDIRECT="false",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        CELERY_BROKER_URL="",
        REDIS_URL="",
        **settings,
    )
    completed = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return [line for line in completed.stderr.splitlines() if line.strip()]


@pytest.fixture(scope="module")
def json_lines(tmp_path_factory):
    lines = run(tmp_path_factory.mktemp("json-logs"), LOG_FORMAT="json")
    return lines, [json.loads(line) for line in lines]


def test_with_log_format_json_every_line_is_one_json_object(json_lines):
    lines, records = json_lines
    assert len(records) == len(lines) >= 5
    for record in records:
        assert {"time", "level", "logger", "message", "request_id"} <= record.keys()
        assert record["time"].endswith("+00:00")  # ISO 8601, UTC


def test_one_access_line_per_request_with_its_id_and_never_its_query(json_lines):
    lines, records = json_lines
    access = [record for record in records if record["logger"] == "competency.access"]
    assert [(r["method"], r["path"], r["status"]) for r in access] == [
        ("GET", "/healthz", 200),
        ("GET", "/healthz", 200),
        ("GET", "/metrics", 403),
    ]
    assert access[0]["request_id"] == "from-the-proxy"
    assert access[1]["request_id"] not in {"from-the-proxy", "-"}
    assert all(r["level"] == "INFO" and r["duration_ms"] >= 0 for r in access)
    assert all(r["user_id"] is None for r in access)
    # A search's words are personal data: not in any line.
    assert not any("Okafor" in line or "q=" in line for line in lines)


def test_djangos_own_lines_carry_the_request_id(json_lines):
    _, records = json_lines
    (refused,) = [r for r in records if r["logger"] == "django.request"]
    (access,) = [r for r in records if r.get("path") == "/metrics"]
    assert refused["message"] == "Forbidden: /metrics"
    assert refused["request_id"] == access["request_id"] != "-"


def test_a_line_outside_any_request_says_so(json_lines):
    _, records = json_lines
    assert records[-1]["message"] == "between requests"
    assert records[-1]["request_id"] == "-"


def test_plain_text_is_the_default(tmp_path):
    lines = run(tmp_path)
    access = [line for line in lines if " competency.access " in line]
    assert len(access) == 3
    assert " INFO competency.access [from-the-proxy] GET /healthz 200 " in access[0]
    assert not any(line.startswith("{") for line in lines)


@pytest.mark.django_db
def test_the_access_line_names_the_signed_in_user(caplog, staff, staff_user):
    with caplog.at_level("INFO", logger="competency.access"):
        staff.get("/profiles/?q=Platform")
    (record,) = [r for r in caplog.records if r.name == "competency.access"]
    assert record.user_id == staff_user.pk
    assert record.path == "/profiles/"
    assert record.status == 200
