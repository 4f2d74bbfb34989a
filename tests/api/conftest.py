"""Profiles in each state for the API tests (the people and their clients
are the cast's: tests/cast.py)."""

import pytest

from profiles import lifecycle
from tests import factories


@pytest.fixture
def published(db):
    """A published profile, version 1, with a job family."""
    family = factories.JobFamilyFactory(name="Data", slug="data")
    data_engineer = factories.RoleProfileFactory(
        title="Data Engineer", slug="data-engineer", job_family=family
    )
    lifecycle.publish_profile(profile=data_engineer, change_note="First")
    data_engineer.refresh_from_db()
    return data_engineer


@pytest.fixture
def draft_only(db):
    """A profile never published, in a job family of its own."""
    family = factories.JobFamilyFactory(name="Secret plans", slug="secret-plans")
    return factories.RoleProfileFactory(
        title="Payroll Officer", slug="payroll-officer", job_family=family, summary="Hidden"
    )


# The tests that use the generated client share one pytest-xdist worker, so
# that it is generated once per run (~5 s) whichever of them runs first.
# Contract tests: the schema is the same on both databases (test_plumbing).


def GENERATED_CLIENT(test):
    return pytest.mark.contract(pytest.mark.xdist_group("generated-client")(test))


@pytest.fixture(scope="session")
def generated_client(tmp_path_factory):
    """A Python client generated from the committed openapi.yaml by
    openapi-python-client, with the repository's settings for it, as an
    integrator would make it: (its package's folder, what the generator
    printed). The package is `competency_client`."""
    import subprocess
    import sys
    from pathlib import Path

    from tests.paths import ROOT

    folder = tmp_path_factory.mktemp("client") / "competency_client"
    generator = Path(sys.executable).parent / "openapi-python-client"
    done = subprocess.run(
        [
            str(generator),
            "generate",
            "--path",
            str(ROOT / "openapi.yaml"),
            "--config",
            str(ROOT / "openapi-python-client.yaml"),
            "--meta",
            "none",
            "--output-path",
            str(folder),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return folder, done.stdout + done.stderr
