"""Appraisal pages at the size of a large organisation (a benchmark, not a
test; PostgreSQL only).

Builds, in a scratch database of its own (competency_appraisals_bench_<the
name of DATABASE_URL's database>_N),
10,000 people under 500 managers (reporting lines up to 6 deep), a few
hundred published profiles (benchmarks/scale.py's generator, trimmed to 40
requirements each), two closed annual cycles (20,000 appraisals agreed or
signed off) and an open mid-year cycle overlapping them (10,000 appraisals
from draft to manager review): ~1,200,000 requirement rows. Then it prints
the median server time (Django's test client in process, against the real
database, 15 requests after a warm-up) and the query count of:

- a manager's team page, "/" as a manager with 50 reports;
- the team page of a head of department, one of the five below the top
  (about a fifth of everyone in their line: 2,000 at 10,000 people, 200 at
  1,000), its first page and a later page of the rest of their line;
- the team heatmap of that manager (and HR's, everyone, first page), and
  the heatmap beside one hand-written psycopg2 query returning its cells;
- an appraisal page (appraisals:detail);
- HR's view of a cycle (appraisals:cycle);
- finding people by skill and level across everyone, as HR.

A page whose route is not installed (yet) prints "n/a" instead of a time,
so the script runs on any branch. Aim: each at most 100 ms.

    .venv/bin/python benchmarks/appraisals.py                  # 10,000 people
    .venv/bin/python benchmarks/appraisals.py --people 1000    # a quick run

A built data set is kept as a pg_dump in .bench-cache/, named by a hash of
the generator's source (this file's and scale.py's, between their "data
set" markers) and of the migrations' names, and restored on the next run.
"""

import argparse
import hashlib
import inspect
import io
import json
import os
import random
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

import scale  # noqa: E402 (the profile generator this data set reuses)

CACHE = ROOT / ".bench-cache"
PREFIX = "competency_appraisals_bench_"
RUNS = 15
AIM_MS = 100
DATA_SET_START = "# --- the data set"
DATA_SET_END = "# --- end of the data set"


def say(message):
    print(message, flush=True)


class Server(scale.Server):
    """scale.py's PostgreSQL server, touching only this script's databases."""

    def fresh(self, database):
        assert database.startswith(PREFIX), database
        self.tool("dropdb", "--if-exists", database)
        self.tool("createdb", database)

    def drop(self, database):
        assert database.startswith(PREFIX), database
        self.tool("dropdb", "--if-exists", database)


def source_between(path):
    text = Path(path).read_text(encoding="utf-8")
    # The marker comments at the start of a line: the first match of the
    # bare strings is the constants above, which would hash nothing of the
    # generator (a changed generator then restored an old dump).
    return text[text.index("\n" + DATA_SET_START) : text.index("\n" + DATA_SET_END)]


