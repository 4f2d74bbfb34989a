"""Print how long each hostile file takes to be refused, and how much memory
that takes (a benchmark, not a test). The aim: under 2 s and 200 MB each.

Builds each file of tests/hostile.py at the size that once did the damage,
then imports it with `import_framework` or `import_profile` in a process of
its own, so that each peak of memory is that file's alone. The peak is the
process's whole resident size (Django included); the figure in brackets is
what the import attempt added to it.

    .venv/bin/python benchmarks/hostile_files.py
"""

import io
import os
import subprocess
import sys
import time
from pathlib import Path

from django_setup import setup

SCRATCH = setup()

from django.core.management import call_command  # noqa: E402
from django.core.management.base import CommandError  # noqa: E402

from competency.models import Framework, Level  # noqa: E402
from tests import hostile  # noqa: E402

AIM_SECONDS, AIM_MB = 2, 200

# (what the file is, its name, the command and its options, how to build it)
FRAMEWORK, PROFILE = ["import_framework", "--format"], ["import_profile"]
CASES = [
    ("claims 16,384 × 1,048,576 cells", "claims.xlsx", [*FRAMEWORK, "skills"],
     hostile.dimension_bomb),
    ("one shared string of 1.2 GB", "strings.xlsx", [*FRAMEWORK, "skills"],
     hostile.shared_string_bomb),
    ("1,000,000 identical rows", "rows.xlsx", [*FRAMEWORK, "skills"], hostile.identical_rows),
    ("100,000 identical rows, 200:1", "packed.xlsx", [*FRAMEWORK, "skills"],
     lambda: hostile.identical_rows(100_000)),
    ("2,000 identical numbered rows", "repeats.xlsx", [*FRAMEWORK, "skills"],
     lambda: hostile.identical_rows(2_000, numbered=True)),
    ("a row numbered 2,000,000,000", "far.xlsx", [*FRAMEWORK, "skills"],
     hostile.row_past_the_end),
    ("a header 16,384 columns wide", "wide.xlsx", [*FRAMEWORK, "skills"], hostile.wide_header),
    ("a workbook with no sheets", "empty.xlsx", [*FRAMEWORK, "skills"], hostile.no_sheets),
    ("sheet XML cut halfway", "cut.xlsx", [*FRAMEWORK, "skills"], hostile.truncated_sheet),
    ("billion laughs in the sheet", "laughs.xlsx", [*FRAMEWORK, "skills"],
     hostile.billion_laughs),
    ("billion laughs in shared strings", "laughs2.xlsx", [*FRAMEWORK, "skills"],
     lambda: hostile.billion_laughs("strings")),
    ("CSV of 1,000,000 identical rows", "rows.csv", [*FRAMEWORK, "skills"],
     hostile.csv_identical_rows),
    ("CSV of 100,001 different rows", "many.csv", [*FRAMEWORK, "skills"],
     lambda: hostile.csv_many_rows(100_001)),
    ("CSV with a 4 MB field", "field.csv", [*FRAMEWORK, "skills"], hostile.csv_huge_field),
    ("CSV with level 40000", "rank.csv", [*FRAMEWORK, "skills"],
     lambda: hostile.csv_rank("40000")),
    ("framework JSON 10,000 deep", "deep.json", [*FRAMEWORK, "json"], hostile.deep_json),
    ("framework JSON, 5,000 digits", "number.json", [*FRAMEWORK, "json"],
     hostile.long_number),
    ("framework JSON, rank 40000", "rank.json", [*FRAMEWORK, "json"],
     lambda: hostile.framework_json(rank=40_000)),
    ("profile JSON 10,000 deep", "deep-profile.json", PROFILE,
     lambda: hostile.deep_json(profile=True)),
    ("profile JSON, 5,000 digits", "number-profile.json", PROFILE,
     lambda: hostile.long_number(profile=True)),
    ("2,200,000 shared strings in 5 MB", "strings.xlsx", [*FRAMEWORK, "skills"],
     hostile.many_shared_strings),
    ("100,001 rows of a workbook", "rows.xlsx", [*FRAMEWORK, "skills"],
     lambda: hostile.many_rows(100_001)),
    # Not hostile: the most the limits let through, to show what they bound.
    ("under the limit: 120,000 strings", "strings-limit.xlsx", [*FRAMEWORK, "skills"],
     lambda: hostile.many_shared_strings(120_000)),
    ("under the limit: 9,900 rows read", "rows-limit.xlsx", [*FRAMEWORK, "skills"],
     lambda: hostile.many_rows(9_900, first_framework="")),
]  # fmt: skip


def peak_mb():
    # The kernel's high-water mark of this process's resident memory. (Not
    # getrusage's ru_maxrss: across fork and exec, that keeps the parent's.)
    status = Path("/proc/self/status").read_text()
    return int(status.split("VmHWM:")[1].split()[0]) / 1024  # kB


def attempt(path, command):
    """In the child: import one file, print seconds, peak MB, added MB and
    the outcome on one line."""
    before = peak_mb()
    start = time.perf_counter()
    try:
        call_command(*command[:1], path, *command[1:], stdout=io.StringIO())
        outcome = "imported"
    except CommandError as error:
        outcome = "refused: " + str(error).split(": ", 1)[-1].splitlines()[0]
    seconds = time.perf_counter() - start
    print(f"{seconds}\t{peak_mb()}\t{peak_mb() - before}\t{outcome}")


def main():
    framework = Framework.objects.create(name="DDaT", slug="ddat")
    for rank, name in enumerate(["Awareness", "Working", "Practitioner", "Expert"], start=1):
        Level.objects.create(framework=framework, rank=rank, name=name)
    print(f"aim: under {AIM_SECONDS} s and {AIM_MB} MB each\n")
    print(f"{'file':34} {'size':>9} {'time':>7} {'peak':>7} {'(added)':>9}  outcome")
    for label, name, command, build in CASES:
        path = SCRATCH / name
        path.write_bytes(build())
        child = subprocess.run(
            [sys.executable, __file__, "--one", str(path), *command],
            capture_output=True,
            text=True,
            env=os.environ,
            check=True,
        )
        seconds, peak, added, outcome = child.stdout.strip().splitlines()[-1].split("\t")
        over = float(seconds) > AIM_SECONDS or float(peak) > AIM_MB
        size = path.stat().st_size
        print(
            f"{label:34} {size / 1024 / 1024:7.2f} MB {float(seconds):5.2f} s "
            f"{float(peak):4.0f} MB {'(+' + format(float(added), '.0f') + ' MB)':>9}  "
            f"{'OVER THE AIM: ' if over else ''}{outcome[:70]}"
        )
        path.unlink()


if __name__ == "__main__":
    if sys.argv[1:2] == ["--one"]:
        attempt(sys.argv[2], sys.argv[3:])
    else:
        main()
