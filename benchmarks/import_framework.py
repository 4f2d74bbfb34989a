"""Print how long importing a 10,000-row DDaT role table takes (a benchmark,
not a test).

Generates a table of 10 role families × 5 roles × 5 role levels × 40 skills,
imports it into a scratch database (SQLite in a temporary folder unless
DATABASE_URL is set), then imports it again unchanged, and prints both times.

    .venv/bin/python benchmarks/import_framework.py
"""

import csv
import io
import time

from django_setup import setup

SCRATCH = setup()

import django  # noqa: E402
from django.core.management import call_command  # noqa: E402

from profiles.importing.framework_import import DDAT_COLUMNS, DDAT_LEVELS  # noqa: E402

FAMILIES, ROLES, LEVELS, SKILLS = 10, 5, 5, 40


def table():
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(DDAT_COLUMNS)
    for family in range(FAMILIES):
        for role in range(ROLES):
            for level in range(LEVELS):
                for skill in range(SKILLS):
                    rank = (level + skill) % 4
                    writer.writerow(
                        [
                            f"Family {family}",
                            f"Role {family}.{role}",
                            f"What role {family}.{role} does.",
                            f"Level {level} role {family}.{role}",
                            f"What level {level} of role {family}.{role} does.",
                            f"Skill {skill}",
                            f"What skill {skill} of family {family} is.",
                            DDAT_LEVELS[rank],
                            f"Skill {skill} of family {family} at {DDAT_LEVELS[rank]}.",
                        ]
                    )
    return out.getvalue()


def main():
    path = SCRATCH / "ddat-roles.csv"
    path.write_text(table(), encoding="utf-8")
    rows = FAMILIES * ROLES * LEVELS * SKILLS
    print(f"database: {django.db.connection.vendor}")
    for label in ("first import", "again, unchanged"):
        start = time.perf_counter()
        call_command("import_framework", str(path), format="ddat-roles", stdout=io.StringIO())
        print(f"{label}: {rows:,} rows in {time.perf_counter() - start:.2f} s")


if __name__ == "__main__":
    main()
