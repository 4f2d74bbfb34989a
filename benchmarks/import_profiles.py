"""Print how long importing role profiles takes (a benchmark, not a test).

Imports the reference sample once, then 100 generated profiles (the sample,
or a demo profile when ../shared is absent, under 100 titles with their own
work activities), each in its own transaction as the command does, into a
scratch database: SQLite in a temporary folder unless DATABASE_URL is set.

    .venv/bin/python benchmarks/import_profiles.py
"""

import statistics
import time

from django_setup import ROOT, setup

SCRATCH = setup()

import django  # noqa: E402

from competency.models import Framework, Level  # noqa: E402
from profiles.importing.batch import import_profiles  # noqa: E402
from profiles.importing.parsing import read_profile  # noqa: E402

SAMPLE = ROOT.parent / "shared" / "samples" / "senior-devops-engineer-management.txt"
FALLBACK = ROOT / "fixtures" / "profiles" / "senior-devops-engineer-technical.txt"
COUNT = 100


def timed(data, name):
    start = time.perf_counter()
    import_profiles([read_profile(data, name)])
    return time.perf_counter() - start


def main():
    framework, _ = Framework.objects.get_or_create(name="DDaT", slug="ddat")
    for rank, name in enumerate(["Awareness", "Working", "Practitioner", "Expert"], start=1):
        Level.objects.get_or_create(framework=framework, rank=rank, name=name)

    source = SAMPLE if SAMPLE.exists() else FALLBACK
    text = source.read_text(encoding="utf-8")
    title = text.splitlines()[0]
    first = timed(text.encode(), source.name)

    times = []
    for n in range(COUNT):
        variant = text.replace(title, f"{title} {n}", 1).replace(
            "Title Details\n", f"Title Details\n\nBenchmark activity {n}\n\nDone {n} times.\n", 1
        )
        times.append(timed(variant.encode(), f"generated-{n}"))

    database = django.db.connection.vendor
    print(f"database: {database}")
    print(f"first import of {source.name}: {first * 1000:.0f} ms")
    print(f"{COUNT} profiles: {sum(times):.2f} s in all")
    print(
        f"per profile: median {statistics.median(times) * 1000:.0f} ms, "
        f"slowest {max(times) * 1000:.0f} ms"
    )


if __name__ == "__main__":
    main()
