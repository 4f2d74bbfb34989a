"""A cycle's progress as a spreadsheet (CSV or XLSX), for HR: one row per
appraisal, by the person's name, read in one query whatever the size of
the cycle and written as it is read.

Spreadsheet programs run a cell that starts with `=`, `+`, `-` or `@` (or a
tab or carriage return before one) as a formula, so such text is written
with a leading apostrophe: shown as typed, never run (OWASP's advice for
CSV injection). Names, job titles and cycle names are typed by people.
"""

import csv
import tempfile

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from appraisals import waiting
from appraisals.models import Appraisal

HEADER = [
    "Employee id",
    "Person",
    "Job title",
    "Manager",
    "Stage",
    "Waiting for",
    "Due on",
    "Days late",
    "Person signed",
    "Manager signed",
    "Reminders off",
]
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CHUNK = 2000


def safe(value):
    """The value as a spreadsheet should hold it: text that could start a
    formula gets a leading apostrophe."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _appraisals(cycle):
    return waiting.with_steps(
        Appraisal.objects.filter(cycle=cycle)
        .select_related("person", "manager")
        .only(
            "pk",
            "stage",
            "person_signed_at",
            "manager_signed_at",
            "person__name",
            "person__employee_id",
            "person__job_title",
            "person__reminders_off_at",
            "manager__name",
        )
        .order_by("person__name", "person_id")
    )


def rows(cycle, today):
    """The header, then one list per appraisal, made safe."""
    yield HEADER
    late = max(0, (today - cycle.closes_on).days)
    for appraisal in _appraisals(cycle).iterator(chunk_size=CHUNK):
        person, manager = appraisal.person, appraisal.manager
        is_open = appraisal.stage != "signed_off"
        row = [
            person.employee_id,
            person.name,
            person.job_title,
            manager.name,
            appraisal.get_stage_display(),
            waiting.whom(appraisal),
            cycle.closes_on.isoformat(),
            late if is_open else 0,
            _when(appraisal.person_signed_at),
            _when(appraisal.manager_signed_at),
            "yes" if person.reminders_off_at else "no",
        ]
        yield [safe(value) for value in row]


def _when(moment):
    return moment.date().isoformat() if moment else ""


class _Echo:
    """A file that hands back what is written: csv.writer writing one line
    at a time into a streamed response."""

    def write(self, value):
        return value


def csv_lines(cycle, today):
    writer = csv.writer(_Echo())
    # A byte order mark, so that Excel reads the names as UTF-8.
    yield "\ufeff"
    for row in rows(cycle, today):
        yield writer.writerow(row)


def xlsx_file(cycle, today):
    """The workbook in a temporary file (write-only mode: rows go to disk as
    they come), rewound for reading."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title="Progress")
    for row in rows(cycle, today):
        # Control characters that XML cannot hold would stop the save.
        sheet.append([ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v for v in row])
    spool = tempfile.TemporaryFile()  # noqa: SIM115 (the response closes it)
    book.save(spool)
    spool.seek(0)
    return spool
