"""People loaded from a CSV or XLSX table: the whole organisation, one row a
person, used by HR's upload page and `manage.py import_people`.

    employee id, name, email, manager's employee id, profile slug,
    job title, start date, probation end date[, leaving date]

A file is read in one of two modes, which the importer always names (there
is no default, so that nobody marks the whole organisation as left by
uploading a list of new starters):

- the whole organisation (Mode.WHOLE_ORGANISATION): the file is everyone
  as they are now; a line manager must be in the file, and whoever is not
  in it any more is marked as having left today;
- add and update only (Mode.ADD_AND_UPDATE): the file is some people (new
  starters, say); a line manager may be in the file or already here, and
  nobody is marked as left.

Reading it (plan_import) checks every row against the others and the
database and says what would happen: who is new, who moves (manager,
profile, job title) or otherwise changes, and, for the whole organisation,
who leaves. Nothing is ever deleted. Any error, in any row, and nothing is
written; each error names its row and column as a spreadsheet shows them.

Writing (apply_import) plans again under the reporting lines' lock and,
when the page's preview is being confirmed, compares the plan's fingerprint
with the one the person saw: if anyone changed people in between, nothing
is written. It writes in batches, a fixed number of queries per batch.
"""

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from appraisals import events, probation
from appraisals import people as people_service
from appraisals.models import Person
from competency import security
from competency.history import bulk_create, bulk_update
from competency.problems import FileProblem, pointers
from competency.tables import FileImportError, read_sheet
from profiles.models import RoleProfile

# The header of the table, and the short name each column goes by in errors.
COLUMNS = {
    "employee id": "employee id",
    "name": "name",
    "email": "email",
    "manager's employee id": "manager",
    "profile slug": "profile",
    "job title": "job title",
    "start date": "start date",
    "probation end date": "probation end date",
}
OPTIONAL = {"leaving date": "leaving date"}
LABELS = {**COLUMNS, **OPTIONAL}

BATCH = 1000
MAX_ERRORS = 50  # more than this and the first fifty say enough
FIELDS = [
    "name",
    "email",
    "job_title",
    "role_profile_id",
    "start_date",
    "probation_end_date",
    "leaving_date",
]
# The changes that move a person (the preview lists them apart from the
# others), by the names the preview gives them.
MOVE_FIELDS = {"line_manager_id": "manager", "role_profile_id": "profile", "job_title": "job title"}


class Mode(models.TextChoices):
    """What the file is: the page's choice, the command's --mode and the
    API's ?mode= (the values), each required."""

    WHOLE_ORGANISATION = "whole_organisation", "The whole organisation"
    ADD_AND_UPDATE = "add_and_update", "Add and update only"

    @property
    def marks_leavers(self):
        return self is Mode.WHOLE_ORGANISATION

    @property
    def explained(self):
        """What the mode does, in a sentence."""
        if self.marks_leavers:
            return (
                "The file is everyone: people here who are not in it are marked as having "
                "left today."
            )
        return (
            "The file adds and updates the people in it: nobody is marked as left, and a line "
            "manager may be someone already here."
        )


class PeopleImportError(FileProblem, ValidationError):
    """The file cannot be imported as it is; `errors` lists each problem with
    its place. Nothing was written."""

    def __init__(self, name, problems):
        self.name = name
        self.problems = problems
        super().__init__([str(problem) for problem in problems])

    def problem_errors(self):
        """Each problem at its row and column (`#/file/rows/<row>/<column>`),
        or at the file: what the API answers, at once or in its job."""
        found = {}
        for problem in self.problems:
            if problem.row is None:
                found.setdefault("", []).append(str(problem))
            else:
                column = problem.label or "row"
                found.setdefault(str(problem.row), {}).setdefault(column, []).append(str(problem))
        whole = found.pop("", [])
        detail = {"file": {"rows": found} if found else whole}
        if found and whole:
            detail = {"file": whole, "rows": found}
        return pointers(detail)


class ChangedSincePreview(ValidationError):
    """People changed between the preview and its confirmation."""


@dataclass(frozen=True)
class Problem:
    message: str
    row: int | None = None
    column: str = ""  # the spreadsheet letter
    label: str = ""  # the column's short name

    def __str__(self):
        if self.row is None:
            return self.message[:1].upper() + self.message[1:]
        where = f"Row {self.row}"
        if self.column:
            where += f", column {self.column} ({self.label})"
        return f"{where}: {self.message}"


