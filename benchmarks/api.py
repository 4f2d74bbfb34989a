"""The REST API beside its floor (a benchmark, not a test; PostgreSQL only).

On benchmarks/appraisals.py's data set (its scratch database and dump in
.bench-cache/), prints the median server time (Django's test client in
process, a token's Authorization header, after a warm-up) of:

- a published version's document (`/api/v1/profiles/{slug}/versions/{n}/`);
- the profile list, 100 rows, as HR;
- a manager's appraisals list (100 rows) and an appraisal with its ratings,
  when those endpoints are installed (else "n/a");

and HR's profile list (and its changes since a time, `updated_since`) at
500 and at 20,000 profiles, the data set topped up in SQL between the two
(aim: at most 1.5x from one to the other, and 3x the floor at 20,000);

each beside its floor: one hand-written psycopg2 query for the same rows
and every stored field the API's body shows (refs, texts, a requirement's
frozen scale, both sides' ratings, evidence and comments, the events), and
json.dumps of it, with the ratio. The floor leaves out what the API works
out per caller (which side they may see, their moves and rights, gap words,
links), so it is if anything the lower. The benchmark checks that both list
the same rows in the same order. Aim: at most 3x the floor.

    .venv/bin/python benchmarks/api.py                 # 2,000 people
    .venv/bin/python benchmarks/api.py --people 10000
    .venv/bin/python benchmarks/api.py --instructions  # under callgrind

Wall times swing by half on a loaded machine. --instructions runs the same
rows under valgrind's callgrind (it starts itself there, instrumentation
off) and switches counting on around each row's requests only, so it
prints the instructions this process runs per request, API and floor alike
(the database server's work is another process's in both): ratios that
repeat to within a per cent or two whatever else the machine does.
"""

import argparse
import gc
import importlib.util
import json
import logging
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
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


# Set (to callgrind's output folder) in the process --instructions starts
# under valgrind.
CALLGRIND = "API_BENCH_CALLGRIND"
INSTRUCTION_RUNS = 5


def callgrind_control(*args):
    command = ["callgrind_control", *args, str(os.getpid())]
    subprocess.run(command, check=True, capture_output=True)


def instructions(call, runs):
    """Millions of instructions per call, counted by callgrind over `runs`
    calls after two to warm up (caches, compiled templates, connections):
    counting is switched on around them only, and the dump written when it
    is switched off holds their total (and resets the count).

    The objects alive before the calls are frozen (gc.freeze, as a server
    that forks its workers after loading does): a full collection walks
    all of them, the benchmark's own included, and whether one falls among
    a row's calls or the next row's made the same call count 20-40% more
    from one run to the next."""
    call()
    call()
    gc.collect()
    gc.freeze()
    try:
        callgrind_control("--zero")
        callgrind_control("--instr=on")
        for _ in range(runs):
            call()
        callgrind_control("--instr=off")
    finally:
        gc.unfreeze()
    folder = Path(os.environ[CALLGRIND])
    before = set(folder.iterdir())
    callgrind_control("--dump")
    (dump,) = set(folder.iterdir()) - before
    total = re.search(r"^totals: (\d+)", dump.read_text(), re.MULTILINE)
    dump.unlink()
    return int(total.group(1)) / runs / 1e6


def cost(call, options):
    """A request's cost as this run measures it: milliseconds of wall time,
    or millions of instructions under --instructions."""
    if os.environ.get(CALLGRIND):
        return instructions(call, options.runs)
    return median_ms(call, options.runs)


