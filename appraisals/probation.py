"""Probation: checkpoints from the start date, and the decision at the end.

Checkpoints fall settings.PROBATION_CHECKPOINT_MONTHS months after a
person's start date (by default 1, 3 and 6), up to their probation end
date. A manager's due and overdue ones are
`ProbationCheckpoint.objects.for_team(manager).due_within(31)` and
`.overdue()`.
"""

import calendar
from collections import defaultdict
from datetime import date

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from appraisals.models import Person, ProbationCheckpoint, ProbationDecision
from appraisals.workflow import WorkflowError
from competency.history import bulk_create, bulk_delete, bulk_update
from competency.roles import is_hr


class ProbationError(WorkflowError):
    pass


# The outcomes that end a probation; an extension keeps it going.
FINAL = [ProbationDecision.Outcome.PASSED, ProbationDecision.Outcome.NOT_CONFIRMED]


def months_after(start, months):
    """The same day `months` later, or the month's last day when it is
    shorter (31 January + 1 month = 28 or 29 February)."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


@transaction.atomic
def schedule_checkpoints(people=None, *, today=None) -> list:
    """Bring the checkpoints of everyone on probation (or of `people`) in
    line with their start and probation end dates; returns the new ones.

    Called whenever people are created or their dates change (person form,
    import, seed, an extension), so it may run any number of times: missing
    checkpoints are added, pending ones move with a changed start date and
    go when they no longer fall before the end date (or the dates were
    cleared). Completed ones are history and stay as they are. Someone whose
    probation ended and was decided (passed or not confirmed) is left alone:
    a late edit of their dates must not reopen it. A fixed number of queries
    whatever the number of people."""
    today = today or timezone.localdate()
    months = sorted(set(settings.PROBATION_CHECKPOINT_MONTHS))
    if people is None:
        people = Person.objects.filter(
            Q(start_date__isnull=False, probation_end_date__isnull=False)
            | Q(pk__in=ProbationCheckpoint.objects.pending().values("person"))
        )
    # Locked so that two saves of one person cannot both add its checkpoints.
    people = list(
        people.select_for_update(of=("self",)).only("pk", "start_date", "probation_end_date")
    )
    ids = [person.pk for person in people]
    decided = set(
        ProbationDecision.objects.filter(person__in=ids, outcome__in=FINAL).values_list(
            "person_id", flat=True
        )
    )
    existing = defaultdict(dict)  # person id -> {months: checkpoint}
    for checkpoint in ProbationCheckpoint.objects.filter(person__in=ids):
        existing[checkpoint.person_id][checkpoint.months] = checkpoint
    new, moved, gone = [], [], []
    for person in people:
        start, end = person.start_date, person.probation_end_date
        if end is not None and end < today and person.pk in decided:
            continue
        wanted = {}
        if start is not None and end is not None:
            for n in months:
                due = months_after(start, n)
                if due <= end:
                    wanted[n] = due
        have = existing.get(person.pk, {})
        for n, checkpoint in have.items():
            if checkpoint.completed_on is not None:
                continue
            if n not in wanted:
                gone.append(checkpoint)
            elif checkpoint.due_on != wanted[n]:
                checkpoint.due_on = wanted[n]
                moved.append(checkpoint)
        new += [
            ProbationCheckpoint(person=person, months=n, due_on=due)
            for n, due in wanted.items()
            if n not in have
        ]
    bulk_delete(ProbationCheckpoint, gone)
    bulk_update(ProbationCheckpoint, moved, ["due_on"])
    return bulk_create(ProbationCheckpoint, new)


def may_act(user, person):
    """Whether `user` completes checkpoints and decides the probation of
    `person` (with line_manager loaded): their line manager or HR. Pages ask
    this to offer the forms; the services below refuse everyone else."""
    manager = person.line_manager
    return bool(
        user.is_authenticated
        and (is_hr(user) or (manager is not None and manager.account_id == user.pk))
    )


def _check_manager_or_hr(person, by, doing):
    if not may_act(by, person):
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