@dataclass
class Change:
    """An existing person the file changes: what, from what, to what."""

    person: Person
    row: int
    changes: dict = field(default_factory=dict)  # field -> (before, after), for display

    @property
    def is_move(self):
        return any(name in self.changes for name in MOVE_FIELDS.values())


@dataclass
class Plan:
    """What importing the file would do."""

    name: str
    mode: Mode = Mode.WHOLE_ORGANISATION
    rows: int = 0
    created: list = field(default_factory=list)  # (row, values)
    changed: list = field(default_factory=list)  # Change
    leavers: list = field(default_factory=list)  # Person
    unchanged: int = 0
    fingerprint: str = ""
    # What to write: new people's values, existing people's new values and
    # everyone's manager by employee id.
    _new: list = field(default_factory=list, repr=False)
    _updates: list = field(default_factory=list, repr=False)
    _managers: dict = field(default_factory=dict, repr=False)

    @property
    def moved(self):
        return [change for change in self.changed if change.is_move]

    @property
    def updated(self):
        return [change for change in self.changed if not change.is_move]

    def as_json(self):
        """What the plan would do, as the API answers a preview
        (ImportPlanSerializer): new people have no id yet."""

        def change(c):
            return {
                "row": c.row,
                "employee_id": c.person.employee_id,
                "name": c.person.name,
                "changes": {k: [str(v) for v in pair] for k, pair in c.changes.items()},
            }

        return {
            "summary": self.summary(),
            "mode": self.mode.value,
            "rows": self.rows,
            "created": [
                {"id": None, "employee_id": values["employee_id"], "name": values["name"]}
                for _row, values in self.created
            ],
            "moved": [change(c) for c in self.moved],
            "updated": [change(c) for c in self.updated],
            "leavers": [people_service.person_ref(p) for p in self.leavers],
            "unchanged": self.unchanged,
            "confirmed": self.fingerprint,
        }

    def written_as_json(self):
        """What the written plan did, as the API answers an import, in the
        request or in its background job's result: as_json() with the new
        people's ids."""
        found = self.as_json()
        ids = dict(
            Person.objects.filter(
                employee_id__in=[row["employee_id"] for row in found["created"]]
            ).values_list("employee_id", "pk")
        )
        for row in found["created"]:
            row["id"] = ids.get(row["employee_id"])
        return found

    def summary(self):
        leavers = (
            f"{len(self.leavers)} to mark as leavers"
            if self.mode.marks_leavers
            else "nobody marked as left"
        )
        return (
            f"{self.mode.label}: {len(self.created)} to create, {len(self.moved)} to move, "
            f"{len(self.updated)} with other changes, {leavers}, {self.unchanged} unchanged"
        )


def _no_progress(iterable, label):
    return iterable


# --- reading -----------------------------------------------------------------------

_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]00:00(?::00)?)?$")
_UK = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


def _date(text):
    """A date as YYYY-MM-DD or DD/MM/YYYY (a spreadsheet's own dates read as
    YYYY-MM-DD 00:00:00); None for empty; ValueError otherwise."""
    if not text:
        return None
    if match := _ISO.match(text):
        year, month, day = (int(part) for part in match.groups())
    elif match := _UK.match(text):
        day, month, year = (int(part) for part in match.groups())
    else:
        raise ValueError
    return date(year, month, day)


class _Rows:
    """Collects problems while the rows are read; stops listing at MAX_ERRORS."""

    def __init__(self, letters):
        self.letters = letters
        self.problems = []

    def add(self, row, column, message):
        if len(self.problems) < MAX_ERRORS:
            self.problems.append(
                Problem(message, row, self.letters.get(column, ""), LABELS.get(column, column))
            )