def under_callgrind():
    """Run this script again under callgrind, instrumentation off until a
    row's requests switch it on; its exit status is this one's."""
    if shutil.which("valgrind") is None:
        raise SystemExit("--instructions needs valgrind (apt-get install valgrind).")
    with tempfile.TemporaryDirectory(prefix="api-bench-callgrind-") as folder:
        command = [
            "valgrind",
            "--tool=callgrind",
            "--instr-atstart=no",
            f"--callgrind-out-file={folder}/callgrind.%p",
            # The interpreter (a venv's link to it), not a shim that execs
            # it, which valgrind would not follow.
            sys.executable,
            *sys.argv,
        ]
        env = {**os.environ, CALLGRIND: folder}
        return subprocess.run(command, env=env, check=False).returncode


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
# The appraisals a manager may read: their own and their reporting line's,
# walked down from their account as a hand-writer would (by index, the ids
# as one array: see appraisals/models.py), newest first.
LINE = """
WITH RECURSIVE line(id) AS (
  SELECT id FROM appraisals_person WHERE account_id = %s
  UNION
  SELECT r.id FROM line l CROSS JOIN LATERAL
    (SELECT p.id FROM appraisals_person p WHERE p.line_manager_id = l.id OFFSET 0) r
)
"""
# What a row shows: the cycle, the person, the manager and the profile as
# refs, the stage, the outcome and the signatures.
ROW_COLUMNS = """
a.id, c.id, c.name, c.kind, c.status, p.id, p.name, p.employee_id, m.id, m.name, m.employee_id,
rp.slug,
CASE WHEN rp.published_version_id = a.profile_version_id THEN rp.published_title
     ELSE v.document ->> 'title' END,
v.number, a.stage, a.outcome, a.person_signed_at, a.manager_signed_at
"""
ROW_JOINS = """
FROM appraisals_appraisal a
JOIN appraisals_cycle c ON c.id = a.cycle_id
JOIN appraisals_person p ON p.id = a.person_id
JOIN appraisals_person m ON m.id = a.manager_id
JOIN profiles_profileversion v ON v.id = a.profile_version_id
JOIN profiles_roleprofile rp ON rp.id = v.profile_id
"""
APPRAISALS_SQL = f"""
{LINE}
SELECT {ROW_COLUMNS} {ROW_JOINS}
WHERE a.person_id = ANY(ARRAY(SELECT id FROM line))
ORDER BY a.id DESC LIMIT %s
"""
ROW_WIDTH = 18
# One appraisal with everything its body shows: the row, the summaries, the
# events (aggregated once) and each requirement with its frozen scale and
# both sides' ratings, evidence and comments.
APPRAISAL_SQL = f"""
WITH one AS MATERIALIZED (
  SELECT {ROW_COLUMNS}, a.revision, rp.published_version_id <> a.profile_version_id,
         a.person_summary, a.manager_summary,
         (SELECT json_agg(json_build_object(
            'action', e.action, 'from_stage', e.from_stage, 'to_stage', e.to_stage,
            'reason', e.reason, 'by', u.username, 'at', e.at) ORDER BY e.at, e.id)
          FROM appraisals_appraisalevent e LEFT JOIN auth_user u ON u.id = e.by_id
          WHERE e.appraisal_id = a.id)
  {ROW_JOINS}
  WHERE a.id = %s
)
SELECT one.*, r.id, r.position, r.kind, r."group", r.title, r.details, r.required_label,
       r.required_rank, r.scale, r.skill_id, r.knowledge_item_id, r.work_activity_id,
       r.self_rating, r.self_evidence, r.self_comment,
       r.manager_rating, r.manager_evidence, r.manager_comment
FROM one LEFT JOIN appraisals_requirement r ON r.appraisal_id = %s
ORDER BY r.position
"""
REQUIREMENT_COLUMNS = [
    "id",
    "position",
    "kind",
    "group",
    "title",
    "details",
    "required_label",
    "required_rank",
    "scale",
    "skill",
    "knowledge_item",
    "work_activity",
]


def row_shape(row, base):
    """An appraisal row as the API shapes it, from ROW_COLUMNS."""
    (
        pk,
        cycle,
        cycle_name,
        kind,
        status,
        person,
        name,
        employee,
        manager,
        manager_name,
        manager_employee,
        slug,
        title,
        number,
        stage,
        outcome,
        person_signed,
        manager_signed,
    ) = row
    return {
        "id": pk,
        "url": f"{base}{pk}/",
        "cycle": {"id": cycle, "name": cycle_name, "kind": kind, "status": status},
        "person": {"id": person, "name": name, "employee_id": employee},
        "manager": {"id": manager, "name": manager_name, "employee_id": manager_employee},
        "profile": {"slug": slug, "title": title, "version": number},
        "stage": stage,
        "outcome": outcome or None,
        "person_signed_at": person_signed,
        "manager_signed_at": manager_signed,
    }


