"""The README's integration walk-through, run as written: its `curl` lines
are read from README.md and run by bash against the live server, with HOST,
PASSWORD, PERSON and CONFIRMED set as a reader would set them; and its
Python version, through a client generated from openapi.yaml."""

import json
import re
import shutil
import subprocess
import sys

import pytest
from django.urls import resolve

from competency.api import urls as api_urls
from profiles import lifecycle
from profiles.models import RoleProfile
from tests import factories
from tests.api.conftest import GENERATED_CLIENT
from tests.cast import account, issue, restore_what_the_migrations_made
from tests.paths import ROOT

PASSWORD = "a walk through the API"
HEATMAP = "/api/v1/insight/heatmap/"

pytestmark = pytest.mark.skipif(shutil.which("curl") is None, reason="needs curl")


def walkthrough():
    """The commands of the README's walk-through, one per step line, in
    order, as (comment above it, command)."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("### An integration, step by step", 1)[1]
    block = section.split("```sh\n", 1)[1].split("\n```", 1)[0]
    steps, comment = [], ""
    for line in block.splitlines():
        if line.startswith("#"):
            comment = line
        elif line.strip():
            steps.append((comment, line))
    return steps


def run(line, cwd, **variables):
    """One README line in bash, with the walk-through's variables; a line
    that sets a variable prints it. Returns (stdout, the status of the last
    response, from curl's -w)."""
    assigned = re.match(r"^([A-Z]+)=", line)
    if assigned:
        script = f'{line}\necho "${assigned.group(1)}"'
    else:
        # The status, on a line of its own after the body.
        script = line.replace("curl ", "curl -s -w '\\n%{http_code}' ", 1)
    result = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script],
        cwd=cwd,
        env={"PATH": "/usr/bin:/bin", **variables},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, (line, result.stderr)
    if assigned:
        return result.stdout.strip(), None
    body, _, status = result.stdout.rpartition("\n")
    return body, int(status)


@pytest.fixture
def organisation(transactional_db):
    restore_what_the_migrations_made()
    hr = account("hr", "HR")
    hr.set_password(PASSWORD)
    hr.save()
    profile = factories.RoleProfileFactory(title="DevOps Engineer", slug="devops-engineer")
    lifecycle.publish_profile(profile=profile)
    factories.RoleProfileFactory(title="Unpublished", slug="unpublished")
    return hr


def write_profile(folder):
    """The walk-through's profile.json: a role-profile/1 document."""
    sections = (
        "background",
        "prior_knowledge",
        "work_activities",
        "knowledge_skills",
        "training",
        "pdas",
        "qualifications",
        "organisation_skills",
    )
    document = {
        "schema": "role-profile/1",
        "title": "Site Reliability Engineer",
        "slug": "site-reliability-engineer",
        "summary": "Keeps the services up.",
        "responsibilities": ["run the on-call rota"],
        **{name: [] for name in sections},
    }
    (folder / "profile.json").write_text(json.dumps(document))


def heatmap_exists():
    return resolve(HEATMAP).func is not api_urls.unknown


def test_the_readme_walkthrough_runs_as_written(live_server, organisation, tmp_path):
    steps = walkthrough()
    assert [comment[:4] for comment, _ in steps] == ["# 1."] * 3 + [
        "# 2.",
        "# 3.",
        "# 4.",
        "# 4.",
        "# 5.",
    ]
    write_profile(tmp_path)
    variables = {"HOST": live_server.url, "PASSWORD": PASSWORD, "PERSON": str(organisation.pk)}

    def step(index, **more):
        return run(steps[index][1], tmp_path, **variables, **more)

    # 1. Sign in, then the token form: the token is shown once.
    step(0)
    step(1)
    token, _ = step(2)
    assert re.fullmatch(r"cfk_[\w-]{43}", token), token
    variables["TOKEN"] = token

    # 2. Published profiles only.
    body, status = step(3)
    assert status == 200, body
    assert [row["slug"] for row in json.loads(body)["results"]] == ["devops-engineer"]

    # 3. The frozen document of version 1.
    body, status = step(4)
    assert status == 200, body
    assert json.loads(body)["slug"] == "devops-engineer"

    # 4. The preview writes nothing; the import writes what was previewed.
    body, status = step(5)
    assert status == 200, body
    preview = json.loads(body)
    assert preview["action"] == "created"
    body, status = step(6, CONFIRMED=preview["confirmed"])
    assert status == 201, body
    assert json.loads(body)["slug"] == "site-reliability-engineer"

    # 5. The heatmap: another helper's endpoint, run once it is in the URLconf.
    if not heatmap_exists():
        pytest.skip(
            f"{HEATMAP} is not in the URLconf yet (the insight endpoints come in another "
            "branch): steps 1-4 passed; step 5 runs once it is merged"
        )
    body, status = step(7)
    assert status == 200, body


def python_walkthrough():
    """The README's walk-through through a generated client: the Python
    block of "The schema as integrators read it"."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("### The schema as integrators read it", 1)[1]
    return section.split("```python\n", 1)[1].split("\n```", 1)[0]


@GENERATED_CLIENT
def test_the_readme_walkthrough_runs_through_a_generated_client(
    live_server, organisation, tmp_path, generated_client
):
    """Steps 2 to 4 and adding an item, as the README writes them in Python,
    in a process of their own with the client generated from openapi.yaml
    on its path (the token made as step 1 makes it)."""
    folder, _ = generated_client
    write_profile(tmp_path)
    (tmp_path / "walkthrough.py").write_text(python_walkthrough(), encoding="utf-8")
    _, token = issue(organisation)
    result = subprocess.run(
        [sys.executable, "walkthrough.py"],
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(folder.parent)}
        | {"HOST": live_server.url, "TOKEN": token},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "['devops-engineer']",
        "DevOps Engineer",
        "site-reliability-engineer",
    ], result.stdout
    imported = RoleProfile.objects.get(slug="site-reliability-engineer")
    assert [link.activity.title for link in imported.work_activity_links.all()] == [
        "Run the on-call rota"
    ]