def read_rows(data: bytes, name: str, progress=_no_progress):
    """The file's rows checked one by one: {employee id: (row, values)}, and
    the problems found. Raises PeopleImportError for a file that is not a
    table of people at all."""
    try:
        sheet = read_sheet(data, name, list(COLUMNS), optional=list(OPTIONAL))
    except FileImportError as error:
        message = error.message + (f" (column '{error.column}')" if error.column else "")
        raise PeopleImportError(name, [Problem(message, error.row)]) from error
    rows = _Rows(sheet.letters)
    found = {}
    emails = {}
    for number, cells in progress(sheet.rows, "rows"):
        values = _row(number, cells, rows)
        employee_id = values["employee_id"]
        if not employee_id:
            continue
        if employee_id in found:
            rows.add(
                number,
                "employee id",
                f"{employee_id} is in the file twice (first in row {found[employee_id][0]}); "
                "each person has one row",
            )
            continue
        email = values["email"].lower()
        if email and email in emails:
            rows.add(
                number,
                "email",
                f"{values['email']} is also the email of row {emails[email]}; each person has "
                "their own",
            )
        elif email:
            emails[email] = number
        found[employee_id] = (number, values)
    return found, rows


def _row(number, cells, rows):
    values = {}
    employee_id = cells["employee id"]
    if not employee_id:
        rows.add(number, "employee id", "the employee id is empty; every person needs one")
    elif len(employee_id) > 50:
        rows.add(number, "employee id", "the employee id is longer than 50 characters")
    values["employee_id"] = employee_id
    values["name"] = cells["name"]
    if not cells["name"]:
        rows.add(number, "name", "the name is empty")
    elif len(cells["name"]) > 200:
        rows.add(number, "name", "the name is longer than 200 characters")
    values["email"] = cells["email"]
    if cells["email"]:
        try:
            validate_email(cells["email"])
        except ValidationError:
            rows.add(number, "email", f"'{cells['email'][:100]}' is not an email address")
    values["manager"] = cells["manager's employee id"]
    if values["manager"] and values["manager"] == employee_id:
        rows.add(number, "manager's employee id", "a person cannot be their own line manager")
    values["profile"] = cells["profile slug"]
    values["job_title"] = cells["job title"]
    if len(cells["job title"]) > 200:
        rows.add(number, "job title", "the job title is longer than 200 characters")
    for column, key in (
        ("start date", "start_date"),
        ("probation end date", "probation_end_date"),
        ("leaving date", "leaving_date"),
    ):
        try:
            values[key] = _date(cells[column])
        except ValueError:
            values[key] = None
            rows.add(
                number,
                column,
                f"'{cells[column][:40]}' is not a date; write it as YYYY-MM-DD, for example "
                "2025-04-01",
            )
    start, probation, leaving = (
        values["start_date"],
        values["probation_end_date"],
        values["leaving_date"],
    )
    if start and probation and probation < start:
        rows.add(number, "probation end date", "probation ends before the start date")
    if start and leaving and leaving < start:
        rows.add(number, "leaving date", "the leaving date is before the start date")
    return values


# --- planning ----------------------------------------------------------------------


def plan_import(data: bytes, name: str, *, mode, today=None, progress=_no_progress) -> Plan:
    """What importing the file in `mode` (a Mode) would do, or
    PeopleImportError listing every problem. Reads the database; writes
    nothing."""
    mode = Mode(mode)
    today = today or timezone.localdate()
    found, rows = read_rows(data, name, progress)
    # Whole rows: the audit trail's bulk writes copy every field of each.
    existing = {person.employee_id: person for person in Person.objects.all()}
    by_pk = {person.pk: person.employee_id for person in existing.values()}
    slugs = dict(RoleProfile.objects.values_list("slug", "pk"))
    profile_slugs = {pk: slug for slug, pk in slugs.items()}

    for number, values in found.values():
        _check_manager(values, found, existing, mode, today, number, rows)
        if values["profile"] and values["profile"] not in slugs:
            rows.add(
                number, "profile slug", f"no role profile with the slug '{values['profile'][:100]}'"
            )
    _check_emails(found, existing, rows)
    if not rows.problems:
        _check_loops(found, _lines_outside(found, existing, by_pk, mode), rows)
    if rows.problems:
        raise PeopleImportError(name, rows.problems)

    plan = Plan(name=name, mode=mode, rows=len(found))
    for employee_id, (number, values) in found.items():
        wanted = {
            "name": values["name"],
            "email": values["email"],
            "job_title": values["job_title"],
            "role_profile_id": slugs.get(values["profile"]) if values["profile"] else None,
            "start_date": values["start_date"],
            "probation_end_date": values["probation_end_date"],
            "leaving_date": values["leaving_date"],
        }
        plan._managers[employee_id] = values["manager"] or None
        person = existing.get(employee_id)
        if person is None:
            plan.created.append((number, {"employee_id": employee_id, **values}))
            plan._new.append({"employee_id": employee_id, **wanted})
            continue
        change = Change(person, number)
        manager_before = by_pk.get(person.line_manager_id)
        if manager_before != plan._managers[employee_id]:
            change.changes["manager"] = (manager_before or "", values["manager"])
        for key, after in wanted.items():
            before = getattr(person, key)
            if before != after:
                if key == "role_profile_id":
                    change.changes["profile"] = (profile_slugs.get(before, ""), values["profile"])
                else:
                    change.changes[key.replace("_", " ")] = (before or "", after or "")
        if change.changes:
            plan.changed.append(change)
            plan._updates.append((person, wanted))
        else:
            plan.unchanged += 1
    for employee_id, person in existing.items() if mode.marks_leavers else ():
        if employee_id not in found and not person.has_left(today):
            plan.leavers.append(person)
            # A start date after today would make today's leaving date
            # break the "leaves after starting" rule: they leave on the day
            # they would have started.
            leaving = max(today, person.start_date) if person.start_date else today
            plan._updates.append((person, {"leaving_date": leaving}))
    plan.fingerprint = _fingerprint(plan, today)
    return plan