def appraisal_body(found, base):
    first = found[0]
    revision, superseded, person_summary, manager_summary, events = first[ROW_WIDTH : ROW_WIDTH + 5]
    requirements = []
    for row in found:
        cells = row[ROW_WIDTH + 5 :]
        requirement = dict(zip(REQUIREMENT_COLUMNS, cells[:12], strict=True))
        self_rating, self_evidence, self_comment, rating, evidence, comment = cells[12:]
        requirement["self"] = {
            "rating": self_rating,
            "evidence": self_evidence,
            "comment": self_comment,
        }
        requirement["manager"] = {"rating": rating, "evidence": evidence, "comment": comment}
        requirements.append(requirement)
    return {
        **row_shape(first[:ROW_WIDTH], base),
        "revision": revision,
        "superseded": superseded,
        "person_summary": person_summary,
        "manager_summary": manager_summary,
        "requirements": requirements,
        "events": events,
    }


def same_rows(body):
    """What the API's body and its floor's must agree on: the rows listed,
    or the requirements of an appraisal, or a version's title."""
    if "results" in body:
        return [row.get("id", row.get("slug")) for row in body["results"]]
    if "requirements" in body:
        return [row["id"] for row in body["requirements"]]
    return body["title"]


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
    # The access log's line is written, as in production, but not shown.
    access = logging.getLogger("competency.access")
    access.handlers = [logging.FileHandler(os.devnull)]
    access.propagate = False
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
                            ),
                            url=f"https://testserver/api/v1/profiles/{row[0]}/",
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
    base = f"https://testserver{APPRAISALS}"
    rows.append(
        (
            f"a manager's appraisals, {APPRAISALS_ROWS} rows",
            installed and api("manager", f"{APPRAISALS}?page_size={APPRAISALS_ROWS}"),
            floor(
                cursor,
                APPRAISALS_SQL,
                [manager.account_id, APPRAISALS_ROWS],
                lambda found: {"results": [row_shape(row, base) for row in found]},
            ),
        )
    )
    rows.append(
        (
            "an appraisal with its ratings",
            installed and api("manager", f"{APPRAISALS}{appraisal.pk}/"),
            floor(
                cursor, APPRAISAL_SQL, [appraisal.pk] * 2, lambda found: appraisal_body(found, base)
            ),
        )
    )

    try:
        report(rows, options)
        profile_list_growth(api, cursor, options)
    finally:
        database.close()


def profiles_row(found):
    return {
        "results": [
            dict(
                zip(
                    ["slug", "title", "status", "job_family", "role_level", "summary", "version"],
                    row,
                    strict=True,
                ),
                url=f"https://testserver/api/v1/profiles/{row[0]}/",
            )
            for row in found
        ]
    }


# Profiles added in SQL to grow the data set for HR's list: the columns a
# list row reads and 1 to 3 versions each, as the application writes them.
TOP_UP_PROFILES = """
INSERT INTO profiles_roleprofile (title, slug, role_level, variant, summary, responsibilities,
  background, prior_knowledge, source, status, created_at, updated_at, published_family,
  published_role_level, published_summary, published_text, published_title, search_text)
SELECT 'Role ' || md5(g::text), 'bench-role-' || g, '', '', 'A role.', '[]', '[]', '[]', '',
  'draft', now(), now() - (g || ' minutes')::interval, '', '', '', '', '', ''
FROM generate_series((SELECT count(*) FROM profiles_roleprofile) + 1, %s) g
"""
TOP_UP_VERSIONS = """
INSERT INTO profiles_profileversion (profile_id, number, document, published_at)
SELECT p.id, n, '{}', now()
FROM profiles_roleprofile p, generate_series(1, 1 + p.id %% 3) n
WHERE p.slug LIKE 'bench-role-%%' AND NOT EXISTS
  (SELECT 1 FROM profiles_profileversion v WHERE v.profile_id = p.id)
"""
GROWTH = (500, 20_000)
GROWTH_AIM = 1.5


