"""The REST API beside its floor (a benchmark, not a test; PostgreSQL only).

On benchmarks/appraisals.py's data set (its scratch database and dump in
.bench-cache/), prints the median server time (Django's test client in
process, a token's Authorization header, after a warm-up) of:

- a published version's document (`/api/v1/profiles/{slug}/versions/{n}/`);
- the profile list, 100 rows, as HR;
- a manager's appraisals list (100 rows) and an appraisal with its ratings,
  when those endpoints are installed (else "n/a");

each beside its floor: one hand-written psycopg2 query for the same content
and json.dumps of it, with the ratio. Aim: at most 3x the floor.

    .venv/bin/python benchmarks/api.py                 # 2,000 people
    .venv/bin/python benchmarks/api.py --people 10000
"""

import argparse
import importlib.util
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

# benchmarks/appraisals.py, under a name that is not the Django app's.
_spec = importlib.util.spec_from_file_location(
    "appraisals_bench", ROOT / "benchmarks" / "appraisals.py"
)
generator = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(generator)

AIM = 3.0
RUNS = 30


def say(message):
    print(message, flush=True)


def median_ms(call, runs):
    call()  # warm-up
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def floor_connection():
    import psycopg2
    from django.db import connection

    settings = connection.settings_dict
    database = psycopg2.connect(
        dbname=settings["NAME"],
        user=settings["USER"],
        password=settings["PASSWORD"] or None,
        host=settings["HOST"],
        port=settings["PORT"] or None,
        options="-c jit=off",
    )
    database.autocommit = True
    return database


def floor(cursor, sql, params, shape):
    """One query and json.dumps of its rows, shaped as the API's body."""

    def call():
        cursor.execute(sql, params)
        return json.dumps(shape(cursor.fetchall()), default=str)

    return call


VERSION_SQL = "SELECT document FROM profiles_profileversion WHERE id = %s"
PROFILES_SQL = """
SELECT p.slug, p.title, p.status, f.name, p.role_level, p.summary,
       (SELECT max(v.number) FROM profiles_profileversion v WHERE v.profile_id = p.id)
FROM profiles_roleprofile p LEFT JOIN profiles_jobfamily f ON f.id = p.job_family_id
ORDER BY p.title, p.id LIMIT 100
"""


APPRAISALS = "/api/v1/appraisals/"
APPRAISALS_ROWS = 100
APPRAISAL_COLUMNS = ["id", "person", "cycle", "stage", "outcome", "updated_at"]
APPRAISALS_SQL = """
SELECT a.id, p.name, c.name, a.stage, a.outcome, a.updated_at
FROM appraisals_appraisal a
JOIN appraisals_person p ON p.id = a.person_id
JOIN appraisals_cycle c ON c.id = a.cycle_id
WHERE a.manager_id = %s
ORDER BY c.opens_on DESC, p.name, a.id LIMIT %s
"""
RATING_COLUMNS = [
    "position",
    "kind",
    "group",
    "title",
    "required_label",
    "required_rank",
    "self_rating",
    "self_comment",
    "manager_rating",
    "manager_comment",
]
APPRAISAL_SQL = """
SELECT a.id, p.name, c.name, a.stage, a.outcome, a.person_summary, a.manager_summary,
       r.position, r.kind, r."group", r.title, r.required_label, r.required_rank,
       r.self_rating, r.self_comment, r.manager_rating, r.manager_comment
FROM appraisals_appraisal a
JOIN appraisals_person p ON p.id = a.person_id
JOIN appraisals_cycle c ON c.id = a.cycle_id
LEFT JOIN appraisals_requirement r ON r.appraisal_id = a.id
WHERE a.id = %s ORDER BY r.position
"""


def appraisal_body(found):
    first = found[0]
    keys = ["id", "person", "cycle", "stage", "outcome", "person_summary", "manager_summary"]
    return {
        **dict(zip(keys, first[:7], strict=True)),
        "requirements": [dict(zip(RATING_COLUMNS, row[7:], strict=True)) for row in found],
    }


