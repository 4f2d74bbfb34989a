"""The load benchmark (benchmarks/load.py) as a short smoke run: the site
under gunicorn with DEBUG off, driven by Locust as staff, managers, HR and
an integration, must answer every request, writes included, with no error.
Its full run is a benchmark whose figures are in the README."""

import os
import re
import subprocess
import sys

import pytest

from tests.paths import ROOT

# PostgreSQL's server and tools, which `make test` has.
pytestmark = [pytest.mark.production, pytest.mark.xdist_group("load")]


def test_the_load_scenario_runs_without_an_error():
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        pytest.skip("the load benchmark measures PostgreSQL (make test runs it)")
    completed = subprocess.run(
        [sys.executable, "benchmarks/load.py", "--smoke"],
        cwd=ROOT,
        env={k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST_"))},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "errors in all: 0" in completed.stdout
    # Requests were made and answered, and none failed.
    served = re.search(r"errors\s+(\d+) of\s+(\d+)", completed.stdout)
    assert served, completed.stdout
    assert served.group(1) == "0" and int(served.group(2)) > 0
