"""Zero-downtime upgrades: while the new release's migrations run, and until
its processes replace the old ones, the previous release serves users from
the new schema. So the previous release's own code must still work on it.

This test takes the previous release's code from git (the commit on this
branch's first-parent line just before the newest commit that changed a
migration; UPGRADE_FROM=<commit or tag> names another), and runs it against
the test database, which this code's migrations made: its `seed_demo` writes
a whole demo organisation (an INSERT into nearly every table: a column added
NOT NULL without a database default fails here), then HR, a manager and a
member of staff sign in and read their pages and the API (a column removed
or renamed fails here).

A migration that cannot be run under the previous release (the README's
rule, Upgrades) says so with `requires_downtime = "<why>"` on its Migration
class; the test then skips, naming it, and that release is deployed with
downtime.

PostgreSQL only: production's database, and a test database that another
process can open.
"""

import importlib
import json
import os
import subprocess
import sys
import tarfile
import textwrap

import pytest
from django.db import connection

from tests.cast import restore_what_the_migrations_made
from tests.paths import ROOT

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="production's database, shared with a process"
    ),
]

TIMEOUT = 120  # seconds for the previous release's whole run

# Run by the previous release's code, from its own folder.
PREVIOUS_RELEASE = textwrap.dedent(
    """
    import json, django
    django.setup()
    import competency
    from django.core.management import call_command
    from django.contrib.auth.models import User
    from django.test import Client
    call_command("seed_demo", verbosity=0)
    from appraisals.models import Appraisal
    mine = Appraisal.objects.filter(person__account__username="staff").first()
    pages = {
        "hr": ["/profiles/", "/people/", "/cycles/", "/api/v1/profiles/"],
        "manager": ["/", "/team/heatmap/", f"/appraisals/{mine.pk}/", "/api/v1/appraisals/"],
        "staff": ["/", f"/appraisals/{mine.pk}/"],
    }
    seen = {}
    for username, paths in pages.items():
        client = Client()
        # Signed in without a password check: django-axes (since the
        # sign-in security) refuses Client.login, which passes no request.
        client.force_login(User.objects.get(username=username))
        for path in paths:
            seen[f"{username} {path}"] = client.get(path).status_code
    print(json.dumps({"code": competency.__file__, "pages": seen}))
    """
)


def git(*args):
    return subprocess.run(
        ["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=60, check=True
    ).stdout.strip()


def previous_release():
    """The commit whose code served before the newest migration arrived."""
    if os.environ.get("UPGRADE_FROM"):
        return git("rev-parse", "--verify", f"{os.environ['UPGRADE_FROM']}^{{commit}}")
    newest = git("log", "--first-parent", "-1", "--format=%H", "HEAD", "--", "*/migrations/*")
    return git("rev-parse", "--verify", f"{newest}^1")


def new_migrations(since):
    """(app, name) of the migrations this code has and `since` had not."""
    changed = git(
        "diff", "--name-only", "--diff-filter=A", since, "HEAD", "--", "*/migrations/0*.py"
    )
    return [tuple(path.split("/migrations/")) for path in changed.splitlines()]


def test_the_previous_release_works_on_this_releases_schema(tmp_path):
    try:
        base = previous_release()
    except (subprocess.CalledProcessError, FileNotFoundError) as error:
        pytest.skip(f"no previous release in git here ({error})")
    for app, filename in new_migrations(base):
        package = app.replace("/", ".")  # competency/api: the API's app
        module = importlib.import_module(f"{package}.migrations.{filename.removesuffix('.py')}")
        reason = getattr(module.Migration, "requires_downtime", None)
        if reason:
            pytest.skip(f"{app}.{filename} requires downtime: {reason}")

    # The previous release's files, as a deployment would have them.
    archive = tmp_path / "previous.tar"
    git("archive", f"--output={archive}", base)
    code = tmp_path / "previous"
    with tarfile.open(archive) as tar:
        tar.extractall(code, filter="data")

    restore_what_the_migrations_made()  # a transactional test starts empty
    settings = connection.settings_dict
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST_"))},
        "DJANGO_SETTINGS_MODULE": "competency.settings",
        "DEBUG": "true",
        "DEMO_PASSWORD": "demo",
        "ALLOWED_HOSTS": "testserver",
        "DATABASE_URL": (
            f"postgres://{settings['USER']}@{settings['HOST'] or '127.0.0.1'}:"
            f"{settings['PORT'] or 5432}/{settings['NAME']}"
        ),
    }
    completed = subprocess.run(
        [sys.executable, "-c", PREVIOUS_RELEASE],
        cwd=code,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )
    assert completed.returncode == 0, (
        f"the previous release ({base[:12]}) fails on this schema:\n{completed.stderr[-3000:]}"
    )
    result = json.loads(completed.stdout.strip().splitlines()[-1])
    # It was the previous release's code that ran, not this one's.
    assert result["code"].startswith(str(code))
    assert result["pages"] and set(result["pages"].values()) == {200}, result["pages"]