def data_set_key():
    migrations = sorted(str(p.relative_to(ROOT)) for p in ROOT.glob("*/migrations/[0-9]*.py"))
    text = json.dumps([source_between(__file__), source_between(scale.__file__), migrations])
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def open_data_set(server, database, people, *, rebuild=False):
    """The data set of `people` in a fresh `database`: restored from its dump
    in .bench-cache/, or built and dumped there. Django is set up on it."""
    dump = CACHE / f"appraisals-{people}-{data_set_key()}.dump"
    server.fresh(database)
    build = rebuild or not dump.exists()
    if not build:
        say(f"restoring {dump.relative_to(ROOT)} into {database}")
        server.tool("pg_restore", "--no-owner", "--exit-on-error", "-d", database, str(dump))
    os.environ["DATABASE_URL"] = server.url(database)
    from django_setup import setup

    # Always: nothing to do for a dump of this schema, and what was added
    # since for one renamed by hand to skip a rebuild.
    setup(migrate=True)
    if build:
        say(f"building {people:,} people in {database} (no dump in .bench-cache)")
        begun = time.perf_counter()
        build_data_set(people)
        say(f"built in {time.perf_counter() - begun:.0f} s")
        CACHE.mkdir(exist_ok=True)
        for stale in CACHE.glob(f"appraisals-{people}-*.dump"):
            stale.unlink()
        partial = dump.with_suffix(".partial")
        server.tool("pg_dump", "-Fc", "-f", str(partial), database)
        partial.replace(dump)
        say(f"dumped to {dump.relative_to(ROOT)}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=10_000, help="people (default 10,000)")
    parser.add_argument("--runs", type=int, default=RUNS, help="timed requests per page")
    parser.add_argument("--rebuild", action="store_true", help="build even if a dump exists")
    parser.add_argument("--keep", action="store_true", help="leave the scratch database")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="measure the database a run with --keep left, as it is (implies --keep)",
    )
    options = parser.parse_args()
    options.keep = options.keep or options.reuse
    if not 200 <= options.people <= 200_000:
        parser.error("--people must be between 200 and 200,000")
    if not 1 <= options.runs <= 100:
        parser.error("--runs must be between 1 and 100")
    server = Server()
    # Named for DATABASE_URL's database too, as scale.py's are, so that two
    # worktrees measuring on one server never drop each other's.
    database = (
        f"{PREFIX}{server.tag}_{options.people}" if server.tag else f"{PREFIX}{options.people}"
    )
    started = time.perf_counter()
    try:
        if options.reuse:
            # No restore: at 100,000 people one takes longer than the pages.
            say(f"measuring {database} as a run with --keep left it")
            os.environ["DATABASE_URL"] = server.url(database)
            from django_setup import setup

            setup(migrate=True)
        else:
            open_data_set(server, database, options.people, rebuild=options.rebuild)
        measure(options)
    finally:
        from django.db import connections

        connections.close_all()
        if not options.keep:
            server.drop(database)
    say(f"\nwhole run: {time.perf_counter() - started:.0f} s")


# --- the data set: everything between here and its end marker names the dumps.

PROFILES = 300
# Trimmed from scale.py's 54 rated items, to about 40 per appraisal.
RATED = {"work_activities": 12, "knowledge_skills": 20, "organisation_skills": 8}
MANAGER_SHARE = 20  # one manager per 20 people
FAN_OUT = 5  # reports who manage, per manager, down the levels
MANAGER_LEVELS = 5  # managers' levels: with their staff, lines 6 deep
TEAM = 50  # the measured manager's direct reports
CYCLES = [("Annual review 2024", date(2024, 4, 1)), ("Annual review 2025", date(2025, 4, 1))]
# Open while the 2025 review's late agreed appraisals are still not signed off.
MID_YEAR = ("Mid-year check 2026", date(2026, 10, 1), date(2027, 1, 29))
MID_YEAR_STAGES = ["draft", "self_assessment", "self_assessment", "manager_review"]
HR_USER = "bench-hr"
COPY_APPRAISALS = 5_000  # appraisals' requirement rows per COPY
STAMP = datetime(2025, 7, 1, 12, tzinfo=UTC)


