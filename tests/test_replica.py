"""Reads from a streaming replica, for real: a throwaway PostgreSQL primary
and a replica fed from it by `pg_basebackup`, on loopback ports, and the
site under gunicorn with REPLICA_DATABASE_URL (competency/replicas.py).

The replica's replay is paused to make it lag on purpose: what the caller
wrote must still be what they read, and a read that may use the replica
must really come from it. Then the replica stops, and the site answers
from the primary.
"""

import json
import os
import re
import secrets
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from tests.served import (
    Browser,
    free_port,
    gunicorn,
    manage,
    postgres_programs,
    production_environment,
)

# PostgreSQL's own programs: `make test` runs on a machine with PostgreSQL.
pytestmark = [pytest.mark.production, pytest.mark.xdist_group("replica")]

PIN_SECONDS = 1  # how long a caller who wrote reads from the primary
RETRY_SECONDS = 1  # how long a replica found down is left alone


class Cluster:
    """A PostgreSQL cluster in a folder of its own, run as the postgres user
    when the tests run as root (PostgreSQL refuses to run as root)."""

    def __init__(self, programs, folder, port):
        self.programs, self.folder, self.port = programs, folder, port
        self.as_owner = ["runuser", "-u", "postgres", "--"] if os.getuid() == 0 else []

    def run(self, program, *args):
        completed = subprocess.run(
            [*self.as_owner, str(self.programs / program), *args],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert completed.returncode == 0, f"{program} failed:\n{completed.stderr}"
        return completed.stdout

    def start(self):
        self.run(
            "pg_ctl",
            *("-D", str(self.folder), "-l", str(self.folder / "log"), "-w", "start"),
            *("-o", f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.folder}"),
        )

    def stop(self):
        self.run("pg_ctl", "-D", str(self.folder), "-m", "fast", "-w", "stop")

    def sql(self, statement, database="postgres"):
        return self.run(
            "psql",
            *("-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-d", database),
            *("-Atc", statement),
        ).strip()

    def url(self, database):
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"


@pytest.fixture(scope="module")
def clusters():
    programs = postgres_programs()
    # Not under pytest's own temporary folder: the postgres user must be
    # able to reach it.
    folder = Path(tempfile.mkdtemp(prefix="competency-replica-"))
    if os.getuid() == 0:
        shutil.chown(folder, "postgres")
    primary = Cluster(programs, folder / "primary", free_port())
    replica = Cluster(programs, folder / "replica", free_port())
    try:
        # initdb's own access rules trust loopback for replication as well.
        primary.run("initdb", "-D", str(primary.folder), "-U", "postgres", "-A", "trust")
        primary.start()
        primary.sql("CREATE DATABASE competency")
        replica.run(
            "pg_basebackup",
            *("-h", "127.0.0.1", "-p", str(primary.port), "-U", "postgres"),
            *("-D", str(replica.folder), "-R", "-X", "stream", "-c", "fast"),
        )
        replica.start()
        assert replica.sql("SELECT pg_is_in_recovery()") == "t"
        yield primary, replica
    finally:
        for cluster in (replica, primary):
            if (cluster.folder / "postmaster.pid").exists():
                cluster.stop()
        shutil.rmtree(folder, ignore_errors=True)


def wait_for(condition, what, timeout=20):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {timeout} s")
        time.sleep(0.1)


def test_reads_go_to_the_replica_except_a_writers_and_survive_its_loss(clusters, tmp_path):
    primary, replica = clusters
    env = production_environment(
        DATABASE_URL=primary.url("competency"),
        REPLICA_DATABASE_URL=replica.url("competency"),
        REPLICA_PIN_SECONDS=str(PIN_SECONDS),
        REPLICA_RETRY_SECONDS=str(RETRY_SECONDS),
        # Pages are not what this test reads: DEBUG serves the stylesheet
        # without collectstatic. The routing is the same either way.
        DEBUG="true",
        ALLOWED_HOSTS="127.0.0.1",
        XDG_RUNTIME_DIR=str(tmp_path),
    )
    manage(env, "migrate", "--no-input")
    password = secrets.token_urlsafe(12)
    make_token = (
        "from datetime import timedelta\n"
        "from django.contrib.auth.models import Group, User\n"
        "from django.utils import timezone\n"
        "from competency.api.models import ApiToken\n"
        f"user = User.objects.create_user('hr', password='{password}')\n"
        "user.groups.add(Group.objects.get(name='HR'))\n"
        "_, raw = ApiToken.issue(name='feed', user=user,"
        " expires_at=timezone.now() + timedelta(days=1))\n"
        "print(raw)\n"
    )
    # The security log may write to the same output: the token is its own line.
    token = re.search(r"^cfk_\S+$", manage(env, "shell", "-c", make_token), re.MULTILINE).group(0)
    wait_for(
        lambda: replica.sql("SELECT count(*) FROM auth_user", "competency") == "1",
        "the replica has the HR user",
    )

    with gunicorn(env, tmp_path, workers=1) as port:
        api = Browser(port)

        def call(method, path, body=None):
            headers = {"Authorization": f"Token {token}", "Accept": "application/json"}
            if body is not None:
                headers["Content-Type"] = "application/json"
                body = json.dumps(body)
            return api.request(method, path, body=body, headers=headers)

        def person(employee_id):
            return call("GET", f"/api/v1/people/?employee_id={employee_id}")

        # A caller who has written nothing reads from the replica.
        first = person("E1")
        assert first.status == 200, first.text
        assert first.headers["X-Read-From"] == "replica"

        # The replica falls behind: its replay is paused.
        replica.sql("SELECT pg_wal_replay_pause()")
        created = call("POST", "/api/v1/people/", {"employee_id": "E1", "name": "Ada Byron"})
        assert created.status == 201, created.text

        # Read-your-writes: straight after, the writer reads the primary.
        after = person("E1")
        assert after.headers["X-Read-From"] == "primary"
        assert "Ada Byron" in after.text

        # Once the pin has passed, reads go to the (lagging) replica again,
        # which does not have Ada yet: proof that they really read it.
        time.sleep(PIN_SECONDS + 0.2)
        stale = person("E1")
        assert stale.headers["X-Read-From"] == "replica"
        assert stale.status == 200 and "Ada Byron" not in stale.text

        replica.sql("SELECT pg_wal_replay_resume()")
        wait_for(lambda: "Ada Byron" in person("E1").text, "the replica caught up")

        # The replica stops: the site answers every read from the primary.
        replica.stop()
        for _ in range(3):
            answer = person("E1")
            assert answer.status == 200, answer.text
            assert answer.headers["X-Read-From"] == "primary"
            assert "Ada Byron" in answer.text
        assert api.get("/healthz").status == 200

        # Back again: after the retry interval reads use it once more.
        replica.start()
        time.sleep(RETRY_SECONDS + 0.2)
        wait_for(
            lambda: person("E1").headers["X-Read-From"] == "replica",
            "reads went back to the replica",
        )

        # Signing in writes: the new session reads the primary at first.
        browser = Browser(port)
        assert browser.sign_in("hr", password).status == 302
        assert browser.get("/people/").headers["X-Read-From"] == "primary"
        time.sleep(PIN_SECONDS + 0.2)
        page = browser.get("/people/")
        assert page.status == 200 and "Ada Byron" in page.text
        assert page.headers["X-Read-From"] == "replica"
