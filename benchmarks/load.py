"""The site under load (a benchmark, not a test; PostgreSQL only).

On benchmarks/appraisals.py's data set (10,000 people unless --people says
otherwise; restored from .bench-cache/ or built), serves the site as
production does (DEBUG off, collectstatic, gunicorn's sync workers on
127.0.0.1) and drives it with Locust (benchmarks/locustfile.py): staff
self-assessing, managers appraising, HR browsing and correcting people, and
integrations polling the API, each simulated person acting once every
--pace seconds (10: one page every 10 s), so that a rate of R requests per
second is R x pace active people. The load is open-loop: arrivals do not
wait for answers.

For each number of gunicorn processes and each arrival rate it prints the
rate achieved, p50/p95/p99 answer times, errors, and how the 2 cores were
shared between gunicorn, PostgreSQL and Locust itself; then the highest
rate that kept p95 <= 150 ms with no error.

    .venv/bin/python benchmarks/load.py                        # the full run
    .venv/bin/python benchmarks/load.py --people 1000 --rates 20,40 --seconds 20
    .venv/bin/python benchmarks/load.py --smoke                # what the tests run
"""

import argparse
import csv
import importlib.util
import json
import os
import secrets
import string
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT))

# benchmarks/appraisals.py, under a name that is not the Django app's.
_spec = importlib.util.spec_from_file_location(
    "appraisals_bench", ROOT / "benchmarks" / "appraisals.py"
)
generator = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(generator)

AIM_P95_MS = 150
SEATS = {"managers": 200, "staff": 300, "hr": 10, "integrations": 3}


def say(message=""):
    print(message, flush=True)


def csrf_secret():
    alphabet = string.ascii_letters + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(32))