def build_data_set(count):
    from django.contrib.auth.models import Group, User
    from django.db import connection, transaction

    from appraisals.models import Appraisal, AppraisalEvent, Cycle, LatestRating, Person, Stage
    from profiles.models import ProfileVersion

    rng = random.Random("appraisals")
    hr = User.objects.create_user(HR_USER, first_name="Bench", last_name="HR")
    hr.groups.add(Group.objects.get(name="HR"))
    catalogue = scale.Catalogue.write()
    combos = scale.titles()
    specs = []
    for number in range(PROFILES):
        spec = scale.profile_spec(number, catalogue, combos[number], state="published")
        for key, keep in RATED.items():
            spec["links"][key] = spec["links"][key][:keep]
        specs.append(spec)
    profiles = scale.write_profiles(specs, catalogue, hr)
    say(f"  {len(profiles)} published profiles")

    # Managers level by level, each level FAN_OUT times the one above, the
    # last taking what is left; the first manager of the last level has
    # TEAM reports, the rest of the staff are spread over the others.
    managers_total = max(count // MANAGER_SHARE, 2)
    levels, left = [], managers_total
    while left:
        size = 1 if not levels else min(left, len(levels[-1]) * FAN_OUT)
        if len(levels) == MANAGER_LEVELS - 1:
            size = left
        levels.append(list(range(managers_total - left, managers_total - left + size)))
        left -= size
    ids = scale.next_ids(Person, count)
    people = [Person(pk=next(ids)) for _ in range(count)]
    for level, above in zip(levels[1:], levels, strict=False):
        for n, index in enumerate(level):
            people[index].line_manager_id = people[above[n % len(above)]].pk
    leaves = levels[-1]
    staff = range(managers_total, count)
    for n, index in enumerate(staff):
        boss = leaves[0] if n < TEAM else leaves[1 + (n - TEAM) % (len(leaves) - 1)]
        people[index].line_manager_id = people[boss].pk
    accounts = User.objects.bulk_create(
        User(username=f"manager-{n}", password="!", first_name="Manager", last_name=str(n))
        for n in range(managers_total)
    )
    managers = Group.objects.get(name="Line managers")
    User.groups.through.objects.bulk_create(
        User.groups.through(user_id=user.pk, group_id=managers.pk) for user in accounts
    )
    for n, person in enumerate(people):
        profile = profiles[rng.randrange(len(profiles))]
        person.employee_id = f"E{n:06d}"
        person.name = f"{rng.choice(FIRST)} {rng.choice(LAST)} {n}"
        person.email = f"e{n:06d}@example.org"
        person.job_title = profile.title
        person.role_profile_id = profile.pk
        person.start_date = date(2015, 1, 1) + timedelta(days=rng.randrange(3000))
        person.account_id = accounts[n].pk if n < managers_total else None
    with transaction.atomic():
        with connection.cursor() as cursor:
            # A person names their manager, written in the same COPY.
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        scale.copy_rows(Person, people)
    say(f"  {count:,} people, {managers_total} managers, levels {[len(x) for x in levels]}")

    cycles = [
        Cycle.objects.create(
            name=name,
            opens_on=opens,
            closes_on=opens + timedelta(days=90),
            status=Cycle.Status.CLOSED,
        )
        for name, opens in CYCLES
    ]
    versions = {profile.pk: profile.published_version_id for profile in profiles}
    from appraisals.requirements import requirement_templates

    templates = requirement_templates(
        ProfileVersion.objects.filter(pk__in=versions.values()).values_list("pk", "document")
    )
    lines = {pk: [template_line(row) for row in rows] for pk, rows in templates.items()}
    appraised = [person for person in people if person.line_manager_id]
    total = 0
    for number, cycle in enumerate(cycles):
        ids = scale.next_ids(Appraisal, len(appraised))
        appraisals = []
        for person in appraised:
            last = number == len(cycles) - 1
            agreed_only = last and rng.random() < 0.05
            signed = None if agreed_only else STAMP.replace(year=cycle.opens_on.year)
            appraisals.append(
                Appraisal(
                    pk=next(ids),
                    cycle_id=cycle.pk,
                    person_id=person.pk,
                    manager_id=person.line_manager_id,
                    profile_version_id=versions[person.role_profile_id],
                    stage=Stage.AGREED if agreed_only else Stage.SIGNED_OFF,
                    outcome=rng.choice(["meets", "meets", "exceeds", "partly"]),
                    person_summary="A good year.",
                    manager_summary="Agreed in our review.",
                    person_signed_at=signed,
                    manager_signed_at=signed,
                    revision=12,
                    created_at=STAMP.replace(year=cycle.opens_on.year, month=4),
                    updated_at=STAMP.replace(year=cycle.opens_on.year),
                )
            )
        with transaction.atomic():
            scale.copy_rows(Appraisal, appraisals)
            events = []
            for appraisal in appraisals:
                events.append(
                    AppraisalEvent(
                        appraisal_id=appraisal.pk,
                        action="created",
                        from_stage="",
                        to_stage="draft",
                        at=appraisal.created_at,
                    )
                )
                if appraisal.stage == Stage.SIGNED_OFF:
                    events.append(
                        AppraisalEvent(
                            appraisal_id=appraisal.pk,
                            action="signed_off",
                            from_stage="agreed",
                            to_stage="signed_off",
                            at=appraisal.updated_at,
                        )
                    )
            copy_without_id(AppraisalEvent, events)
            total += write_requirements(appraisals, lines, rng)
        say(f"  {cycle.name}: {len(appraisals):,} appraisals, {total:,} requirement rows so far")
    name, opens, closes = MID_YEAR
    cycle = Cycle.objects.create(
        name=name, kind="mid_year", opens_on=opens, closes_on=closes, status=Cycle.Status.OPEN
    )
    ids = scale.next_ids(Appraisal, len(appraised))
    appraisals = [
        Appraisal(
            pk=next(ids),
            cycle_id=cycle.pk,
            person_id=person.pk,
            manager_id=person.line_manager_id,
            profile_version_id=versions[person.role_profile_id],
            stage=rng.choice(MID_YEAR_STAGES),
            revision=3,
            created_at=STAMP.replace(year=2026, month=10),
            updated_at=STAMP.replace(year=2026, month=11),
        )
        for person in appraised
    ]
    with transaction.atomic():
        scale.copy_rows(Appraisal, appraisals)
        copy_without_id(
            AppraisalEvent,
            [
                AppraisalEvent(
                    appraisal_id=appraisal.pk,
                    action="created",
                    from_stage="",
                    to_stage="draft",
                    at=appraisal.created_at,
                )
                for appraisal in appraisals
            ],
        )
        total += write_requirements(appraisals, lines, rng)
    say(f"  {cycle.name}: {len(appraisals):,} open appraisals, {total:,} requirement rows")
    # The appraisals were agreed here by COPY, not through the workflow,
    # which keeps each person's latest agreed ratings: filled as it would.
    from appraisals import insight

    insight.refresh_latest_ratings(Person.objects.order_by("pk").values_list("pk", flat=True))
    say(f"  {LatestRating.objects.count():,} latest agreed ratings")
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


FIRST = ["Ada", "Bea", "Cai", "Dev", "Eli", "Fay", "Gus", "Hana", "Ivo", "Jo", "Kit", "Lee"]
LAST = ["Adams", "Begum", "Clarke", "Davies", "Evans", "Khan", "Jones", "Patel", "Smith"]
# The Requirement columns written, in order; the first few come from the
# template (the same for every appraisal of a version), the rest per row.
TEMPLATE_COLUMNS = [
    "kind",
    "group",
    "title",
    "details",
    "required_label",
    "required_rank",
    "scale",
    "skill_id",
    "knowledge_item_id",
    "work_activity_id",
]
ROW_COLUMNS = [
    "appraisal_id",
    "position",
    "self_rating",
    "self_evidence",
    "self_comment",
    "manager_rating",
    "manager_evidence",
    "manager_comment",
]


def template_line(row):
    """A template's columns in COPY's text format, once per version row."""
    from appraisals.models import Requirement

    fields = {field.attname: field for field in Requirement._meta.concrete_fields}
    text = "\t".join(
        scale.copy_text(fields[name], row.get(name, fields[name].get_default()))
        for name in TEMPLATE_COLUMNS
    )
    ranks = [step["rank"] for step in row["scale"]]
    return text, row["position"], row["required_rank"], ranks


def rating(rng, required, ranks):
    """Near the required level, within the scale; a few not rated."""
    if rng.random() < 0.03:
        return None
    if required is None:
        return rng.choice(ranks)
    return min(max(required + rng.choice([-1, 0, 0, 0, 1]), ranks[0]), ranks[-1])


def write_requirements(appraisals, lines, rng):
    """Every appraisal's requirements, copied from its version's templates
    (what cycles.open_cycle writes) with both sides rated, in one COPY."""
    from django.db import connection

    from appraisals.models import Requirement

    def value(number):
        return r"\N" if number is None else str(number)

    fields = {field.attname: field for field in Requirement._meta.concrete_fields}
    quote = connection.ops.quote_name
    columns = ", ".join(quote(fields[name].column) for name in TEMPLATE_COLUMNS + ROW_COLUMNS)

    def copy(buffer):
        buffer.seek(0)
        with connection.cursor() as cursor:
            cursor.cursor.copy_expert(
                f"COPY {quote(Requirement._meta.db_table)} ({columns}) FROM STDIN", buffer
            )

    # One COPY per COPY_APPRAISALS appraisals: a buffer of a whole cycle at
    # 100,000 people (4,000,000 rows) would take gigabytes (StringIO keeps
    # four bytes a character once read).
    buffer, rows = io.StringIO(), 0
    for number, appraisal in enumerate(appraisals, 1):
        for text, position, required, ranks in lines[appraisal.profile_version_id]:
            mine, theirs = rating(rng, required, ranks), rating(rng, required, ranks)
            buffer.write(
                f"{text}\t{appraisal.pk}\t{position}\t{value(mine)}\t"
                f"{'Shown in my work.' if mine else ''}\t\t{value(theirs)}\t"
                f"{'Seen in the year.' if theirs else ''}\t\n"
            )
            rows += 1
        if number % COPY_APPRAISALS == 0:
            copy(buffer)
            buffer = io.StringIO()
    copy(buffer)
    return rows


def copy_without_id(model, objects):
    """COPY every column but the id, which the table's sequence gives."""
    from django.db import connection

    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    buffer = io.StringIO()
    for obj in objects:
        buffer.write(
            "\t".join(scale.copy_text(field, getattr(obj, field.attname)) for field in fields)
        )
        buffer.write("\n")
    buffer.seek(0)
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(
            f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN", buffer
        )


# --- end of the data set -----------------------------------------------------


def check_data_set():
    """Refuse to measure rows the application would not have written: open
    a cycle through the application for the measured manager's team and
    compare its requirement rows with the bulk ones of the same person and
    version (every column but the ids and the ratings), then roll back."""
    from django.db import transaction

    from appraisals import cycles
    from appraisals.models import Appraisal, Cycle, Requirement

    manager = team_manager()
    same = [
        field.attname
        for field in Requirement._meta.concrete_fields
        if field.attname not in {"id", "appraisal_id"} and not field.attname.startswith("self_")
        if not field.attname.startswith("manager_")
    ]
    with transaction.atomic():
        cycle = Cycle.objects.create(
            name="Check", opens_on=date(2026, 4, 1), closes_on=date(2026, 6, 1)
        )
        # Everyone has an open mid-year appraisal: add them (a branch whose
        # open_cycle does not ask adds them anyway).
        asks = "overlapping" in inspect.signature(cycles.open_cycle).parameters
        overlapping = {"overlapping": "add"} if asks else {}
        opened = cycles.open_cycle(
            cycle=cycle, scope=cycles.Scope.team(manager), **overlapping
        ).created
        if len(opened) != TEAM:
            raise SystemExit(f"the measured manager has {len(opened)} reports, not {TEAM}")
        fresh = opened[0]
        bulk = Appraisal.objects.filter(person=fresh.person, cycle__name=CYCLES[-1][0]).get()
        app_rows = list(fresh.requirements.order_by("position").values_list(*same))
        bulk_rows = list(bulk.requirements.order_by("position").values_list(*same))
        transaction.set_rollback(True)
    if app_rows != bulk_rows:
        raise SystemExit("the bulk requirement rows are not what open_cycle writes")
    say(f"checked: the bulk requirement rows are what open_cycle writes ({len(app_rows)} rows)")


def team_manager():
    from django.db.models import Count

    from appraisals.models import Person

    return (
        Person.objects.annotate(reports_total=Count("reports"))
        .filter(reports_total=TEAM)
        .order_by("pk")
        .first()
    )


def head_of_department():
    """The first of the people reporting to the top of the organisation:
    about a fifth of everyone is in their line."""
    from appraisals.models import Person

    top = Person.objects.filter(line_manager__isnull=True, reports__isnull=False).first()
    return top.reports.filter(account__isnull=False).order_by("pk").first()


def timed(client, url, runs):
    """(median ms, queries, status) of a page, or None when it answers
    other than 200 (a route not installed, a home that redirects)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, secure=True)
    count = len(queries)
    if response.status_code != 200:
        return {"ms": None, "queries": count, "status": response.status_code}
    times = []
    # CPU too, the process's and its PostgreSQL backend's, averaged over the
    # runs (the backend's is counted in 10 ms ticks): on a shared machine
    # the clock measures the other work as well.
    backend = backend_pid()
    cpu = (time.process_time(), cpu_seconds(backend))
    for _ in range(runs):
        start = time.perf_counter()
        client.get(url, secure=True)
        times.append(time.perf_counter() - start)
    python_ms = (time.process_time() - cpu[0]) * 1000 / runs
    postgres_ms = (cpu_seconds(backend) - cpu[1]) * 1000 / runs
    return {
        "ms": statistics.median(times) * 1000,
        "cpu_ms": python_ms + postgres_ms,
        "postgres_ms": postgres_ms,
        "queries": count,
        "bytes": len(response.content),
    }


def backend_pid():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def cpu_seconds(pid):
    """User and system CPU seconds of a process so far (from /proc)."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def url_of(name, **kwargs):
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse(name, kwargs=kwargs or None)
    except NoReverseMatch:
        return None


HEATMAP_SQL = """
WITH RECURSIVE below(id) AS (
    SELECT id FROM appraisals_person WHERE line_manager_id = %s
    UNION
    SELECT p.id FROM appraisals_person p JOIN below b ON p.line_manager_id = b.id
)
SELECT b.id, r.kind, COALESCE(r.skill_id, r.knowledge_item_id, r.work_activity_id),
       r.manager_rating - r.required_rank, r.manager_rating
FROM below b
CROSS JOIN LATERAL (
    SELECT a.id FROM appraisals_appraisal a JOIN appraisals_cycle c ON c.id = a.cycle_id
    WHERE a.person_id = b.id AND a.stage IN ('agreed', 'signed_off')
    ORDER BY c.opens_on DESC, a.id DESC LIMIT 1
) latest
JOIN appraisals_requirement r ON r.appraisal_id = latest.id
"""


def heatmap_floor(manager, runs):
    """The heatmap's cells by one hand-written query (psycopg2, no ORM):
    its median time and the cells, to check the page's against."""
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
    cursor = database.cursor()
    cursor.execute(HEATMAP_SQL, [manager.pk])
    cells = {(p, kind, item): gap for p, kind, item, gap, _ in cursor.fetchall()}
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        cursor.execute(HEATMAP_SQL, [manager.pk])
        cursor.fetchall()
        times.append(time.perf_counter() - start)
    database.close()
    return statistics.median(times) * 1000, cells


def check_heatmap(manager, cells):
    """The page's cells are the query's: the same gap for each shown one."""
    from appraisals import insight
    from appraisals.models import Person

    people = insight.annotate_latest(Person.objects.reporting_line(manager).current())
    shown = insight.heatmap(people[: insight.HEATMAP_PEOPLE])
    compared = 0
    for row in shown.rows:
        for column, cell in zip(shown.columns, row.cells, strict=True):
            if cell is None:
                continue
            kind, item = column.key
            if cells.get((row.person.pk, kind, item), "missing") != cell.gap:
                raise SystemExit(f"heatmap cell {row.person} × {column.title} differs")
            compared += 1
    return compared


def measure(options):
    from django.contrib.auth.models import User
    from django.db import connection
    from django.db.models import Count
    from django.test import Client

    from appraisals.models import Appraisal, Cycle, Person, Requirement
    from competency.models import KnowledgeItem

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")  # pg_restore leaves no statistics
    check_data_set()
    scale.serve_plainly()
    manager = team_manager()
    head = head_of_department()
    line = Person.objects.reporting_line(head).count()
    clients = {"manager": Client(), "HR": Client(), "head": Client()}
    clients["manager"].force_login(manager.account)
    clients["head"].force_login(head.account)
    clients["HR"].force_login(User.objects.get(username=HR_USER))
    cycle = Cycle.objects.get(name=CYCLES[-1][0])
    report = manager.reports.order_by("pk").first()
    appraisal = Appraisal.objects.get(person=report, cycle=cycle)
    # The knowledge item rated at a depth in the most appraisals.
    top = (
        Requirement.objects.filter(kind="knowledge", appraisal__cycle=cycle)
        .values("knowledge_item_id")
        .annotate(total=Count("pk"))
        .order_by("-total")
        .first()
    )
    item = KnowledgeItem.objects.get(pk=top["knowledge_item_id"])
    heatmap = url_of("insight:heatmap")
    mid_year = url_of("appraisals:cycle", pk=Cycle.objects.get(name=MID_YEAR[0]).pk)
    find = url_of("insight:find_people")
    pages = [
        ("manager", f"team page '/' ({TEAM} reports)", "/"),
        ("head", f"team page '/' (head of {line:,})", "/"),
        ("head", "team page, rest of the line, page 3", "/?page=3"),
        ("head", "team page, overdue in the line", "/?overdue=on"),
        ("manager", f"heatmap ({TEAM} people)", heatmap),
        ("HR", "heatmap, everyone, first 50", heatmap),
        ("manager", "appraisal page", url_of("appraisals:detail", pk=appraisal.pk)),
        ("HR", "cycle view (HR)", url_of("appraisals:cycle", pk=cycle.pk)),
        ("HR", "cycle view (HR), open mid-year, page 20", mid_year and f"{mid_year}?page=20"),
        (
            "HR",
            f"find people: {item.title[:20]} ≥ Proficient",
            find and f"{find}?kind=knowledge&item={item.pk}&level=3",
        ),
        (
            "manager",
            "find people in my line",
            find and f"{find}?kind=knowledge&item={item.pk}&level=3",
        ),
        ("manager", "readiness (a report vs a profile)", readiness_url(report)),
    ]
    say(
        f"\n{Person.objects.count():,} people, {Appraisal.objects.count():,} appraisals, "
        f"{Requirement.objects.count():,} requirement rows; medians of {options.runs} requests "
        "after a warm-up, in-process test client over HTTPS, PostgreSQL\n"
    )
    header = (
        f"{'who':8} {'page':40} {'ms':>8} {'CPU ms':>7} {'of PG':>6} {'queries':>8} {'KB':>7}  aim"
    )
    say(header)
    say("-" * len(header))
    results = {}
    for who, label, url in pages:
        done = timed(clients[who], url, options.runs) if url else None
        results[label] = done
        if done is None or done["ms"] is None:
            why = "route not installed" if done is None else f"answered {done['status']}"
            say(
                f"{who:8} {label:40} {'n/a':>8} {'':>7} {'':>6} {'':>8} {'':>7}  "
                f"({why}: not merged yet)"
            )
            continue
        mark = "✓" if done["ms"] <= AIM_MS else f"✗ > {AIM_MS} ms"
        size = done["bytes"] / 1024
        say(
            f"{who:8} {label:40} {done['ms']:8.1f} {done['cpu_ms']:7.1f} "
            f"{done['postgres_ms']:6.1f} {done['queries']:8} "
            f"{size:7.0f}  {mark}"
        )
    if heatmap:
        floor_ms, cells = heatmap_floor(manager, options.runs * 4)
        compared = check_heatmap(manager, cells)
        page_ms = results[f"heatmap ({TEAM} people)"]["ms"]
        say(
            f"\nHeatmap beside one hand-written psycopg2 query of its cells ({len(cells):,} cells, "
            f"{compared:,} shown and checked equal): page {page_ms:.1f} ms, query "
            f"{floor_ms:.2f} ms, {page_ms / floor_ms:.1f}×"
        )
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    say(f"\nIndicative figures: this machine's two cores are shared (load average {load}).")


def readiness_url(person):
    from profiles.models import RoleProfile

    url = url_of("insight:readiness", pk=person.pk)
    if url is None:
        return None
    other = (
        RoleProfile.objects.filter(published_version__isnull=False)
        .exclude(pk=person.role_profile_id)
        .order_by("pk")
        .first()
    )
    return f"{url}?profile={other.slug}"


if __name__ == "__main__":
    main()