def profile_list_growth(api, cursor, options):
    """HR's profile list (and its changes since a time) at 500 and at 20,000
    profiles: the data set topped up in SQL between the two."""
    lists = {
        "HR's profile list, 100 rows": "/api/v1/profiles/?page_size=100",
        "HR's changes since 2000, 100 rows": (
            "/api/v1/profiles/?page_size=100&updated_since=2000-01-01T00:00:00Z"
        ),
    }
    served = {}
    for size in GROWTH:
        cursor.execute(TOP_UP_PROFILES, [size])
        cursor.execute(TOP_UP_VERSIONS, [])  # with params, so %% is read as %
        cursor.execute("ANALYZE")
        rows = [(f"{label} at {size:,}", api("HR", url), None) for label, url in lists.items()]
        rows.append(
            (f"  its floor at {size:,}", floor(cursor, PROFILES_SQL, [], profiles_row), None)
        )
        for label, call, _ in rows:
            served[label] = cost(call, options)
            say(f"{label:44} {served[label]:8.1f}")
    for label in lists:
        ratio = served[f"{label} at {GROWTH[-1]:,}"] / served[f"{label} at {GROWTH[0]:,}"]
        bottom = served[f"  its floor at {GROWTH[-1]:,}"]
        to_floor = served[f"{label} at {GROWTH[-1]:,}"] / bottom
        flag = "" if ratio <= GROWTH_AIM and to_floor <= AIM else "  over an aim"
        say(f"{label}: {ratio:.2f}x from 500 to 20,000; {to_floor:.1f}x its floor{flag}")


def report(rows, options):
    """Each row beside its floor, with the ratio."""
    unit = "Minstr" if os.environ.get(CALLGRIND) else "ms"
    say(f"\n{'':36} {'API ' + unit:>10} {'floor ' + unit:>12} {'ratio':>6}")
    for label, call, floor_call in rows:
        if not call:
            say(f"{label:36} {'n/a':>8}   (endpoint not installed)")
            continue
        served = cost(call, options)
        if floor_call is None:
            say(f"{label:36} {served:10.1f}")
            continue
        # The floor serves the same content: the same rows, in the same order.
        served_body, floor_body = json.loads(call().content), json.loads(floor_call())
        assert same_rows(served_body) == same_rows(floor_body), label
        bottom = cost(floor_call, options)
        ratio = served / bottom
        flag = "" if ratio <= AIM else f"  over {AIM:.0f}x"
        say(f"{label:36} {served:10.1f} {bottom:12.2f} {ratio:6.1f}x{flag}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=2_000, help="people (default 2,000)")
    parser.add_argument("--runs", type=int, help=f"timed requests per row (default {RUNS})")
    parser.add_argument(
        "--instructions",
        action="store_true",
        help=f"count instructions under callgrind, not wall time (default --runs "
        f"{INSTRUCTION_RUNS})",
    )
    parser.add_argument("--keep", action="store_true", help="leave the scratch database")
    options = parser.parse_args()
    if options.instructions and not os.environ.get(CALLGRIND):
        return under_callgrind()
    if options.runs is None:
        options.runs = INSTRUCTION_RUNS if options.instructions else RUNS
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        raise SystemExit("benchmarks/api.py measures PostgreSQL: set DATABASE_URL=postgres://…")
    server = generator.Server()
    # Named for DATABASE_URL's database too, as appraisals.py's are, so that
    # two worktrees measuring on one server never drop each other's.
    database = (
        f"{generator.PREFIX}{server.tag}_{options.people}"
        if server.tag
        else f"{generator.PREFIX}{options.people}"
    )
    try:
        generator.open_data_set(server, database, options.people)
        measure(options)
    finally:
        from django.db import connections

        connections.close_all()
        if not options.keep:
            server.drop(database)


if __name__ == "__main__":
    sys.exit(main())
