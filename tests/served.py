"""The application served as production serves it, in other processes:
the environment of a production process, management commands, gunicorn on
a free loopback port, and an HTTP client that keeps cookies. Used by the
tests that run the site for real (tests/test_production.py and the
replica's test)."""

import contextlib
import http.client
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
from http.cookies import SimpleCookie
from pathlib import Path
from typing import NamedTuple
from urllib.parse import urlencode, urljoin, urlsplit

import pytest

from tests.paths import ROOT

# seconds, for each management command: collectstatic took over 60 s while
# the machine ran other test workers and builds.
COMMAND_TIMEOUT = 180
START_TIMEOUT = 30  # seconds, for gunicorn to answer
REQUEST_TIMEOUT = 30  # seconds, for each request (the PDF is the slowest)
STOP_TIMEOUT = 15  # seconds, for gunicorn to stop

# Every variable the settings read, so that none leaks in from the shell
# that runs the tests.
SETTINGS_VARIABLES = {
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "CSRF_TRUSTED_ORIGINS",
    "DATABASE_URL",
    "CONN_MAX_AGE",
    "STATIC_ROOT",
    "SECURE_COOKIES",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "BEHIND_TLS_PROXY",
    "LOG_LEVEL",
    "DEMO_PASSWORD",
    "REPLICA_DATABASE_URL",
    "REPLICA_PIN_SECONDS",
    "REPLICA_RETRY_SECONDS",
    # Operating (README): logs, metrics and the broker /readyz pings.
    "LOG_FORMAT",
    "ACCESS_LOG_LEVEL",
    "METRICS_ALLOWED_IPS",
    "METRICS_TOKEN",
    "METRICS_QUEUES",
    "PROMETHEUS_MULTIPROC_DIR",
    "CELERY_BROKER_URL",
    "REDIS_URL",
}


def postgres_programs():
    """The folder of Debian's PostgreSQL programs (initdb, pg_ctl,
    pg_basebackup), the newest version installed."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_basebackup"))
    if not found:
        pytest.fail("PostgreSQL's programs (pg_basebackup, initdb) are not installed")
    return found[-1].parent


def free_port():
    """A loopback port nothing listens on (at the moment of asking)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def production_environment(**settings):
    """The environment of a production process: the README's production
    settings and nothing from the test run, with `settings` on top."""
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in SETTINGS_VARIABLES and not name.startswith(("DJANGO_", "PYTEST_"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="competency.settings",
        DEBUG="false",
        # A real key: long and random, as check --deploy wants it.
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="competency.example.org",
    )
    env.update(settings)
    return env


def manage(env, *args):
    completed = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=COMMAND_TIMEOUT,
    )
    assert completed.returncode == 0, (
        f"manage.py {' '.join(args)} failed:\n{completed.stdout}\n{completed.stderr}"
    )
    return completed.stdout + completed.stderr


class Response(NamedTuple):
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    @property
    def text(self):
        return self.body.decode()


class Browser:
    """An HTTP client that keeps cookies, follows no redirect by itself and
    gives up on any request after REQUEST_TIMEOUT seconds."""

    def __init__(self, port):
        self.port = port
        self.cookies = {}

    def request(self, method, path, body=None, headers=None):
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=REQUEST_TIMEOUT)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            result = Response(response.status, response.headers, response.read())
        finally:
            connection.close()
        for header in result.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return result

    def get(self, path, **kwargs):
        return self.request("GET", path, **kwargs)

    def follow(self, path, limit=5):
        """GET `path` and the redirects from it; the last response and its path."""
        for _ in range(limit):
            response = self.get(path)
            if response.status not in (301, 302, 303, 307, 308):
                return response, path
            location = urlsplit(urljoin(path, response.headers["Location"]))
            path = location.path + (f"?{location.query}" if location.query else "")
        raise AssertionError(f"more than {limit} redirects from {path}")

    def sign_in(self, username, password):
        form = self.get("/sign-in/")
        assert form.status == 200
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text).group(1)
        return self.request(
            "POST",
            "/sign-in/",
            body=urlencode(
                {"username": username, "password": password, "csrfmiddlewaretoken": token}
            ),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )


def stop(process):
    """Stop gunicorn (its master and workers: the whole process group it was
    started in) and check that nothing of it is left."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=STOP_TIMEOUT)
    deadline = time.monotonic() + STOP_TIMEOUT
    while True:
        try:
            os.killpg(process.pid, 0)
        except ProcessLookupError:
            return  # no process of the group is left
        if time.monotonic() > deadline:
            os.killpg(process.pid, signal.SIGKILL)
            raise AssertionError("gunicorn's workers outlived their master")
        time.sleep(0.1)


@contextlib.contextmanager
def gunicorn(env, folder, workers=2):
    """gunicorn serving the site with `env`, its log in `folder`; yields the
    port once /healthz answers, and stops every process of it afterwards."""
    # gunicorn gets a socket already listening on a free loopback port.
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    port = listener.getsockname()[1]
    log = folder / "gunicorn.log"
    with open(log, "wb") as output:
        process = subprocess.Popen(
            [
                *(sys.executable, "-m", "gunicorn", "competency.wsgi"),
                *("--bind", f"fd://{listener.fileno()}"),
                *("--workers", str(workers), "--timeout", str(REQUEST_TIMEOUT)),
                *("--graceful-timeout", "5"),
            ],
            cwd=ROOT,
            env=env,
            pass_fds=[listener.fileno()],
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    listener.close()
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if process.poll() is not None:
                pytest.fail(f"gunicorn stopped:\n{log.read_text()}")
            try:
                if Browser(port).get("/healthz").status == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"gunicorn did not answer in {START_TIMEOUT} s:\n{log.read_text()}")
            time.sleep(0.2)
        yield port
    finally:
        stop(process)
    # Nothing answers on the port any more.
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=5).close()
