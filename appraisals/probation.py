"""Probation: checkpoints from the start date, and the decision at the end.

Checkpoints fall settings.PROBATION_CHECKPOINT_MONTHS months after a
person's start date (by default 1, 3 and 6), up to their probation end
date. A manager's due and overdue ones are
`ProbationCheckpoint.objects.for_team(manager).due_within(31)` and
`.overdue()`.
"""

import calendar
from datetime import date

from django.conf import settings
from django.db import transaction

from appraisals.models import Person, ProbationCheckpoint, ProbationDecision
from appraisals.workflow import WorkflowError
from competency.history import bulk_create
from competency.roles import is_hr


class ProbationError(WorkflowError):
    pass


def months_after(start, months):
    """The same day `months` later, or the month's last day when it is
    shorter (31 January + 1 month = 28 or 29 February)."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


@transaction.atomic
def schedule_checkpoints(people=None) -> list:
    """Create the missing checkpoints of everyone on probation (or of
    `people`): two queries and one batch, whatever their number."""
    months = sorted(set(settings.PROBATION_CHECKPOINT_MONTHS))
    people = (people if people is not None else Person.objects.all()).filter(
        start_date__isnull=False, probation_end_date__isnull=False
    )
    people = list(people.only("pk", "start_date", "probation_end_date"))
    existing = set(
        ProbationCheckpoint.objects.filter(person__in=[p.pk for p in people]).values_list(
            "person_id", "months"
        )
    )
    new = [
        ProbationCheckpoint(person=person, months=n, due_on=months_after(person.start_date, n))
        for person in people
        for n in months
        if (person.pk, n) not in existing
        and months_after(person.start_date, n) <= person.probation_end_date
    ]
    return bulk_create(ProbationCheckpoint, new)


def _check_manager_or_hr(person, by, doing):
    manager = person.line_manager
    if not (is_hr(by) or (manager is not None and manager.account_id == by.pk)):
        raise ProbationError(f"Only {person.name}'s line manager or HR can {doing}.")


@transaction.atomic
def complete_checkpoint(*, checkpoint, by, completed_on, notes="", check_in=None):
    checkpoint = (
        ProbationCheckpoint.objects.select_for_update(of=("self",))
        .select_related("person__line_manager")
        .get(pk=checkpoint.pk)
    )
    _check_manager_or_hr(checkpoint.person, by, "complete a probation checkpoint")
    if checkpoint.completed_on:
        raise ProbationError(
            f"This checkpoint was completed on {checkpoint.completed_on:%d %B %Y}."
        )
    if check_in is not None and check_in.person_id != checkpoint.person_id:
        raise ProbationError("That check-in was with someone else.")
    checkpoint.completed_on = completed_on
    checkpoint.notes = notes.strip()
    checkpoint.check_in = check_in
    checkpoint.save(update_fields=["completed_on", "notes", "check_in"])
    return checkpoint


@transaction.atomic
def decide_probation(*, person, by, outcome, extended_to=None, notes="") -> ProbationDecision:
    """Passed, extended to a new date (which becomes the probation end date
    and gets the checkpoints that now fall before it), or not confirmed."""
    person = (
        Person.objects.select_for_update(of=("self",))
        .select_related("line_manager")
        .get(pk=person.pk)
    )
    _check_manager_or_hr(person, by, "decide a probation")
    if person.probation_end_date is None:
        raise ProbationError(f"{person.name} is not on probation.")
    if outcome == ProbationDecision.Outcome.EXTENDED:
        if extended_to is None or extended_to <= person.probation_end_date:
            raise ProbationError(
                f"Give a new end date after the current one ({person.probation_end_date:%d %B %Y})."
            )
    elif extended_to is not None:
        raise ProbationError("Only an extension has a new end date.")
    if outcome not in ProbationDecision.Outcome.values:
        raise ProbationError(f"{outcome!r} is not a probation outcome.")
    decision = ProbationDecision.objects.create(
        person=person, outcome=outcome, extended_to=extended_to, notes=notes.strip(), decided_by=by
    )
    if extended_to is not None:
        person.probation_end_date = extended_to
        person.save(update_fields=["probation_end_date"])
        schedule_checkpoints(Person.objects.filter(pk=person.pk))
    return decision
