"""People: reporting lines without loops, and sign-in accounts found by email.

A loop in the reporting line (A manages B manages A) would make a team
endless, so every change of line manager goes through set_manager() or
set_managers(), which check the whole chain while holding the reporting
lines' lock: two changes that would each be fine alone but make a loop
together (A under B, and B under A, at once) cannot both pass.

Accounts: a person is linked to the sign-in account with the same email,
whichever comes first; `link_account_by_email` runs on User's post_save
(connected in apps.py) and `link_accounts()` after people are loaded.
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models.functions import Lower

from appraisals import events, probation
from appraisals.models import Person
from competency import security
from competency.history import bulk_update

# Any fixed number names PostgreSQL's advisory lock for reporting lines.
REPORTING_LINES_LOCK = 710_710_001


def person_ref(person):
    """A person as every appraisals endpoint names one (the API's
    PersonRefSerializer), and a background job's result too."""
    if person is None:
        return None
    return {"id": person.pk, "name": person.name, "employee_id": person.employee_id}


class ReportingLineError(ValidationError):
    """A change of line manager that would make a loop, or name nobody."""


def lock_reporting_lines():
    """Hold the reporting lines still until the transaction ends.

    Reporting lines change rarely, so one lock for all of them is enough
    and cannot deadlock. PostgreSQL: a transaction-level advisory lock.
    SQLite: every transaction takes the write lock when it begins
    (settings: transaction_mode IMMEDIATE), which already serialises it."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [REPORTING_LINES_LOCK])


def _loop_message(person, manager):
    return (
        f"{manager.name} cannot be {person.name}'s line manager: {manager.name} already "
        f"reports to {person.name} (directly or through others), which would make a loop."
    )


@transaction.atomic
def set_manager(*, person, manager) -> Person:
    """Make `manager` (a Person, or None) the person's line manager."""
    lock_reporting_lines()
    person = Person.objects.select_for_update().get(pk=person.pk)
    if manager is not None:
        if manager.pk == person.pk:
            raise ReportingLineError(f"{person.name} cannot be their own line manager.")
        # Read under the lock: nobody can change the chain above meanwhile.
        if manager.pk and Person.objects.managers_above(manager).filter(pk=person.pk).exists():
            raise ReportingLineError(_loop_message(person, manager))
    person.line_manager = manager
    person.save(update_fields=["line_manager"])
    return person


# The dates that place probation checkpoints.
PROBATION_DATES = {"start_date", "probation_end_date"}


@transaction.atomic
def save_person(*, form) -> Person:
    """Save a valid PersonForm (HR's page and the API): the person's own
    fields, then their line manager through set_manager (a loop raises
    ReportingLineError and nothing is saved), then, for a new person or
    changed dates, their probation checkpoints. The reporting lines' lock
    is held throughout: the import holds it while it compares, so an edit
    waits rather than slip between its preview and its write."""
    lock_reporting_lines()
    created = form.instance.pk is None
    was = {} if created else events.before(Person.objects.filter(pk=form.instance.pk))
    saved = form.save()
    manager = form.cleaned_data["manager"]
    if manager != saved.line_manager:
        saved = set_manager(person=saved, manager=manager)
    if created or PROBATION_DATES & set(form.changed_data):
        probation.schedule_checkpoints(Person.objects.filter(pk=saved.pk))
    # Joined, moved or left: the webhooks' events, in this transaction.
    events.people_changed([saved], was)
    return saved


@transaction.atomic
def set_managers(assignments) -> int:
    """Many changes at once (an import): `assignments` maps a person's id to
    their new manager's id (or None). Checked together, against everyone
    else's current line, in memory: one query to read, one batch to write.
    Refuses all of them, naming a loop, if any would make one. Returns how
    many people changed manager."""
    lock_reporting_lines()
    line = dict(Person.objects.values_list("pk", "line_manager_id"))
    missing = {pk for pk in assignments if pk not in line} | {
        pk for pk in assignments.values() if pk is not None and pk not in line
    }
    if missing:
        raise ReportingLineError(f"No such person: {sorted(missing)}.")
    changed = {pk: manager for pk, manager in assignments.items() if line[pk] != manager}
    line.update(changed)
    _refuse_loops(line, changed)
    people = list(Person.objects.select_for_update().filter(pk__in=changed))
    for person in people:
        person.line_manager_id = changed[person.pk]
    bulk_update(Person, people, ["line_manager"])
    return len(people)


def _refuse_loops(line, starts):
    """Walk up from each changed person; a walk that comes back to a person
    it passed is a loop."""
    done = set()
    for start in starts:
        path, seen, at = [], set(), start
        while at is not None and at not in done:
            if at in seen:
                loop = path[path.index(at) :]
                names = dict(Person.objects.filter(pk__in=loop).values_list("pk", "name"))
                chain = " → ".join(names[pk] for pk in [*loop, at])
                raise ReportingLineError(
                    f"These line managers would make a loop: {chain} (each reports to the next)."
                )
            seen.add(at)
            path.append(at)
            at = line.get(at)
        done.update(path)


def link_account_by_email(user):
    """Link the person with this account's email (case-insensitive) to it,
    when that person has no account yet. Returns the person or None."""
    if not user.email:
        return None
    person = (
        Person.objects.filter(account__isnull=True)
        .annotate(lower_email=Lower("email"))
        .filter(lower_email=user.email.lower())
        .first()
    )
    if person is None or Person.objects.filter(account=user).exists():
        return None
    person.account = user
    person.save(update_fields=["account"])
    return person


def on_user_saved(sender, instance, created, raw=False, **kwargs):
    """post_save on the user model: a new account finds its person."""
    if created and not raw:
        link_account_by_email(instance)


def link_accounts() -> int:
    """Link people without an account to existing accounts with the same
    email (after an import). Two queries whatever the number of people."""
    people = Person.objects.filter(account__isnull=True).exclude(email="")
    wanted = {person.email.lower(): person for person in people}
    if not wanted:
        return 0
    taken = Person.objects.filter(account__isnull=False).values("account")
    users = (
        get_user_model()
        .objects.annotate(lower_email=Lower("email"))
        .filter(lower_email__in=wanted)
        .exclude(pk__in=taken)
    )
    linked = []
    for user in users:
        person = wanted.pop(user.email.lower(), None)
        if person is not None:
            person.account = user
            linked.append(person)
    bulk_update(Person, linked, ["account"])
    return len(linked)


def log_person_change(sender, instance, history_instance, **kwargs):
    """A person added, changed or deleted (HR's pages, the API, the admin:
    any save that simple-history records), to the security log with the
    names of the fields that changed, never their values."""
    kind = {"+": "person_created", "~": "person_changed", "-": "person_deleted"}
    event = kind[history_instance.history_type]
    changed = []
    if event == "person_changed":
        before = history_instance.prev_record
        if before is not None:
            changed = sorted(history_instance.diff_against(before).changed_fields)
    security.record(
        event,
        outcome="success",
        person_id=instance.pk,
        employee_id=instance.employee_id,
        changed=changed,
    )
