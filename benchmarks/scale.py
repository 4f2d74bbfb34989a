"""How the pages and imports behave as the data grows (a benchmark, not a
test; PostgreSQL only).

For each size (500, 5,000 and 20,000 published profiles by default) it
builds a realistic data set in a scratch database of its own, measures the
median server time and the query count of the main pages for a member of
staff and for HR, and prints one table with the ratio 20,000 / 500 and the
aims of issue 9 (at most 100 ms at the largest size, a ratio of at most 1.5).
It also sets the staff profile page beside a floor (one hand-written
psycopg2 query and plain string rendering of the same content), and times
1,000 profile imports, one call each, and 1,000 more in one batch, on top
of a copy of the 500-profile data set.

    .venv/bin/python benchmarks/scale.py                 # 500, 5,000, 20,000
    .venv/bin/python benchmarks/scale.py --quick         # 500 and 2,000
    .venv/bin/python benchmarks/scale.py --sizes 500,5000 --runs 20

The PostgreSQL server is the one DATABASE_URL names (by default
postgres://postgres@127.0.0.1:5432); only databases called
competency_scale_* are created there, and they are dropped afterwards
(--keep leaves the last ones for a look with psql).

Each profile has 16 work activities, 28 knowledge items, 9 training items,
8 PDAs, 3 qualifications and 10 DDaT skills, drawn from one shared catalogue
(a few thousand items per kind, some far more used than others), so items
are reused across profiles as in real life. About 5% of profiles have a
draft open after their version in force and 2% are archived; one more
profile has 200 versions, written through the application (with its audit
trail), for the audit trail and versions pages. Everything else is written
in bulk with COPY, the way the application would have written it; the
benchmark checks that before it measures (see check_data_set), and refuses
to measure a data set the application would not have written.

A built data set is kept as a pg_dump in .bench-cache/, named by a hash of
the data set's source (this file, between its two "data set" markers) and
of the migrations' names, so a rerun restores it in a minute instead of
building it again, and a change to either builds it afresh.

Each size runs in a subprocess of its own (Django binds one database per
process), with a time limit, so a run always ends by itself.
"""

import argparse
import hashlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / ".bench-cache"
SIZES = (500, 5_000, 20_000)
QUICK = (500, 2_000)
IMPORTS = 1_000  # profiles imported on top of the 500-profile data set
IMPORT_BASE = 500
RUNS = 15  # timed requests per page, after one warm-up request
FLOOR_RUNS = 200
AIM_MS, AIM_RATIO, AIM_FLOOR, AIM_IMPORTS = 100, 1.5, 3.0, 100
# Time limits of the subprocesses, so that a run ends by itself.
LIMITS = {"build": 3 * 3600, "measure": 2 * 3600, "imports": 3600}
DATA_SET_START = "# --- the data set"
DATA_SET_END = "# --- end of the data set"


# =============================================================================
# The run: databases, dumps and subprocesses (no Django in this process)
# =============================================================================


def say(message):
    print(message, flush=True)


class Server:
    """The PostgreSQL server DATABASE_URL names, and its client tools."""

    def __init__(self):
        url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/competency")
        sys.path.insert(0, str(ROOT))
        import dj_database_url

        config = dj_database_url.parse(url) if url else {"ENGINE": "sqlite"}
        if not config["ENGINE"].endswith("postgresql"):
            sys.exit(
                "benchmarks/scale.py measures PostgreSQL only (the issue's aims are about "
                "PostgreSQL), and DATABASE_URL names another database. Unset it, or set it to a "
                "postgres:// URL whose server may hold databases named competency_scale_*."
            )
        self.host = config.get("HOST") or "127.0.0.1"
        # Scratch databases carry the name DATABASE_URL gives, so that two
        # worktrees measuring on one server never drop each other's.
        self.tag = "".join(c for c in (config.get("NAME") or "").lower() if c.isalnum() or c == "_")
        self.port = str(config.get("PORT") or 5432)
        self.user = config.get("USER") or "postgres"
        self.password = config.get("PASSWORD") or ""
        # Quiet: "database ... does not exist, skipping" is no news to a reader.
        self.env = {**os.environ, "PGOPTIONS": "-c client_min_messages=warning"}
        if self.password:
            self.env["PGPASSWORD"] = self.password
        for tool in ("createdb", "dropdb", "pg_dump", "pg_restore", "pg_isready"):
            if shutil.which(tool) is None:
                sys.exit(f"benchmarks/scale.py needs PostgreSQL's client tool {tool} on PATH.")
        ready = subprocess.run(
            ["pg_isready", "-q", "-h", self.host, "-p", self.port], check=False
        ).returncode
        if ready != 0:
            sys.exit(f"PostgreSQL is not answering on {self.host}:{self.port} (try make postgres).")

    def tool(self, name, *args):
        command = [name, "-h", self.host, "-p", self.port, "-U", self.user, *args]
        subprocess.run(command, check=True, env=self.env)

    def url(self, database):
        password = f":{self.password}" if self.password else ""
        return f"postgres://{self.user}{password}@{self.host}:{self.port}/{database}"

    def fresh(self, database):
        assert database.startswith("competency_scale_"), database
        self.tool("dropdb", "--if-exists", database)
        self.tool("createdb", database)

    def drop(self, database):
        assert database.startswith("competency_scale_"), database
        self.tool("dropdb", "--if-exists", database)


def data_set_key():
    """A hash of what decides a data set: the generator's source and the
    names of the migrations (the schema it is written into)."""
    source = Path(__file__).read_text(encoding="utf-8")
    generator = source[source.index(DATA_SET_START) : source.index(DATA_SET_END)]
    migrations = sorted(str(path.relative_to(ROOT)) for path in ROOT.glob("*/migrations/[0-9]*.py"))
    text = json.dumps([generator, migrations])
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def worker(server, database, task, *args):
    """Run one task of this script against `database` in a subprocess; its
    result is the JSON it writes."""
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as out:
        path = Path(out.name)
    try:
        env = {**os.environ, "DATABASE_URL": server.url(database)}
        command = [sys.executable, __file__, "--task", task, "--out", str(path), *args]
        try:
            subprocess.run(command, check=True, env=env, cwd=ROOT, timeout=LIMITS[task])
        except subprocess.TimeoutExpired:
            sys.exit(f"{task} on {database} took longer than {LIMITS[task]} s; stopped.")
        except subprocess.CalledProcessError as error:
            sys.exit(f"{task} on {database} failed (exit status {error.returncode}); see above.")
        return json.loads(path.read_text(encoding="utf-8"))
    finally:
        path.unlink(missing_ok=True)


