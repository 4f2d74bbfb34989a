"""What one request costs the web process, page by page (a benchmark, not a
test).

With production's settings (DEBUG off, the whole middleware chain, the
access log at INFO written to /dev/null), on the demo data (`seed_demo`) in
the database of DATABASE_URL, it asks Django's test client in process for
the main pages as staff, a manager and HR, and prints for each the median
CPU time of the process per request (time.process_time: the database's own
work is another process's and is not counted) and the queries it made.
CPU time is less disturbed than wall-clock time by other work on the
machine, but not immune to it: take the median of several runs.

    DATABASE_URL=postgres://… .venv/bin/python benchmarks/request_cost.py
    … request_cost.py --profile "home as staff"     # cProfile, top 30
    … request_cost.py --only "home as staff" --runs 10 --callgrind

--callgrind, run under `valgrind --tool=callgrind --instr-atstart=no`,
switches instrumentation on for the measured requests only (through
callgrind_control), so the file callgrind writes counts the instructions of
--runs requests of the page: divide its total by --runs. Instruction counts
repeat to within a per cent or two whatever else the machine does.
"""

import argparse
import cProfile
import io
import logging
import os
import pstats
import statistics
import subprocess
import sys
import time

from django_setup import setup

os.environ.setdefault("DEBUG", "false")
setup(migrate=False)

from django.conf import settings  # noqa: E402
from django.contrib.auth.models import User  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

RUNS = 30


def pages():
    """(name, username, url) of the pages measured, on the demo data: the
    main pages, and each page the load scenario (benchmarks/locustfile.py)
    reads, as the role that reads it there."""
    from appraisals.models import Appraisal, Cycle, Person
    from profiles.models import RoleProfile

    staff = Person.objects.get(account__username="staff")
    appraisal = Appraisal.objects.filter(person=staff).order_by("-pk").first()
    profile = RoleProfile.objects.filter(published_version__isnull=False).order_by("pk").first()
    cycle = Cycle.objects.exclude(status=Cycle.Status.DRAFT).order_by("-pk").first()
    found = [
        ("home as staff", "staff", "/"),
        ("home as manager", "manager", "/"),
        ("profile list", "hr", "/profiles/"),
        ("a profile", "hr", f"/profiles/{profile.slug}/"),
        ("people list", "hr", "/people/"),
        ("people search", "hr", f"/people/?q={staff.name.split()[-1]}"),
        ("API appraisals list", "manager", "/api/v1/appraisals/"),
        ("API appraisals, 100", "hr", "/api/v1/appraisals/?page_size=100"),
        ("API people, 100", "hr", "/api/v1/people/?page_size=100"),
        ("API profiles, 100", "hr", "/api/v1/profiles/?page_size=100"),
        ("API a person", "hr", f"/api/v1/people/{staff.pk}/"),
        ("team heatmap", "manager", "/team/heatmap/"),
    ]
    if cycle is not None:
        found.append(("a cycle", "hr", f"/cycles/{cycle.pk}/"))
    if appraisal is not None:
        found.insert(3, ("an appraisal (staff)", "staff", f"/appraisals/{appraisal.pk}/"))
        found.insert(4, ("an appraisal (manager)", "manager", f"/appraisals/{appraisal.pk}/"))
        found.append(("API an appraisal", "staff", f"/api/v1/appraisals/{appraisal.pk}/"))
    return found


def client_for(username):
    # The host production serves (ALLOWED_HOSTS), over HTTPS (no redirect).
    client = Client(SERVER_NAME="localhost")
    client.force_login(User.objects.get(username=username))
    return client


def ask(client, url):
    response = client.get(url, secure=True)
    assert response.status_code == 200, (url, response.status_code)
    return response


def measure(client, url, runs):
    ask(client, url)  # warm up: caches, connections, compiled templates
    times = []
    for _ in range(runs):
        started = time.process_time()
        ask(client, url)
        times.append(time.process_time() - started)
    with CaptureQueriesContext(connection) as queries:
        ask(client, url)
    return statistics.median(times) * 1000, len(queries)


def profile(client, url, runs):
    ask(client, url)
    # CPU time, not wall-clock: waiting for the database is not this process's cost.
    profiler = cProfile.Profile(time.process_time)
    profiler.enable()
    for _ in range(runs):
        ask(client, url)
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).sort_stats("cumulative")
    stats.print_stats(40)
    stats.sort_stats("tottime").print_stats(30)
    print(out.getvalue())


def callgrind(client, url, runs, name):
    ask(client, url)
    ask(client, url)
    pid = str(os.getpid())
    subprocess.run(["callgrind_control", "-z", pid], check=True, capture_output=True)
    subprocess.run(["callgrind_control", "-i", "on", pid], check=True, capture_output=True)
    for _ in range(runs):
        ask(client, url)
    subprocess.run(["callgrind_control", "-i", "off", pid], check=True, capture_output=True)
    # One file per page (callgrind.out.<pid>.<n>, its "desc: Trigger" naming
    # the page), so that one run under valgrind measures every page.
    # (vgdb, behind callgrind_control, refuses a name with brackets.)
    label = name.replace(" (", ", ").replace(")", "")
    subprocess.run(["callgrind_control", "-d", label, pid], check=True, capture_output=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=RUNS)
    parser.add_argument("--only", action="append", help="a page to measure, by name")
    parser.add_argument("--profile", help="cProfile this page (by name)")
    parser.add_argument("--callgrind", action="store_true")
    parser.add_argument(
        "--without", action="append", default=[], help="a middleware to leave out (its cost)"
    )
    options = parser.parse_args()
    if options.without:
        settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if m not in options.without]
    # The access log's line is written, as in production, but not shown.
    logging.getLogger("competency.access").handlers = [logging.FileHandler(os.devnull)]
    logging.getLogger("competency.access").propagate = False
    logging.getLogger("competency.security").handlers = [logging.FileHandler(os.devnull)]
    print(f"DEBUG={settings.DEBUG}, {connection.vendor}, {len(settings.MIDDLEWARE)} middleware")
    for name, username, url in pages():
        if options.only and name not in options.only:
            continue
        if options.profile and name != options.profile:
            continue
        client = client_for(username)
        reset_queries()
        if options.profile:
            profile(client, url, options.runs)
        elif options.callgrind:
            callgrind(client, url, options.runs, name)
        else:
            cpu_ms, queries = measure(client, url, options.runs)
            print(f"{name:24} {url:34} {cpu_ms:6.1f} ms CPU  {queries:3} queries", flush=True)


if __name__ == "__main__":
    sys.exit(main())