def session_for(user):
    """A signed-in session made in the database, as a sign-in makes it:
    nobody's password is hashed while the load runs."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "competency.roles.Backend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return {"session": store.session_key, "csrf": csrf_secret()}


def write_plan(path):
    """Who the simulated people are and what each may touch."""
    from datetime import timedelta

    from django.contrib.auth.models import Group, User
    from django.urls import reverse
    from django.utils import timezone

    from appraisals.models import Appraisal, Cycle, Person, Stage
    from competency.api.models import ApiToken
    from profiles.models import RoleProfile

    mid_year = Cycle.objects.get(name=generator.MID_YEAR[0])
    under_review = {}
    for appraisal_id, manager_id in Appraisal.objects.filter(
        cycle=mid_year, stage=Stage.MANAGER_REVIEW, manager__account__isnull=False
    ).values_list("pk", "manager_id"):
        under_review.setdefault(manager_id, []).append(appraisal_id)
    managers = []
    for person in Person.objects.filter(pk__in=list(under_review)[: SEATS["managers"]]):
        ids = under_review[person.pk]
        managers.append(
            {
                **session_for(person.account),
                "appraisals": ids,
                "appraisal_pages": [reverse("appraisals:detail", args=[pk]) for pk in ids],
            }
        )

    # The data set gives staff no accounts: the seats get some.
    staff_group = Group.objects.get(name="Staff")
    staff = []
    for appraisal in (
        Appraisal.objects.filter(
            cycle=mid_year, stage=Stage.SELF_ASSESSMENT, person__account__isnull=True
        )
        .select_related("person")
        .order_by("pk")[: SEATS["staff"]]
    ):
        person = appraisal.person
        user = User.objects.create_user(f"load-{person.employee_id}", password=None)
        user.groups.add(staff_group)
        person.account = user
        person.save(update_fields=["account"])
        staff.append(
            {
                **session_for(user),
                "appraisal": appraisal.pk,
                "appraisal_page": reverse("appraisals:detail", args=[appraisal.pk]),
            }
        )

    hr_user = User.objects.get(username=generator.HR_USER)
    people = list(Person.objects.order_by("pk").values_list("pk", flat=True)[:1000])
    hr = [{**session_for(hr_user), "people": people[n :: SEATS["hr"]]} for n in range(SEATS["hr"])]
    expires = timezone.now() + timedelta(days=1)
    integrations = [
        {"token": ApiToken.issue(name=f"load {n}", user=hr_user, expires_at=expires)[1]}
        for n in range(SEATS["integrations"])
    ]
    profiles = RoleProfile.objects.order_by("pk").values_list("slug", flat=True)[:50]
    plan = {
        "managers": managers,
        "staff": staff,
        "hr": hr,
        "integrations": integrations,
        "profile_pages": [reverse("profiles:detail", args=[slug]) for slug in profiles],
        "names": generator.LAST[:20],
        "cycle_page": reverse("appraisals:cycle", args=[mid_year.pk]),
    }
    path.write_text(json.dumps(plan), encoding="utf-8")
    say(
        f"plan: {len(managers)} managers, {len(staff)} staff, {len(hr)} HR sessions, "
        f"{len(integrations)} integrations"
    )


def production_env(database_url, folder):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="competency.settings",
        DEBUG="false",
        # The key the plan's sessions were signed with.
        SECRET_KEY=os.environ["SECRET_KEY"],
        ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=database_url,
        STATIC_ROOT=str(folder / "static"),
        SECURE_SSL_REDIRECT="false",
        SECURE_COOKIES="false",
        XDG_RUNTIME_DIR=str(folder),
        LOG_LEVEL="ERROR",
    )
    return env


def cpu_seconds(pids):
    """User and system CPU seconds of these processes and their children."""
    import psutil

    total = 0.0
    for pid in pids:
        try:
            process = psutil.Process(pid)
            for each in [process, *process.children(recursive=True)]:
                times = each.cpu_times()
                total += times.user + times.system
        except psutil.NoSuchProcess:
            pass
    return total


def postgres_pids():
    import psutil

    return [p.pid for p in psutil.process_iter(["name"]) if p.info["name"] == "postgres"]


def serve(env, processes, folder):
    import socket

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(128)
    port = listener.getsockname()[1]
    server = subprocess.Popen(
        [
            *(sys.executable, "-m", "gunicorn", "competency.wsgi"),
            *("--bind", f"fd://{listener.fileno()}", "--workers", str(processes)),
            *("--timeout", "30", "--backlog", "2048"),
        ],
        cwd=ROOT,
        env=env,
        pass_fds=[listener.fileno()],
        stdout=open(folder / f"gunicorn-{processes}.log", "wb"),  # noqa: SIM115
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    listener.close()
    import urllib.request

    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5)
            return server, port
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"gunicorn did not start: see {folder}") from None
            time.sleep(0.2)


def drive(port, rate, options, folder, plan, server):
    """One Locust run at `rate` arrivals per second; its aggregate figures."""
    users = max(round(rate * options.pace), 4)
    prefix = folder / f"locust-{rate}"
    env = {**os.environ, "LOAD_PLAN": str(plan), "LOAD_PACE": str(options.pace)}
    # Everyone arrives within one pace; the statistics start once they have.
    run_time = options.seconds + options.pace
    before = {
        "gunicorn": cpu_seconds([server.pid]),
        "postgres": cpu_seconds(postgres_pids()),
    }
    started = time.monotonic()
    locust = subprocess.Popen(
        [
            *(sys.executable, "-m", "locust", "-f", str(ROOT / "benchmarks" / "locustfile.py")),
            *("--headless", "--host", f"http://127.0.0.1:{port}"),
            *("-u", str(users), "-r", str(max(users / options.pace, 1))),
            *("-t", f"{run_time:.0f}s", "--reset-stats", "--csv", str(prefix)),
            *("--loglevel", "WARNING", "--only-summary", "--stop-timeout", "10"),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(folder / f"locust-{rate}.log", "wb"),  # noqa: SIM115
    )
    import psutil

    watched = psutil.Process(locust.pid)
    locust_cpu = 0.0
    while locust.poll() is None:
        try:
            times = watched.cpu_times()
            locust_cpu = times.user + times.system
        except psutil.NoSuchProcess:
            break
        time.sleep(0.5)
    wall = time.monotonic() - started
    cores = {
        "gunicorn": (cpu_seconds([server.pid]) - before["gunicorn"]) / wall,
        "postgres": (cpu_seconds(postgres_pids()) - before["postgres"]) / wall,
        "locust": locust_cpu / wall,
    }
    with open(f"{prefix}_stats.csv", encoding="utf-8") as stats:
        row = next(r for r in csv.DictReader(stats) if r["Name"] == "Aggregated")
    with open(f"{prefix}_stats.csv", encoding="utf-8") as stats:
        per_name = [r for r in csv.DictReader(stats) if r["Name"] != "Aggregated"]
    return {
        "rate": rate,
        "people": users,
        "requests": int(row["Request Count"]),
        "errors": int(row["Failure Count"]),
        "rps": float(row["Requests/s"]),
        "p50": float(row["50%"]),
        "p95": float(row["95%"]),
        "p99": float(row["99%"]),
        "cores": cores,
        # Locust writes N/A for a kind of request that was never answered.
        "slowest": sorted(per_name, key=lambda r: -_number(r["95%"]))[:3],
    }


def _number(text):
    try:
        return float(text)
    except ValueError:
        return 0.0


def report(result):
    cores = result["cores"]
    say(
        f"  {result['rate']:>5}/s ({result['people']:>5} people) | "
        f"{result['rps']:7.1f} req/s | p50 {result['p50']:5.0f} p95 {result['p95']:5.0f} "
        f"p99 {result['p99']:5.0f} ms | errors {result['errors']:>4} of {result['requests']:>6} | "
        f"cores: gunicorn {cores['gunicorn']:.2f}, postgres {cores['postgres']:.2f}, "
        f"locust {cores['locust']:.2f}"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=10_000, help="people (default 10,000)")
    parser.add_argument("--rates", default="40,80,120,160", help="arrivals per second, a list")
    parser.add_argument("--processes", default="1,2", help="gunicorn processes, a list")
    parser.add_argument("--seconds", type=float, default=30, help="measured seconds per rate")
    parser.add_argument("--pace", type=float, default=10, help="seconds between a person's acts")
    parser.add_argument("--smoke", action="store_true", help="a short run, for the tests")
    options = parser.parse_args()
    if options.smoke:
        options.people, options.rates, options.processes = 200, "10", "1"
        options.seconds, options.pace = 5, 1
    rates = [int(r) for r in options.rates.split(",")]
    processes = [int(p) for p in options.processes.split(",")]
    if not (all(0 < r <= 2000 for r in rates) and all(0 < p <= 8 for p in processes)):
        parser.error("rates must be 1 to 2,000 per second and processes 1 to 8")
    if not (1 <= options.seconds <= 600 and 0.5 <= options.pace <= 60):
        parser.error("--seconds must be 1 to 600 and --pace 0.5 to 60")

    server = generator.Server()
    database = f"{generator.PREFIX}{server.tag}_load_{options.people}"
    # One key for the sessions the plan makes and the site that reads them.
    os.environ["SECRET_KEY"] = secrets.token_urlsafe(50)
    folder = Path(tempfile.mkdtemp(prefix="competency-load-"))
    errors = 0
    try:
        generator.open_data_set(server, database, options.people)
        plan = folder / "plan.json"
        write_plan(plan)
        from django.db import connections

        connections.close_all()
        env = production_env(server.url(database), folder)
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--no-input", "-v", "0"],
            cwd=ROOT,
            env=env,
            check=True,
        )
        results = {}
        for count in processes:
            gunicorn, port = serve(env, count, folder)
            say(f"\n{count} gunicorn process{'es' if count > 1 else ''} (sync):")
            try:
                for rate in rates:
                    result = drive(port, rate, options, folder, plan, gunicorn)
                    report(result)
                    errors += result["errors"]
                    results.setdefault(count, []).append(result)
            finally:
                gunicorn.terminate()
                gunicorn.wait(timeout=30)
        say()
        for count, runs in results.items():
            good = [r for r in runs if r["p95"] <= AIM_P95_MS and r["errors"] == 0]
            if good:
                best = max(good, key=lambda r: r["rps"])
                say(
                    f"{count} process(es): {best['rps']:.0f} req/s with p95 "
                    f"{best['p95']:.0f} ms: {best['people']} active people at one page "
                    f"every {options.pace:g} s"
                )
            else:
                say(f"{count} process(es): no rate kept p95 <= {AIM_P95_MS} ms with no error")
            slow = runs[-1]["slowest"]
            say(
                "  slowest at the highest rate: "
                + ", ".join(f"{r['Name']} (p95 {r['95%']} ms)" for r in slow)
            )
    finally:
        from django.db import connections

        connections.close_all()
        server.drop(database)
    say(f"\nerrors in all: {errors}; files in {folder}")
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
