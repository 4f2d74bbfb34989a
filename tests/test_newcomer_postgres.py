"""`make test` on a machine where no PostgreSQL is running: the Makefile's
`postgres` target starts a throwaway cluster from Debian's `postgresql`
package in a folder of its own, on the port asked for, and finds it again
on the next run."""

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from tests.paths import ROOT
from tests.served import free_port, postgres_programs

# It needs PostgreSQL's programs, which `make test` needs anyway.
pytestmark = pytest.mark.production


def make_postgres(port, folder):
    return subprocess.run(
        ["make", "--no-print-directory", "postgres", f"PG_PORT={port}", f"PG_SCRATCH={folder}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_make_postgres_starts_a_throwaway_cluster_where_none_runs():
    port = free_port()
    # Not under pytest's temporary folder: the postgres user must reach it.
    parent = Path(tempfile.mkdtemp(prefix="competency-newcomer-"))
    os.chmod(parent, 0o755)
    folder = parent / "cluster"
    try:
        first = make_postgres(port, folder)
        assert first.returncode == 0, first.stderr
        assert f"Starting a throwaway PostgreSQL in {folder} on port {port}" in first.stdout
        answer = subprocess.run(
            ["psql", "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "-Atc", "SELECT 1"],
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert answer.stdout.strip() == "1", answer.stderr
        # Running: the next `make test` finds it and starts nothing.
        again = make_postgres(port, folder)
        assert again.returncode == 0 and "Starting" not in again.stdout
    finally:
        pg_ctl = postgres_programs() / "pg_ctl"
        owner = ["runuser", "-u", "postgres", "--"] if os.getuid() == 0 else []
        subprocess.run(
            [*owner, str(pg_ctl), "-D", str(folder), "-m", "immediate", "stop"],
            capture_output=True,
            timeout=60,
        )
        shutil.rmtree(parent, ignore_errors=True)