def prepare(server, size, database, rebuild=False):
    """A scratch database holding the data set of `size`: restored from the
    cache when there is a dump of this data set, else built and dumped."""
    key = data_set_key()
    dump = CACHE / f"scale-{size}-{key}.dump"
    server.fresh(database)
    if dump.exists() and not rebuild:
        say(f"[{size:,}] restoring {dump.relative_to(ROOT)} into {database}")
        start = time.perf_counter()
        server.tool("pg_restore", "--no-owner", "--exit-on-error", "-d", database, str(dump))
        return {"restored": round(time.perf_counter() - start, 1)}
    say(f"[{size:,}] building the data set in {database} (no dump of it in .bench-cache)")
    start = time.perf_counter()
    built = worker(server, database, "build", "--size", str(size))
    seconds = time.perf_counter() - start
    CACHE.mkdir(exist_ok=True)
    for stale in CACHE.glob(f"scale-{size}-*.dump"):
        stale.unlink()  # another generator's or schema's data set
    partial = dump.with_suffix(".partial")
    server.tool("pg_dump", "-Fc", "-f", str(partial), database)
    partial.replace(dump)
    say(f"[{size:,}] built in {seconds:.0f} s; dumped to {dump.relative_to(ROOT)}")
    return {**built, "built": round(seconds, 1)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", help="comma-separated numbers of profiles, e.g. 500,5000")
    parser.add_argument("--quick", action="store_true", help="a smoke run: 500 and 2,000")
    parser.add_argument("--runs", type=int, default=RUNS, help="timed requests per page")
    parser.add_argument("--rebuild", action="store_true", help="build even if a dump exists")
    parser.add_argument(
        "--imports", type=int, default=IMPORTS, help="profiles to import (0: no import timing)"
    )
    parser.add_argument("--keep", action="store_true", help="leave the scratch databases")
    parser.add_argument(
        "--imports-only", action="store_true", help="time the imports only, no pages"
    )
    parser.add_argument(
        "--tag",
        default="",
        help="name the scratch databases competency_scale_TAG_*, so that two runs on one "
        "server do not drop each other's",
    )
    parser.add_argument("--task", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    parser.add_argument("--size", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--count", type=int, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.task:
        return run_task(options)

    if options.sizes:
        try:
            sizes = sorted({int(size.replace("_", "")) for size in options.sizes.split(",")})
        except ValueError:
            parser.error("--sizes takes numbers separated by commas, e.g. 500,5000")
        if not sizes or min(sizes) < 10 or max(sizes) > 22_000:
            parser.error("each size must be between 10 and 22,000 profiles")
    else:
        sizes = list(QUICK if options.quick else SIZES)
    if options.imports_only:
        sizes = []
    if not 1 <= options.runs <= 100:
        parser.error("--runs must be between 1 and 100")
    if not 0 <= options.imports <= 5_000:
        parser.error("--imports must be between 0 and 5,000")
    if options.tag and not options.tag.replace("_", "").isalnum():
        parser.error("--tag takes letters, digits and underscores")
    prefix = f"competency_scale_{options.tag.lower()}_" if options.tag else "competency_scale_"
    server = Server()
    started = time.perf_counter()
    results = {}
    for size in sizes:
        database = f"{prefix}{size}"
        prepared = prepare(server, size, database, options.rebuild)
        say(f"[{size:,}] measuring ({options.runs} requests per page after a warm-up)")
        results[size] = {
            **prepared,
            **worker(server, database, "measure", "--size", str(size), "--runs", str(options.runs)),
        }
        if not options.keep:
            server.drop(database)
    imports = None
    if options.imports:
        database = f"{prefix}imports"
        # A copy of the 500-profile data set, so the cached one stays as built.
        prepare(server, IMPORT_BASE, database)
        say(f"[imports] importing {options.imports:,} profiles on top of {IMPORT_BASE} profiles")
        imports = worker(
            server, database, "imports", "--size", str(IMPORT_BASE), "--count", str(options.imports)
        )
        if not options.keep:
            server.drop(database)
    report(sizes, results, imports)
    say(f"\nwhole run: {time.perf_counter() - started:.0f} s")


def report(sizes, results, imports):
    """The table: each page's median at each size, the ratio largest /
    smallest, its queries (one number if the same at every size), the size
    of its answer and how many profiles a list says it found, at the largest
    size; then the floor, the answers to check and the import."""
    if sizes:
        report_pages(sizes, results)
    if imports:

        def mark(rate):
            return "✓" if rate >= AIM_IMPORTS else f"✗ aim ≥ {AIM_IMPORTS}/s"

        say(
            f"\nImport: {imports['count']:,} new profiles through import_profiles(publish=True) "
            f"on top of {IMPORT_BASE} profiles:\n"
            f"  one call each (as uploads come): {imports['seconds']:.1f} s, "
            f"{imports['per_second']:.1f} profiles/s  {mark(imports['per_second'])}\n"
            f"  one batch (as the command imports a folder): {imports['batch_seconds']:.1f} s, "
            f"{imports['batch_per_second']:.1f} profiles/s  {mark(imports['batch_per_second'])}"
        )
        say(
            f"  queries: one new profile {imports['new_queries']}; its re-import with "
            f"{imports['removed']} links removed {imports['reimport_queries']}"
        )
    say("\nIndicative figures: this machine's two cores are shared with other work.")


def report_pages(sizes, results):
    first, last = sizes[0], sizes[-1]
    say("\nMedian server time per page (ms), in-process Django test client, PostgreSQL")
    for size in sizes:
        done = results[size]
        how = (
            f"built in {done['built']:.0f} s"
            if "built" in done
            else f"restored in {done['restored']:.0f} s"
        )
        say(
            f"  {size:>6,}: {done['profiles']:,} profiles, {done['versions']:,} versions, "
            f"{done['links']:,} links; {how}; {done['runs']} requests per page"
        )
    columns = "".join(f"{size:>9,}" for size in sizes)
    header = (
        f"{'who':5} {'page':34}{columns}{'ratio':>7} {'queries':>9} {'KB':>6} {'found':>6}  aims"
    )
    say("\n" + header)
    say("-" * len(header))
    misses = 0
    for who, label in results[first]["order"]:
        measured = [results[size]["pages"][f"{who}|{label}"] for size in sizes]
        times = [page["ms"] for page in measured]
        queries = "/".join(str(q) for q in dict.fromkeys(page["queries"] for page in measured))
        found = measured[-1]["found"]
        ratio = times[-1] / times[0]
        marks = []
        if times[-1] > AIM_MS:
            marks.append(f"✗ >{AIM_MS} ms")
        if len(sizes) > 1 and ratio > AIM_RATIO:
            marks.append(f"✗ ratio >{AIM_RATIO}")
        misses += bool(marks)
        line = f"{who:5} {label:34}" + "".join(f"{t:9.1f}" for t in times)
        line += f"{ratio:7.2f} {queries:>9} {measured[-1]['bytes'] / 1024:6.0f} "
        line += f"{'' if found is None else found:>6}  "
        say(line + (", ".join(marks) or "✓"))
    say(
        f"\nAims (issue 9): ≤ {AIM_MS} ms at {SIZES[-1]:,} profiles (judged here at {last:,}) "
        f"and a ratio {last:,} / {first:,} ≤ {AIM_RATIO}: {misses} page(s) miss them."
    )
    say(
        "\nStaff profile page beside the floor (one psycopg2 query + str.join/html.escape), "
        "in turns:"
    )
    for size in sizes:
        floor = results[size]["floor"]
        mark = "✓" if floor["ratio"] <= AIM_FLOOR else f"✗ aim ≤ {AIM_FLOOR:g}×"
        say(
            f"  {size:>6,}: page {floor['page_ms']:.1f} ms, floor {floor['floor_ms']:.2f} ms, "
            f"{floor['ratio']:.1f}×  {mark}"
        )
    say("\nAnswers (as a reader, staff):")
    for size in sizes:
        answers = results[size]["answers"]
        key = answers["key_search_found"]
        found, expected = answers["skill_filter_found"], answers["skill_filter_expected"]
        say(
            f"  {size:>6,}: searching the JSON key 'level_description' finds {key} "
            f"{'✓' if key == 0 else '✗ (should be 0)'}; filtering by the most used skill finds "
            f"{found} of the {expected} profiles in force using it "
            f"{'✓' if found == expected else '✗'}"
        )


# =============================================================================
# Tasks run in a subprocess against one scratch database (Django set up)
# =============================================================================


def run_task(options):
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from django_setup import setup

    # A restored data set is already migrated; a fresh database is not.
    setup(migrate=options.task == "build")
    from django.db import connection

    if connection.vendor != "postgresql":
        sys.exit("benchmarks/scale.py measures PostgreSQL only.")
    task = {"build": build_task, "measure": measure_task, "imports": imports_task}
    result = task[options.task](options)
    Path(options.out).write_text(json.dumps(result), encoding="utf-8")


# --- the data set: everything between here and its end marker names the dumps.
#
# A profile's content depends only on its number, and the catalogue on
# nothing, so the 500-profile data set is the first 500 profiles of the
# 20,000 one and a page measured at each size shows the same profile.

FAMILY_NAMES = [
    "Software Development", "Data Engineering", "Data Science", "Data Analysis",
    "Cloud Infrastructure", "Network Engineering", "Cyber Security", "Service Management",
    "Service Desk", "Product Management", "Delivery Management", "Business Analysis",
    "User Research", "Interaction Design", "Content Design", "Service Design",
    "Technical Architecture", "Enterprise Architecture", "Solution Architecture",
    "Quality Assurance Testing", "Test Engineering", "Performance Engineering",
    "Clinical Informatics", "Clinical Safety", "Health Records", "Information Governance",
    "Knowledge Management", "Learning Technology", "Digital Inclusion", "Programme Delivery",
    "Portfolio Management", "IT Operations", "Database Administration", "Platform Engineering",
    "Release Management", "Application Support", "Identity and Access", "Geospatial Analysis",
    "Statistical Analysis", "Digital Communications",
]  # fmt: skip
ROLE_NOUNS = [
    "Engineer", "Analyst", "Architect", "Manager", "Specialist", "Officer", "Consultant",
    "Developer", "Designer", "Adviser",
]  # fmt: skip
VARIANTS = [
    "", "Management", "Technical", "Delivery", "Operations", "Research", "Assurance", "Platforms",
]  # fmt: skip
LEVEL_NAMES = ["Awareness", "Working", "Practitioner", "Expert"]
SKILL_STEMS = [
    "Systems", "Service", "Data", "User", "Security", "Network", "Cloud", "Product", "Release",
    "Incident", "Capacity", "Availability", "Performance", "Information", "Knowledge", "Vendor",
    "Stakeholder", "Technical", "Change", "Risk",
]  # fmt: skip
SKILL_ENDS = [
    "design", "integration", "management", "analysis", "testing", "modelling", "engineering",
    "operations", "governance", "assurance", "architecture", "support", "planning",
    "monitoring", "strategy",
]  # fmt: skip
CATEGORY_COUNT = 15
WORDS = """
able account accurate act adapt advice agree align analyse apply approach assess assure audit
balance barrier benefit brief budget build capability care change check clarity client
clinical coach code collaborate communicate complex comply concept confident context contract
control coordinate cost create culture customer data decision define deliver demand deploy
design detail develop digital document effective enable ensure escalate estimate evaluate
evidence expert facilitate feedback forecast govern guide handle identify impact implement
improve incident influence inform innovate insight integrate interpret issue journey judge
knowledge lead learn legal lifecycle maintain manage measure mentor method model monitor
negotiate network objective operate option organise outcome own partner patient pattern plan
policy practice prioritise problem process product professional progress project propose
protect quality question record recover reduce regulate release report request require
research resolve resource respond review risk roadmap safety scope secure service share skill
solution specify stakeholder standard strategy structure supplier support sustain system team
technical test timescale tool track train transform trust understand user validate value
vendor verify work workshop
""".split()  # noqa: SIM905 (a paragraph of words reads better than a list)
CATALOGUE = {
    # kind: (items in the catalogue, words in a title, words in its details)
    "work_activities": (3_000, (2, 4), (12, 34)),
    "knowledge_skills": (4_000, (1, 4), (8, 26)),
    "training": (2_000, (2, 4), (10, 28)),
    "pdas": (1_500, (2, 4), (10, 28)),
    "qualifications": (800, (2, 5), None),
}
AWARDING_BODIES = 60
PER_PROFILE = {
    "work_activities": 16,
    "knowledge_skills": 28,
    "training": 9,
    "pdas": 8,
    "qualifications": 3,
    "organisation_skills": 10,
}
# How unevenly items are used: the item of rank r is picked with weight
# 1 / (r + 1) ** SKEW, so a few ("Team dynamics") are in most profiles and
# most are in a few, as in a real catalogue.
SKEW = 1.0
DRAFTS, ARCHIVED = 0.05, 0.02
VERSIONS = 200
VERSIONED_SLUG = "lead-records-manager-versioned"
BATCH = 1_000
HR_USER, STAFF_USER = "bench-hr", "bench-staff"


def sentence(rng, lo, hi):
    words = rng.choices(WORDS, k=rng.randint(lo, hi))
    return " ".join(words).capitalize() + "."


def titled(rng, lo, hi):
    return " ".join(rng.choices(WORDS, k=rng.randint(lo, hi))).capitalize()


def titles():
    """Every profile title there can be: role level × role × variant."""
    import random

    from profiles.models import ROLE_LEVELS

    levels = [*ROLE_LEVELS[:2], "", *ROLE_LEVELS[2:]]  # the unnamed level sits after Junior
    combos = [
        (family, level, f"{family} {noun}", variant)
        for family in FAMILY_NAMES
        for noun in ROLE_NOUNS
        for level in levels
        for variant in VARIANTS
    ]
    random.Random("titles").shuffle(combos)
    return combos


class Catalogue:
    """The shared catalogue, job families and framework, written once per
    data set; items are kept in memory with their related rows attached, so
    a profile's rows are made without a query."""

    def __init__(self, items, picks, families, framework, levels, texts):
        self.items = items  # section key -> catalogue items, most used first
        self.picks = picks  # section key -> cumulative weights for picking
        self.families = families  # name -> JobFamily
        self.framework = framework
        self.levels = levels  # rank -> Level
        self.texts = texts  # (skill id, level id) -> level description

    @classmethod
    def write(cls):
        """Write the catalogue. Each kind is written in the order of use (the
        most used first), so its ids give the order back to read()."""
        import random

        from django.utils.text import slugify

        from competency.models import (
            AwardingBody,
            Category,
            Framework,
            KnowledgeItem,
            Level,
            Qualification,
            Skill,
            SkillLevel,
            fingerprint,
        )
        from profiles.models import JobFamily
        from profiles.sections import BY_KEY

        rng = random.Random("catalogue")
        for key, (count, title_words, detail_words) in CATALOGUE.items():
            section = BY_KEY[key]
            made = {}
            if key == "qualifications":
                bodies = AwardingBody.objects.bulk_create(
                    AwardingBody(name=f"{titled(rng, 1, 2)} Institute {n}")
                    for n in range(AWARDING_BODIES)
                )
                while len(made) < count:
                    body = rng.choice(bodies)
                    title = f"{titled(rng, *title_words)} Certificate"
                    made.setdefault(
                        (title, body.pk), Qualification(title=title, awarding_body=body)
                    )
            while len(made) < count:
                row = {"title": titled(rng, *title_words), "details": sentence(rng, *detail_words)}
                if key == "knowledge_skills":
                    kinds = list(KnowledgeItem.Kind.values)
                    row["type"] = rng.choices(kinds, weights=[25, 55, 20])[0]
                item = section.new_item(row)
                item.key = fingerprint(*item.identity())  # as Component.save does
                made.setdefault(item.key, item)
            section.item_model.objects.bulk_create(made.values())

        framework = Framework.objects.create(
            name="DDaT", slug="ddat", description="Digital, Data and Technology"
        )
        levels = [
            Level.objects.create(framework=framework, rank=rank, name=name)
            for rank, name in enumerate(LEVEL_NAMES, start=1)
        ]
        categories = Category.objects.bulk_create(
            Category(framework=framework, name=name) for name in FAMILY_NAMES[:CATEGORY_COUNT]
        )
        names = [f"{stem} {end}" for stem in SKILL_STEMS for end in SKILL_ENDS]
        rng.shuffle(names)
        skills = Skill.objects.bulk_create(
            Skill(
                category=categories[n % CATEGORY_COUNT],
                name=name,
                description=sentence(rng, 14, 30),
            )
            for n, name in enumerate(names)
        )
        # Every skill is described at every level, as a framework import
        # writes it (profiles' imports would write only the levels they use).
        SkillLevel.objects.bulk_create(
            SkillLevel(skill=skill, level=level, description=f"You can {sentence(rng, 10, 24)}")
            for skill in skills
            for level in levels
        )
        JobFamily.objects.bulk_create(
            JobFamily(name=name, slug=slugify(name)) for name in FAMILY_NAMES
        )
        return cls.read()

    @classmethod
    def read(cls):
        """The catalogue of a data set, most used items first."""
        from itertools import accumulate

        from competency.models import Framework, SkillLevel
        from profiles.models import JobFamily
        from profiles.sections import SECTIONS

        items = {section.key: list(section.items().order_by("pk")) for section in SECTIONS}
        assert set(items) == set(PER_PROFILE), "a section the data set does not know"
        picks = {
            key: list(accumulate(1 / (rank + 1) ** SKEW for rank in range(len(kind))))
            for key, kind in items.items()
        }
        framework = Framework.objects.get(slug="ddat")
        levels = {level.rank: level for level in framework.levels.all()}
        texts = {(row.skill_id, row.level_id): row.description for row in SkillLevel.objects.all()}
        families = {family.name: family for family in JobFamily.objects.all()}
        return cls(items, picks, families, framework, levels, texts)

    def pick(self, rng, key, count):
        """`count` different items of a kind, the widely used ones more often."""
        kind, weights = self.items[key], self.picks[key]
        chosen = {}
        while len(chosen) < count:
            for item in rng.choices(kind, cum_weights=weights, k=count):
                chosen.setdefault(item.pk, item)
                if len(chosen) == count:
                    break
        return list(chosen.values())


def profile_spec(number, catalogue, combo, state=None):
    """What profile `number` holds, drawn from its own random stream."""
    import random

    rng = random.Random(f"profile-{number}")
    family, level, role, variant = combo
    title = " ".join(part for part in (level, role) if part) + (f" – {variant}" if variant else "")
    links = {}
    for key, count in PER_PROFILE.items():
        items = catalogue.pick(rng, key, count)
        if key == "knowledge_skills":
            extras = [
                {"depth": "" if item.kind == "behavioural" else rng.choice(DEPTHS)}
                for item in items
            ]
        elif key == "organisation_skills":
            extras = [{"level": catalogue.levels[rng.randint(1, 4)]} for _ in items]
        else:
            extras = [{} for _ in items]
        links[key] = list(zip(items, extras, strict=True))
    draw = rng.random()
    published = EPOCH - timedelta(days=rng.uniform(0, 1_000))
    return {
        "number": number,
        "title": title,
        "family": catalogue.families[family],
        "role_level": level,
        "variant": variant,
        "summary": f"{title}: {sentence(rng, 30, 55)}",
        "responsibilities": [sentence(rng, 8, 16) for _ in range(4)],
        "background": [sentence(rng, 30, 55) for _ in range(2)],
        "prior_knowledge": [sentence(rng, 10, 20)],
        "links": links,
        "state": state
        or ("draft" if draw < DRAFTS else "archived" if draw < DRAFTS + ARCHIVED else "published"),
        "created": published - timedelta(days=rng.uniform(1, 60)),
        "published": published,
        "changed": published + timedelta(days=rng.uniform(1, 300)),
        "draft_summary": f"{title} (draft): {sentence(rng, 30, 55)}",
    }


DEPTHS = ["aware", "familiar", "proficient"]
# Dates are fixed, so a data set is the same whenever it is built.
EPOCH = datetime(2026, 1, 1, tzinfo=UTC)


def document_of(profile, links, catalogue, version):
    """profiles.documents.profile_document itself, given the links in
    memory: each section's rows are made from them by the section's own
    row(), as Section.document_rows makes them from the database."""
    from contextlib import ExitStack
    from unittest import mock

    from profiles.documents import profile_document
    from profiles.sections import SECTIONS

    rows = {}
    for section in SECTIONS:
        if section.requirement == "level":
            rows[section.key] = [
                section.row(link, catalogue.texts.get((link.skill_id, link.level_id), ""))
                for link in links[section.key]
            ]
        else:
            rows[section.key] = [section.row(link) for link in links[section.key]]

    def document_rows(section, of):
        return rows[section.key]

    with ExitStack() as stack:
        for kind in {type(section) for section in SECTIONS}:
            stack.enter_context(mock.patch.object(kind, "document_rows", document_rows))
        return profile_document(profile, version=version)


def make_profile(spec, catalogue, ids=None, publisher=None):
    """The rows of one profile as the application would have written them:
    (profile, version, {section key: links}); ids are taken from `ids`
    (sequences' next values), or left empty for a document only."""
    from profiles import lifecycle
    from profiles.documents import search_text
    from profiles.models import ProfileVersion, RoleProfile
    from profiles.sections import SECTIONS

    def next_id(model):
        return next(ids[model]) if ids else None

    Status = RoleProfile.Status
    profile = RoleProfile(
        pk=next_id(RoleProfile),
        title=spec["title"],
        slug=slugify(spec["title"]),
        job_family=spec["family"],
        role_level=spec["role_level"],
        variant=spec["variant"],
        summary=spec["summary"],
        responsibilities=spec["responsibilities"],
        background=spec["background"],
        prior_knowledge=spec["prior_knowledge"],
        source="",
        status=Status.PUBLISHED,
        created_at=spec["created"],
        updated_at=spec["published"],
    )
    links = {
        section.key: [
            section.link_model(
                pk=next_id(section.link_model),
                profile=profile,
                position=position,
                **{section.item_field: item},
                **extra,
            )
            for position, (item, extra) in enumerate(spec["links"][section.key])
        ]
        for section in SECTIONS
    }
    version = ProfileVersion(
        pk=next_id(ProfileVersion),
        profile=profile,
        number=1,
        document=document_of(profile, links, catalogue, version=1),
        published_at=spec["published"],
        published_by=publisher,
        change_note="",
    )
    # As publishing does: the version in force, and what readers list by.
    lifecycle.put_in_force(profile, version)
    if spec["state"] == "draft":
        # A new draft after the version in force, its summary rewritten.
        profile.status = Status.DRAFT
        profile.summary = spec["draft_summary"]
        profile.updated_at = spec["changed"]
    elif spec["state"] == "archived":
        profile.status = Status.ARCHIVED
        lifecycle.put_in_force(profile, None)
        profile.updated_at = spec["changed"]
    # What HR search by: the working copy's words, as refresh_search_text
    # writes them.
    profile.search_text = search_text(document_of(profile, links, catalogue, version=None))
    return profile, version, links


def slugify(text):
    from django.utils.text import slugify as django_slugify

    return django_slugify(text)


def next_ids(model, count):
    """`count` ids from the table's own sequence, as inserts would take them."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [model._meta.db_table, model._meta.pk.column, count],
        )
        return iter([row[0] for row in cursor.fetchall()])


def copy_text(field, value):
    """One value in COPY's text format, as the field would store it."""
    from django.db import models

    if value is None:
        return r"\N"
    value = field.get_prep_value(value)
    if isinstance(field, models.JSONField):
        text = json.dumps(value, cls=field.encoder)
    elif isinstance(value, bool):
        text = "t" if value else "f"
    elif hasattr(value, "isoformat"):
        text = value.isoformat()
    else:
        text = str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def copy_rows(model, objects):
    """Write model instances with COPY: every concrete column, as given."""
    import io

    from django.db import connection
    from django.utils import timezone

    fields = model._meta.concrete_fields
    # What save() would stamp (updated_at and the like), where not given.
    stamped = {
        f.attname
        for f in fields
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    }
    now = timezone.now()

    def value(obj, field):
        given = getattr(obj, field.attname)
        return now if given is None and field.attname in stamped else given

    buffer = io.StringIO()
    for obj in objects:
        buffer.write("\t".join(copy_text(field, value(obj, field)) for field in fields))
        buffer.write("\n")
    buffer.seek(0)
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(
            f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN", buffer
        )


def write_profiles(specs, catalogue, publisher):
    """Write profiles in one transaction (foreign keys are checked at its
    end, so a profile may name its version before the version is written)."""
    from django.db import transaction

    from profiles.models import ProfileVersion, RoleProfile
    from profiles.sections import SECTIONS

    ids = {model: next_ids(model, len(specs)) for model in (RoleProfile, ProfileVersion)}
    for section in SECTIONS:
        total = sum(len(spec["links"][section.key]) for spec in specs)
        ids[section.link_model] = next_ids(section.link_model, max(total, 1))
    made = [make_profile(spec, catalogue, ids, publisher) for spec in specs]
    with transaction.atomic():
        copy_rows(RoleProfile, [profile for profile, _, _ in made])
        copy_rows(ProfileVersion, [version for _, version, _ in made])
        for section in SECTIONS:
            copy_rows(
                section.link_model, [link for *_, links in made for link in links[section.key]]
            )
        add_search_words([profile.pk for profile, _, _ in made])
    return [profile for profile, _, _ in made]


def add_search_words(ids):
    """The words of the profiles' search texts, for "Did you mean …?", as
    refresh_search_text adds them (of the versions in force too, which
    were working copies once)."""
    from django.db import connection

    from profiles.search import MAX_WORD, MIN_WORD, WORD_SPLIT, WORDS

    with connection.cursor() as cursor:
        for column in ("search_text", "published_text"):
            cursor.execute(
                f"INSERT INTO {WORDS} (word) SELECT DISTINCT w FROM profiles_roleprofile, "
                f"regexp_split_to_table(lower({column}), '{WORD_SPLIT}') AS w "
                f"WHERE id = ANY(%s) AND length(w) BETWEEN {MIN_WORD} AND {MAX_WORD} "
                "ON CONFLICT DO NOTHING",
                [ids],
            )


def versioned_documents(catalogue):
    """The 200 successive documents of one profile: each version rewrites
    the summary and swaps one work activity."""
    from profiles.sections import BY_KEY

    combo = ("Health Records", "Lead", "Records Manager", "Versioned")
    spec = profile_spec("versioned", catalogue, combo, state="published")
    _, version, _ = make_profile(spec, catalogue)
    base = {**version.document, "version": None}
    section = BY_KEY["work_activities"]
    spare = [
        item
        for item in catalogue.items[section.key][100:]
        if item not in [used for used, _ in spec["links"][section.key]]
    ]
    documents = []
    for number in range(VERSIONS):
        rows = list(base[section.key])
        item = spare[number]
        rows[number % len(rows)] = {"title": item.title, "details": item.details}
        documents.append(
            {**base, "summary": f"{base['summary']} Revision {number + 1}.", section.key: rows}
        )
    assert documents[0]["slug"] == VERSIONED_SLUG
    return documents


def build_task(options):
    """Write a data set of `size` published profiles into the (migrated,
    empty) scratch database."""
    from django.contrib.auth.models import Group, User
    from django.db import connection

    from profiles.documents import ProfileInput
    from profiles.importing.batch import import_profiles

    size = options.size
    started = time.perf_counter()
    hr = User.objects.create_user(HR_USER, first_name="Bench", last_name="HR")
    hr.groups.add(Group.objects.get(name="HR"))
    staff = User.objects.create_user(STAFF_USER, first_name="Bench", last_name="Staff")
    staff.groups.add(Group.objects.get(name="Staff"))
    catalogue = Catalogue.write()
    say(f"[{size:,}] catalogue written in {time.perf_counter() - started:.1f} s")
    combos = titles()
    for start in range(0, size, BATCH):
        numbers = range(start, min(size, start + BATCH))
        specs = [profile_spec(n, catalogue, combos[n]) for n in numbers]
        write_profiles(specs, catalogue, hr)
        done = numbers[-1] + 1
        elapsed = time.perf_counter() - started
        say(f"[{size:,}] {done:,} profiles written ({done / elapsed:.0f}/s)")
    # Through the application, so its audit trail is what imports write.
    begun = time.perf_counter()
    for number, document in enumerate(versioned_documents(catalogue), start=1):
        import_profiles([ProfileInput(f"version-{number}", document, "json")], publish=True)
        if number % 50 == 0:
            say(
                f"[{size:,}] {number} versions of {VERSIONED_SLUG} through the application "
                f"({time.perf_counter() - begun:.0f} s)"
            )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    return {"built_in_worker": round(time.perf_counter() - started, 1)}


# --- end of the data set -----------------------------------------------------


# =============================================================================
# Checking the data set against the application
# =============================================================================


class WrongDataSet(Exception):
    pass


def check_data_set(catalogue):
    """Refuse to measure a data set the application would not have written.

    A few stored profiles must read back as their version in force (the
    document is what profile_document builds); and a profile written in
    bulk must be, row for row and column for column, what the application
    writes when it imports and publishes the same document. The second
    compares every table that refers to a profile or a version, so a column
    or table the application starts to keep (a search text, a listing
    column) shows up here until the generator writes it too."""
    from django.db import transaction

    from profiles.documents import ProfileInput, profile_document, schema_errors
    from profiles.importing.batch import import_profiles
    from profiles.models import RoleProfile

    problems = []
    Status = RoleProfile.Status
    profiles = RoleProfile.objects.select_related("job_family", "published_version")
    published = list(profiles.filter(status=Status.PUBLISHED).order_by("pk")[:5])
    for profile in published:
        stored = {**profile.published_version.document, "version": None}
        if profile_document(profile) != stored:
            problems.append(f"{profile.slug}: its version in force is not its content")
        if schema_errors(profile.published_version.document):
            problems.append(f"{profile.slug}: its version breaks the role-profile/1 schema")
    draft = profiles.filter(status=Status.DRAFT, published_version__isnull=False).first()
    if draft is not None:
        current, stored = profile_document(draft), draft.published_version.document
        differ = {key for key in current if current[key] != stored[key]} - {"version"}
        if differ != {"summary"}:
            problems.append(f"{draft.slug}: a draft should differ in its summary, not {differ}")
    archived = profiles.filter(status=Status.ARCHIVED).first()
    if archived is not None and archived.published_version_id is not None:
        problems.append(f"{archived.slug}: an archived profile keeps a version in force")

    publisher = published[0].published_version.published_by if published else None
    combo = ("Digital Inclusion", "Principal", "Twin Profile Checker", "")
    spec = profile_spec("twin", catalogue, combo, state="published")
    with transaction.atomic():
        (bulk,) = write_profiles([spec], catalogue, publisher)
        app_slug = f"{bulk.slug}-app"
        document = {**bulk.versions.get().document, "slug": app_slug, "version": None}
        (result,) = import_profiles([ProfileInput("twin", document, "json")], publish=True)
        if result.new_components or result.notes:
            problems.append(
                f"the application's import of a bulk profile's document made "
                f"{result.new_components} new catalogue items ({'; '.join(result.notes)}): "
                "the catalogue is not what imports would have written"
            )
        problems += compare_rows(bulk, result.profile)
        transaction.set_rollback(True)
    if problems:
        raise WrongDataSet(
            "\n  ".join(["the data set is not what the application writes:", *problems])
        )


def compare_rows(bulk, app):
    """Differences between the rows that refer to two profiles: one written
    in bulk, one by the application, with the same content."""
    from django.apps import apps
    from django.db import connection

    from profiles.models import ProfileVersion, RoleProfile

    # What may differ: identities, the slug, and when and by whom.
    ignored = {
        "id",
        "slug",
        "created_at",
        "updated_at",
        "published_at",
        "published_by_id",
        "published_version_id",
    }
    tables = [(RoleProfile._meta.db_table, "id", False)]
    for model in apps.get_models():
        fields = [field.name for field in model._meta.fields]
        if "history_id" in fields or model is RoleProfile:
            continue  # audit records are no part of the bulk data set
        for field in model._meta.concrete_fields:
            if field.is_relation and field.related_model in (RoleProfile, ProfileVersion):
                tables.append(
                    (model._meta.db_table, field.column, field.related_model is ProfileVersion)
                )
                ignored.add(field.column)

    def rows(table, column, via_version, profile):
        quote = connection.ops.quote_name
        where = (
            f"{quote(column)} IN (SELECT id FROM {quote(ProfileVersion._meta.db_table)} "
            "WHERE profile_id = %s)"
            if via_version
            else f"{quote(column)} = %s"
        )
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT to_jsonb(t) FROM {quote(table)} t WHERE {where}", [profile.pk])
            found = [json.loads(r) if isinstance(r, str) else r for (r,) in cursor.fetchall()]
        kept = [{key: value for key, value in row.items() if key not in ignored} for row in found]
        text = json.dumps(kept, sort_keys=True).replace(app.slug, "<slug>")
        return sorted(json.loads(text.replace(bulk.slug, "<slug>")), key=json.dumps)

    problems = []
    for table, column, via_version in tables:
        mine, theirs = rows(table, column, via_version, bulk), rows(table, column, via_version, app)
        if len(mine) != len(theirs):
            problems.append(
                f"{table}: the application wrote {len(theirs)} rows, the data set {len(mine)}"
            )
            continue
        differences = [
            (key, its.get(key), ours.get(key))
            for ours, its in zip(mine, theirs, strict=True)
            for key in sorted(set(ours) | set(its))
            if ours.get(key) != its.get(key)
        ]
        # The first few of each table say enough.
        for key, its, ours in differences[:3]:
            problems.append(
                f"{table}.{key}: the application wrote {its!r:.80}, the data set {ours!r:.80}"
            )
    return problems


# =============================================================================
# Measuring
# =============================================================================


def timed(client, url, runs):
    """Median time of `runs` requests after a warm-up, whose queries are
    counted; the number of profiles a list page says it found. Requests come
    over HTTPS, as production serves them (plain HTTP is redirected)."""
    import re

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, secure=True)
    # Counted now: the captured list is a view of the connection's log,
    # which the next request empties.
    count = len(queries)
    if response.status_code != 200:
        raise SystemExit(f"{url} answered {response.status_code}; nothing to measure")
    content = response.content
    # "More than 1000 profiles" when a search counts no further (the cap).
    found = re.search(rb'id="results-heading">\s*(?:More than )?([\d,]+) profile', content)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        response = client.get(url, secure=True)
        times.append(time.perf_counter() - start)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code} on a later request")
    return {
        "ms": round(statistics.median(times) * 1000, 2) if times else None,
        "queries": count,
        "bytes": len(content),
        "found": int(found.group(1).replace(b",", b"")) if found else None,
    }


def targets(catalogue):
    """What the pages show: the same profiles and items at every size."""
    from django.db.models import Count

    from profiles.models import JobFamily, RoleProfile

    Status = RoleProfile.Status
    published = list(
        RoleProfile.objects.filter(status=Status.PUBLISHED)
        .order_by("pk")
        .values_list("slug", flat=True)[:2]
    )
    draft = RoleProfile.objects.filter(status=Status.DRAFT).order_by("pk").first()
    family = JobFamily.objects.annotate(total=Count("profiles")).order_by("-total", "name").first()
    return {
        "profile": published[0],
        "other": published[1],
        "draft": draft.slug,
        "family": family,
        "skill": catalogue.items["organisation_skills"][0],  # the most used
        "component": catalogue.items["knowledge_skills"][0],
    }


def pages(target):
    from urllib.parse import urlencode

    from django.urls import reverse

    from competency.catalogue import COMPONENT_KINDS

    listed = reverse("profiles:list")
    skill, profile = target["skill"], target["profile"]
    searched = f"{listed}?{urlencode({'q': skill.name})}"
    yield "staff", "profile list", listed
    yield "staff", "search for a skill", searched
    yield "staff", "filter by skill", f"{listed}?{urlencode({'skill': skill.pk})}"
    yield "staff", "filter by job family", f"{listed}?job_family={target['family'].slug}"
    yield "staff", "sort by recently changed", f"{listed}?sort=updated"
    yield "staff", "profile page", reverse("profiles:detail", args=[profile])
    compare = reverse("profiles:compare")
    yield "staff", "compare", f"{compare}?{urlencode({'a': profile, 'b': target['other']})}"
    # Choosing the second profile: a search on its side, ten matches shown.
    yield "staff", "compare: search a side", f"{compare}?{urlencode({'a': profile, 'qb': 'lead'})}"
    yield "staff", "JSON download", reverse("profiles:json", args=[profile])
    yield "HR", "profile list", listed
    yield "HR", "search for a skill", searched
    yield "HR", "profile page", reverse("profiles:detail", args=[profile])
    yield "HR", "edit page (a draft)", reverse("profiles:edit", args=[target["draft"]])
    for kind in COMPONENT_KINDS:
        yield "HR", f"component list: {kind}", reverse("catalogue:components", args=[kind])
    yield (
        "HR",
        "component page (most used)",
        reverse("catalogue:component", args=["knowledge", target["component"].pk]),
    )
    yield "HR", "skill page (most used)", reverse("catalogue:skill", args=[skill.pk])
    yield "HR", "framework page", reverse("catalogue:framework", args=["ddat"])
    yield (
        "HR",
        f"audit trail ({VERSIONS} versions)",
        reverse("profiles:audit", args=[VERSIONED_SLUG]),
    )
    yield (
        "HR",
        f"versions page ({VERSIONS} versions)",
        reverse("profiles:versions", args=[VERSIONED_SLUG]),
    )


def floor(client, slug, rounds):
    """The staff profile page and the floor, in turns: the version in force
    fetched by slug with one hand-written psycopg2 query and its title,
    summary and sections rendered with str.join and html.escape."""
    from html import escape

    import psycopg2
    from django.db import connection
    from django.urls import reverse

    from profiles.sections import SECTIONS

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
    query = (
        "SELECT v.document FROM profiles_roleprofile p JOIN profiles_profileversion v "
        "ON v.id = p.published_version_id WHERE p.slug = %s"
    )

    def render():
        cursor.execute(query, [slug])
        (document,) = cursor.fetchone()
        parts = [f"<h1>{escape(document['title'])}</h1><p>{escape(document['summary'])}</p>"]
        for section in SECTIONS:
            parts.append(f"<h2>{escape(section.heading)}</h2><table>")
            parts.extend(
                "<tr>"
                + "".join(f"<td>{escape(str(value))}</td>" for value in row.values())
                + "</tr>"
                for row in document[section.key]
            )
            parts.append("</table>")
        return "".join(parts)

    url = reverse("profiles:detail", args=[slug])
    client.get(url, secure=True)
    render()
    page_times, floor_times = [], []
    for _ in range(rounds):
        start = time.perf_counter()
        client.get(url, secure=True)
        page_times.append(time.perf_counter() - start)
        start = time.perf_counter()
        render()
        floor_times.append(time.perf_counter() - start)
    database.close()
    page, bottom = statistics.median(page_times), statistics.median(floor_times)
    return {"page_ms": page * 1000, "floor_ms": bottom * 1000, "ratio": page / bottom}


def serve_plainly():
    """Serve as production does, minus collected static files: no template
    instrumentation (the test runner's would copy every context)."""
    from django.test.utils import override_settings

    override_settings(
        ALLOWED_HOSTS=["testserver"],
        STORAGES={
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        },
        WHITENOISE_AUTOREFRESH=True,
    ).enable()


def measure_task(options):
    from django.contrib.auth.models import User
    from django.db import connection
    from django.test import Client, RequestFactory

    from profiles.filters import ProfileFilter
    from profiles.models import ProfileVersion, RoleProfile
    from profiles.sections import SECTIONS

    size = options.size
    with connection.cursor() as cursor:
        # pg_restore leaves no statistics: gather them, as autovacuum would.
        cursor.execute("VACUUM ANALYZE")
    catalogue = Catalogue.read()
    try:
        check_data_set(catalogue)
    except WrongDataSet as problem:
        raise SystemExit(f"[{size:,}] {problem}") from None
    say(f"[{size:,}] the data set reads back as the application writes it")
    serve_plainly()
    clients = {}
    for who, name in (("staff", STAFF_USER), ("HR", HR_USER)):
        clients[who] = Client()
        clients[who].force_login(User.objects.get(username=name))
    target = targets(catalogue)
    results, order = {}, []
    for who, label, url in pages(target):
        results[f"{who}|{label}"] = timed(clients[who], url, options.runs)
        order.append((who, label))
        done = results[f"{who}|{label}"]
        say(f"[{size:,}] {who:5} {label:34} {done['ms']:9.1f} ms {done['queries']:4} queries")
    # Answers a reader can check: a key of the JSON is no word of any
    # profile, and filtering by a skill finds the profiles in force using it.
    probe = timed(clients["staff"], f"{pages_list()}?q=level_description", 0)
    using = (
        RoleProfile.objects.filter(
            published_version__isnull=False, skill_links__skill=target["skill"]
        )
        .distinct()
        .count()
    )
    # The page counts a filter's matches only up to its cap, so the filter
    # behind it is asked for all of them, as the page would run it.
    request = RequestFactory().get(pages_list(), {"skill": target["skill"].pk})
    request.user = User.objects.get(username=STAFF_USER)
    answers = {
        "key_search_found": probe["found"],
        "skill_filter_found": ProfileFilter(request.GET, request=request).results().count(),
        "skill_filter_expected": using,
    }
    say(f"[{size:,}] floor: staff profile page and one hand-written query, in turns")
    return {
        "pages": results,
        "order": order,
        "runs": options.runs,
        "floor": floor(clients["staff"], target["profile"], FLOOR_RUNS // 4),
        "answers": answers,
        "profiles": RoleProfile.objects.count(),
        "versions": ProfileVersion.objects.count(),
        "links": sum(section.link_model.objects.count() for section in SECTIONS),
    }


def pages_list():
    from django.urls import reverse

    return reverse("profiles:list")


def imports_task(options):
    """1,000 new profiles through import_profiles(publish=True), one call
    each as an upload makes it, on top of the data set; then the queries of
    one new profile's import and of a re-import with links removed."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from profiles.documents import ProfileInput, schema_errors
    from profiles.importing.batch import import_profiles

    catalogue = Catalogue.read()
    combos = titles()

    def document(number):
        spec = profile_spec(number, catalogue, combos[number], state="published")
        _, version, _ = make_profile(spec, catalogue)
        doc = {**version.document, "version": None}
        # A new profile brings a couple of work activities the catalogue lacks.
        doc["work_activities"][:2] = [
            {"title": f"Imported activity {number}.{n}", "details": f"New in profile {number}."}
            for n in range(2)
        ]
        return doc

    numbers = range(options.size, options.size + options.count)
    documents = [document(number) for number in numbers]
    errors = schema_errors({**documents[0], "version": 1})
    if errors:
        raise SystemExit(f"a generated document breaks the schema: {errors[0]}")
    start = time.perf_counter()
    for count, doc in enumerate(documents, start=1):
        import_profiles([ProfileInput(f"{doc['slug']}.json", doc, "json")], publish=True)
        if count % 200 == 0:
            say(f"[imports] {count:,} imported ({count / (time.perf_counter() - start):.1f}/s)")
    seconds = time.perf_counter() - start

    # As many other new profiles in one batch, as `manage.py import_profile`
    # imports a folder of files (all or nothing, in one transaction).
    batch = range(numbers[-1] + 1, numbers[-1] + 1 + options.count)
    inputs = [ProfileInput(f"{doc['slug']}.json", doc, "json") for doc in map(document, batch)]
    start = time.perf_counter()
    import_profiles(inputs, publish=True)
    batch_seconds = time.perf_counter() - start
    say(f"[imports] a batch of {options.count:,}: {options.count / batch_seconds:.1f}/s")

    doc = document(batch[-1] + 1)
    with CaptureQueriesContext(connection) as new:
        import_profiles([ProfileInput("new.json", doc, "json")], publish=True)
    shorter = {
        **doc,
        "work_activities": doc["work_activities"][4:],
        "knowledge_skills": doc["knowledge_skills"][4:],
    }
    with CaptureQueriesContext(connection) as again:
        import_profiles([ProfileInput("again.json", shorter, "json")], publish=True)
    return {
        "count": options.count,
        "seconds": seconds,
        "per_second": options.count / seconds,
        "batch_seconds": batch_seconds,
        "batch_per_second": options.count / batch_seconds,
        "new_queries": len(new),
        "reimport_queries": len(again),
        "removed": 8,
    }


if __name__ == "__main__":
    main()