def _check_manager(values, found, existing, mode, today, number, rows):
    """A row's line manager: in the file, or (adding and updating only)
    already here; and still here, not a leaver (the file's leaving date
    for someone in it, else the one recorded)."""
    manager = values["manager"]
    if not manager:
        return
    if manager in found:
        leaving = found[manager][1]["leaving_date"]
    elif manager in existing and not mode.marks_leavers:
        leaving = existing[manager].leaving_date
    else:
        where = "in the file" if mode.marks_leavers else "in the file or already here"
        hint = (
            " (the whole organisation is one file; to add or update some people only, "
            "import in the mode 'add and update only')"
            if manager in existing
            else ""
        )
        rows.add(
            number,
            "manager's employee id",
            f"no person with employee id {manager[:50]} {where}{hint}",
        )
        return
    # Someone leaving manages nobody from the day they go; their own row
    # may say when that is, and who they managed is for HR to reassign.
    if (
        leaving is not None
        and leaving <= today
        and not (values["leaving_date"] and values["leaving_date"] <= today)
    ):
        rows.add(
            number,
            "manager's employee id",
            f"{manager[:50]} has left (leaving date {leaving.isoformat()}); choose a line "
            "manager who is still here",
        )


def _lines_outside(found, existing, by_pk, mode):
    """The reporting line of the people already here whom the file leaves
    as they are (adding and updating only): {employee id: manager's}, for
    the loop check. A whole organisation's file replaces every line."""
    if mode.marks_leavers:
        return {}
    return {
        employee_id: by_pk.get(person.line_manager_id)
        for employee_id, person in existing.items()
        if employee_id not in found
    }


def _check_emails(found, existing, rows):
    """An email in the file may not belong to someone else already (the
    database holds each email once): someone not in the file, or someone
    in it whose row gives them another."""
    owners = {person.email.lower(): person for person in existing.values() if person.email}
    for employee_id, (number, values) in found.items():
        owner = owners.get(values["email"].lower()) if values["email"] else None
        if owner is None or owner.employee_id == employee_id:
            continue
        if owner.employee_id in found and found[owner.employee_id][1]["email"].lower() != (
            values["email"].lower()
        ):
            continue  # the file gives its owner another email: it passes on
        rows.add(
            number,
            "email",
            f"{values['email']} is already the email of {owner.name} ({owner.employee_id})",
        )


def _check_loops(found, outside, rows):
    """Every chain of managers in the file ends at someone without one,
    following `outside` (the lines of people not in the file) where the
    chain leaves the file."""
    managers = {
        **outside,
        **{key: values["manager"] or None for key, (_, values) in found.items()},
    }
    done = set()
    for start in found:
        path, seen, at = [], set(), start
        while at is not None and at not in done:
            if at in seen:
                loop = path[path.index(at) :]
                chain = " → ".join([*loop, at])
                first = min(
                    (employee_id for employee_id in loop if employee_id in found),
                    key=lambda employee_id: found[employee_id][0],
                )
                rows.add(
                    found[first][0],
                    "manager's employee id",
                    f"these line managers make a loop: {chain} (each reports to the next)",
                )
                break
            seen.add(at)
            path.append(at)
            at = managers.get(at)
        done.update(path)


