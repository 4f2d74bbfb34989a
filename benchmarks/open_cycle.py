"""Opening a cycle for everyone in a large organisation (a benchmark, not a
test; PostgreSQL only).

On benchmarks/appraisals.py's data set (10,000 people by default, ~40
requirements per profile, three cycles already there), it opens a new
annual cycle for everyone through cycles.open_cycle, as HR's page or the
worker's task does, and prints the seconds it took, the peak of the
process's resident memory above where it started, and what was written
(appraisals, requirement rows, history records). Aim: at most 10 s at
10,000 people, with memory that does not grow with the number of people.

    .venv/bin/python benchmarks/open_cycle.py                  # 10,000 people
    .venv/bin/python benchmarks/open_cycle.py --people 1000    # a quick run

The data set is restored from the dump benchmarks/appraisals.py keeps in
.bench-cache/ (built, and dumped, when there is none), into a scratch
database of its own that is dropped afterwards; migrations added since the
dump are applied after the restore.
"""

import argparse
import cProfile
import importlib.util
import os
import pstats
import statistics
import sys
import threading
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
AIM_S = 10


def say(message):
    print(message, flush=True)


def pages_benchmark():
    """benchmarks/appraisals.py, loaded by path: its module name is the
    appraisals app's."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    path = ROOT / "benchmarks" / "appraisals.py"
    spec = importlib.util.spec_from_file_location("appraisal_pages", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class PeakMemory:
    """The process's peak resident memory above where it started, sampled
    every 20 ms from /proc (the kernel's high-water mark would include the
    data set's build or restore)."""

    def __init__(self):
        self.start = self.peak = self.rss()
        self.running = True
        self.thread = threading.Thread(target=self.sample, daemon=True)
        self.thread.start()

    @staticmethod
    def rss():
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
        return 0

    def sample(self):
        while self.running:
            self.peak = max(self.peak, self.rss())
            time.sleep(0.02)

    def stop(self):
        self.running = False
        self.thread.join()
        return self.peak - self.start


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=10_000, help="people (default 10,000)")
    parser.add_argument("--keep", action="store_true", help="leave the scratch database")
    parser.add_argument("--profile", action="store_true", help="print where the time went")
    parser.add_argument(
        "--repeat", type=int, default=1, help="open this many cycles one after another (median)"
    )
    options = parser.parse_args()
    if not 200 <= options.people <= 200_000:
        parser.error("--people must be between 200 and 200,000")
    pages = pages_benchmark()
    server = pages.Server()
    name = f"{server.tag}_{options.people}_open" if server.tag else f"{options.people}_open"
    database = pages.PREFIX + name
    dumps = sorted(
        pages.CACHE.glob(f"appraisals-{options.people}-*.dump"), key=lambda p: p.stat().st_mtime
    )
    server.fresh(database)
    if dumps:
        say(f"restoring {dumps[-1].relative_to(ROOT)} into {database}")
        server.tool("pg_restore", "--no-owner", "--exit-on-error", "-d", database, str(dumps[-1]))
    os.environ["DATABASE_URL"] = server.url(database)
    from django_setup import setup

    setup(migrate=True)  # the whole schema, or what was added since the dump
    try:
        if not dumps:
            say(f"building {options.people:,} people in {database} (no dump in .bench-cache)")
            begun = time.perf_counter()
            pages.build_data_set(options.people)
            say(f"built in {time.perf_counter() - begun:.0f} s")
            pages.CACHE.mkdir(exist_ok=True)
            dump = pages.CACHE / f"appraisals-{options.people}-{pages.data_set_key()}.dump"
            server.tool("pg_dump", "-Fc", "-f", str(dump), database)
        measure(options.profile, options.repeat)
    finally:
        from django.db import connections

        connections.close_all()
        if not options.keep:
            server.drop(database)


def cpu_seconds(pid):
    """User and system CPU seconds of a process so far (from /proc): less
    disturbed than the clock by other work on the machine's shared cores."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure(profile=False, repeat=1):
    from django.contrib.auth.models import User
    from django.db import connection

    from appraisals import cycles
    from appraisals.models import Appraisal, AppraisalEvent, Cycle, Person, Requirement

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")  # pg_restore leaves no statistics
    hr = User.objects.get(username="bench-hr")
    # What a web process or a worker has done once before its first
    # opening: imported the URLconf (~1.5 s CPU, which the opening's mails
    # would otherwise pay when they first reverse a URL).
    from django.urls import reverse

    reverse("home")
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    runs = []
    for number in range(repeat):
        cycle = Cycle.objects.create(
            name=f"Annual review {2027 + number}",
            opens_on=date(2027 + number, 4, 1),
            closes_on=date(2027 + number, 6, 30),
        )
        counts = {
            "appraisals": Appraisal.objects.count(),
            "requirements": Requirement.objects.count(),
            "requirement history": Requirement.history.count(),
            "appraisal history": Appraisal.history.count(),
            "events": AppraisalEvent.objects.count(),
        }
        profiler = cProfile.Profile() if profile else None
        memory = PeakMemory()
        cpu = (cpu_seconds(os.getpid()), cpu_seconds(backend))
        started = time.perf_counter()
        if profiler:
            profiler.enable()
        opening = cycles.open_cycle(
            cycle=cycle, scope=cycles.Scope.everyone(), by=hr, overlapping=cycles.ADD
        )
        seconds = time.perf_counter() - started
        python_cpu = cpu_seconds(os.getpid()) - cpu[0]
        postgres_cpu = cpu_seconds(backend) - cpu[1]
        peak = memory.stop()
        if profiler:
            profiler.disable()
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)
            pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
        after = {
            "appraisals": Appraisal.objects.count(),
            "requirements": Requirement.objects.count(),
            "requirement history": Requirement.history.count(),
            "appraisal history": Appraisal.history.count(),
            "events": AppraisalEvent.objects.count(),
        }
        say(
            f"\n{Person.objects.count():,} people: opened {cycle} for everyone, "
            f"{len(opening.created):,} appraisals created, {len(opening.skipped):,} skipped"
        )
        for what, before in counts.items():
            say(f"  {what:22} +{after[what] - before:,}")
        say(
            f"{seconds:.1f} s (CPU: Python {python_cpu:.1f} s, its PostgreSQL backend "
            f"{postgres_cpu:.1f} s), peak memory +{peak / 2**20:.0f} MiB"
        )
        runs.append((seconds, python_cpu, postgres_cpu))
    seconds = statistics.median(run[0] for run in runs)
    python_cpu = statistics.median(run[1] for run in runs)
    postgres_cpu = statistics.median(run[2] for run in runs)
    say(
        f"\nmedian of {len(runs)}: {seconds:.1f} s, CPU Python {python_cpu:.1f} s + "
        f"PostgreSQL {postgres_cpu:.1f} s"
    )
    mark = "✓" if seconds <= AIM_S else f"✗ > {AIM_S} s"
    say(f"{mark} (aim: {AIM_S} s)")
    say("Indicative figures: this machine's two cores are shared with other work.")


if __name__ == "__main__":
    main()
