"""The README's backup and restore procedure, as an operator runs it: `pg_dump
-Fc` of a database holding the organisation and its appraisals, `pg_restore`
into a fresh database, then every table compared (row count and a checksum
of its rows in order), every sequence's position, `migrate --check`, and a
page served from the restored copy. PostgreSQL only (production's database;
SQLite is backed up by copying its file)."""

import os
import subprocess
import sys
import textwrap

import psycopg2
import pytest
from django.db import connection

from appraisals import cycles
from appraisals.models import Appraisal, Stage
from tests import factories
from tests.cast import take_to
from tests.paths import ROOT

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_dump is PostgreSQL's"),
]

TIMEOUT = 60  # seconds for each command

# Every table's rows in one canonical order, hashed; and how many.
TABLE_FINGERPRINT = (
    "SELECT count(*), md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '')) FROM {} t"
)

# `manage.py migrate --check` (exits 1 when a migration is not applied), then
# a page of the restored copy as its signed-in user sees it: one process.
SERVE = textwrap.dedent(
    """
    import sys, django
    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test import Client
    call_command("migrate", check_unapplied=True, verbosity=0)
    client = Client()
    client.force_login(get_user_model().objects.get(username=sys.argv[1]))
    response = client.get(sys.argv[2])
    print(response.status_code)
    print(response.content.decode())
    """
)


def libpq_arguments(database):
    settings = connection.settings_dict
    return [
        f"--host={settings['HOST'] or '127.0.0.1'}",
        f"--port={settings['PORT'] or 5432}",
        f"--username={settings['USER']}",
        f"--dbname={database}",
    ]


def run(*command, env=None):
    completed = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=TIMEOUT
    )
    assert completed.returncode == 0, f"{command[0]} failed:\n{completed.stdout}{completed.stderr}"
    return completed.stdout


def fingerprint(database):
    """{table: (rows, md5 of its rows)} and {sequence: last value}."""
    settings = connection.settings_dict
    with (
        psycopg2.connect(
            host=settings["HOST"] or "127.0.0.1",
            port=settings["PORT"] or 5432,
            user=settings["USER"],
            password=settings["PASSWORD"] or None,
            dbname=database,
        ) as db,
        db.cursor() as cursor,
    ):
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        tables = {}
        for (table,) in cursor.fetchall():
            cursor.execute(TABLE_FINGERPRINT.format(f'"{table}"'))
            tables[table] = cursor.fetchone()
        cursor.execute(
            "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public'"
        )
        sequences = dict(cursor.fetchall())
    db.close()
    return tables, sequences


@pytest.fixture
def restored_name():
    name = f"{connection.settings_dict['NAME']}_restored"
    drop = ["dropdb", "--if-exists", *libpq_arguments(name)[:-1], name]
    run(*drop)
    yield name
    run(*drop)


def test_a_dump_restores_into_a_fresh_database_row_for_row(
    cast, appraisal, restored_name, tmp_path
):
    # The organisation, Sam's appraisal taken to agreed (ratings, review
    # items, events, the audit trail) and Olu's team's in another cycle.
    take_to(appraisal, Stage.AGREED)
    cycles.open_cycle(
        cycle=factories.CycleFactory(name="Mid-year 2025"),
        scope=cycles.Scope.team(cast.other_manager),
    )
    assert Appraisal.objects.count() == 2
    source = connection.settings_dict["NAME"]
    dump = tmp_path / "competency.dump"

    # The README's procedure.
    run("pg_dump", "--format=custom", "--no-owner", f"--file={dump}", *libpq_arguments(source))
    run("createdb", *libpq_arguments(restored_name)[:-1], restored_name)
    run(
        "pg_restore",
        "--no-owner",
        "--single-transaction",
        *libpq_arguments(restored_name),
        str(dump),
    )

    tables, sequences = fingerprint(source)
    assert tables["appraisals_appraisal"][0] == 2
    assert len(tables) > 40
    assert fingerprint(restored_name) == (tables, sequences)

    settings = connection.settings_dict
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST_"))},
        "DJANGO_SETTINGS_MODULE": "competency.settings",
        "DEBUG": "true",
        "ALLOWED_HOSTS": "testserver",
        "DATABASE_URL": (
            f"postgres://{settings['USER']}@{settings['HOST'] or '127.0.0.1'}:"
            f"{settings['PORT'] or 5432}/{restored_name}"
        ),
        "CELERY_BROKER_URL": "",
        "REDIS_URL": "",
    }
    # The restored schema is this code's (nothing to migrate), and Sam's
    # line manager reads Sam's agreed appraisal from the restored copy.
    page = run(sys.executable, "-c", SERVE, "mo", f"/appraisals/{appraisal.pk}/", env=env)
    status, _, body = page.partition("\n")
    assert status == "200"
    assert "Sam" in body and "Platform Engineer" in body