def measure(options):
    from django.contrib.auth.models import User
    from django.db import connection
    from django.test import Client
    from django.urls import resolve
    from django.utils import timezone

    from appraisals.models import Appraisal
    from competency.api import urls as api_urls
    from competency.api.models import ApiToken
    from profiles.models import ProfileVersion

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    generator.scale.serve_plainly()
    hr = User.objects.get(username=generator.HR_USER)
    manager = generator.team_manager()
    expires = timezone.now() + timezone.timedelta(days=1)
    tokens = {
        "HR": ApiToken.issue(name="bench", user=hr, expires_at=expires)[1],
        "manager": ApiToken.issue(name="bench", user=manager.account, expires_at=expires)[1],
    }
    client = Client()
    database = floor_connection()
    cursor = database.cursor()
    version = ProfileVersion.objects.select_related("profile").order_by("pk").first()

    def api(who, url):
        def call():
            response = client.get(url, secure=True, HTTP_AUTHORIZATION=f"Token {tokens[who]}")
            assert response.status_code == 200, (url, response.status_code)
            return response

        return call

    rows = []
    rows.append(
        (
            "a version's document",
            api("manager", f"/api/v1/profiles/{version.profile.slug}/versions/{version.number}/"),
            floor(cursor, VERSION_SQL, [version.pk], lambda found: found[0][0]),
        )
    )
    rows.append(
        (
            "profile list, 100 rows (HR)",
            api("HR", "/api/v1/profiles/?page_size=100"),
            floor(
                cursor,
                PROFILES_SQL,
                [],
                lambda found: {
                    "results": [
                        dict(
                            zip(
                                [
                                    "slug",
                                    "title",
                                    "status",
                                    "job_family",
                                    "role_level",
                                    "summary",
                                    "version",
                                ],
                                row,
                                strict=True,
                            )
                        )
                        for row in found
                    ]
                },
            ),
        )
    )
    # The appraisals endpoints come in another branch: measured once the
    # URLconf has them (the API's catch-all answers any other address).
    appraisal = Appraisal.objects.filter(manager=manager).order_by("-cycle__opens_on", "pk").first()
    installed = resolve(APPRAISALS).func is not api_urls.unknown
    rows.append(
        (
            f"a manager's appraisals, {APPRAISALS_ROWS} rows",
            installed and api("manager", f"{APPRAISALS}?page_size={APPRAISALS_ROWS}"),
            floor(
                cursor,
                APPRAISALS_SQL,
                [manager.pk, APPRAISALS_ROWS],
                lambda found: {
                    "results": [dict(zip(APPRAISAL_COLUMNS, row, strict=True)) for row in found]
                },
            ),
        )
    )
    rows.append(
        (
            "an appraisal with its ratings",
            installed and api("manager", f"{APPRAISALS}{appraisal.pk}/"),
            floor(cursor, APPRAISAL_SQL, [appraisal.pk], appraisal_body),
        )
    )

    say(f"\n{'':36} {'API ms':>8} {'floor ms':>9} {'ratio':>6}")
    for label, call, floor_call in rows:
        if not call:
            say(f"{label:36} {'n/a':>8}   (endpoint not installed)")
            continue
        served = median_ms(call, options.runs)
        if floor_call is None:
            say(f"{label:36} {served:8.1f}")
            continue
        bottom = median_ms(floor_call, options.runs)
        ratio = served / bottom
        flag = "" if ratio <= AIM else f"  over {AIM:.0f}x"
        say(f"{label:36} {served:8.1f} {bottom:9.2f} {ratio:6.1f}x{flag}")
    database.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=2_000, help="people (default 2,000)")
    parser.add_argument("--runs", type=int, default=RUNS, help="timed requests per row")
    options = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        raise SystemExit("benchmarks/api.py measures PostgreSQL: set DATABASE_URL=postgres://…")
    server = generator.Server()
    database = f"{generator.PREFIX}{options.people}"
    dump = generator.CACHE / f"appraisals-{options.people}-{generator.data_set_key()}.dump"
    server.fresh(database)
    build = not dump.exists()
    if not build:
        say(f"restoring {dump.relative_to(ROOT)} into {database}")
        server.tool("pg_restore", "--no-owner", "--exit-on-error", "-d", database, str(dump))
    os.environ["DATABASE_URL"] = server.url(database)
    from scratch import setup

    setup(migrate=build)
    try:
        if build:
            say(f"building {options.people:,} people in {database}")
            generator.build_data_set(options.people)
            generator.CACHE.mkdir(exist_ok=True)
            partial = dump.with_suffix(".partial")
            server.tool("pg_dump", "-Fc", "-f", str(partial), database)
            partial.replace(dump)
        measure(options)
    finally:
        from django.db import connections

        connections.close_all()
        server.drop(database)


if __name__ == "__main__":
    main()