def _fingerprint(plan, today):
    """A fingerprint of everything the plan would write and of what it
    would overwrite: if anything it depends on changes, so does this."""
    content = {
        "mode": plan.mode.value,
        "today": today.isoformat(),
        "new": plan._new,
        "managers": plan._managers,
        "updates": [
            [person.employee_id, {key: getattr(person, key) for key in wanted}, wanted]
            for person, wanted in plan._updates
        ],
        "changes": [[change.person.employee_id, change.changes] for change in plan.changed],
        "unchanged": plan.unchanged,
    }
    text = json.dumps(content, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


# --- writing -----------------------------------------------------------------------


@transaction.atomic
def apply_import(
    data: bytes, name: str, *, mode, confirmed=None, today=None, progress=_no_progress
) -> Plan:
    """Import the file in `mode` (a Mode): plan it under the reporting
    lines' lock and write the plan, or write nothing. `confirmed`, the
    fingerprint a preview showed (of the same mode), must still be the
    plan's."""
    # Every change of line manager takes this lock, and the person pages
    # take it for any change: people stand still while the file is checked.
    people_service.lock_reporting_lines()
    plan = plan_import(data, name, mode=mode, today=today, progress=progress)
    if confirmed is not None and plan.fingerprint != confirmed:
        raise ChangedSincePreview(
            "People changed since the preview, so nothing was imported. "
            "Upload the file again to see what it would do now."
        )
    # The webhooks' events compare everyone before and after: only read
    # when a webhook wants them.
    watching = events.watching_people()
    was = events.before() if watching else None
    try:
        _write(plan, progress)
    except IntegrityError as error:
        # Two rows trading emails trips the one-email-per-person index for a
        # moment; say so rather than fail.
        raise PeopleImportError(
            name, [Problem(f"the database refused the import ({error}); nothing was written")]
        ) from error
    if watching:
        events.people_changed(Person.objects.iterator(chunk_size=BATCH), was)
    # Written in bulk (no save per person): one line for the whole import.
    security.record(
        "people_imported",
        outcome="success",
        file=name,
        mode=str(getattr(mode, "value", mode)),
        added=len(plan.created),
        moved=len(plan.moved),
        updated=len(plan.updated),
        leavers=len(plan.leavers),
    )
    return plan


# Dates that place probation checkpoints: a new person or a change of
# either reschedules them.
DATES = {"start_date", "probation_end_date"}


def _schedule(employee_ids):
    """Probation checkpoints for a batch of people: a fixed number of
    queries, by employee id (SQLite may not hand back new primary keys)."""
    if employee_ids:
        probation.schedule_checkpoints(Person.objects.filter(employee_id__in=employee_ids))


def _batches(items, label, progress):
    items = list(items)
    return progress([items[at : at + BATCH] for at in range(0, len(items), BATCH)], label)


def _write(plan, progress):
    for batch in _batches(plan._new, "new people", progress):
        bulk_create(Person, [Person(**values) for values in batch], batch_size=BATCH)
        # Only people with both dates have checkpoints to place.
        _schedule([v["employee_id"] for v in batch if v["start_date"] and v["probation_end_date"]])
    for batch in _batches(plan._updates, "changed people", progress):
        people = []
        fields = set()
        dates_changed = []
        for person, wanted in batch:
            if any(getattr(person, key) != wanted[key] for key in DATES & set(wanted)):
                dates_changed.append(person.employee_id)
            for key, value in wanted.items():
                setattr(person, key, value)
            fields.update(wanted)
            people.append(person)
        bulk_update(Person, people, sorted(fields), batch_size=BATCH)
        _schedule(dates_changed)
    # Managers last, when everyone named exists; set_managers checks the
    # whole organisation for loops once more under the lock.
    ids = dict(Person.objects.values_list("employee_id", "pk"))
    people_service.set_managers(
        {
            ids[employee_id]: ids[manager] if manager else None
            for employee_id, manager in plan._managers.items()
        }
    )
    people_service.link_accounts()
