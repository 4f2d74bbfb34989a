"""Cycles: opening one for a scope creates its appraisals, once; closing it.

open_cycle() works in bulk: a fixed number of queries for each batch of
people, never a few per person, so opening a cycle for everyone in a large
organisation is one short transaction.

Cycles may overlap (a mid-year check while the annual review is still
open). Someone in scope who already has an open appraisal in another cycle
is neither skipped nor added silently: the preview lists them with those
appraisals, and opening needs HR's choice for them (`overlapping`: SKIP or
ADD), the same on the page and in the API.
"""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.defaultfilters import pluralize
from django.utils import timezone

from appraisals import notices
from appraisals.models import (
    Appraisal,
    AppraisalEvent,
    Cycle,
    Objective,
    Person,
    Stage,
)
from appraisals.requirements import TemplateTable, requirement_templates
from competency.history import bulk_create
from profiles.models import ProfileVersion

BATCH = 500


@dataclass(frozen=True)
class Scope:
    """Whom a cycle is opened for: everyone, a job family, or a manager's
    whole reporting line. Build one with the class methods."""

    kind: str
    target: object = None

    @classmethod
    def everyone(cls):
        return cls("everyone")

    @classmethod
    def job_family(cls, family):
        return cls("job_family", family)

    @classmethod
    def team(cls, manager):
        return cls("team", manager)

    def people(self):
        if self.kind == "everyone":
            return Person.objects.all()
        if self.kind == "job_family":
            return Person.objects.filter(role_profile__job_family=self.target)
        if self.kind == "team":
            return Person.objects.reporting_line(self.target)
        raise ValueError(f"Unknown scope {self.kind!r}.")

    def to_params(self):
        """The scope as JSON, for a background job (from_params reads it)."""
        return {"kind": self.kind, "target": getattr(self.target, "pk", None)}

    @classmethod
    def from_params(cls, params):
        from profiles.models import JobFamily

        if params["kind"] == "job_family":
            return cls.job_family(JobFamily.objects.get(pk=params["target"]))
        if params["kind"] == "team":
            return cls.team(Person.objects.get(pk=params["target"]))
        return cls.everyone()

    def __str__(self):
        if self.kind == "everyone":
            return "everyone"
        if self.kind == "job_family":
            return f"the {self.target} job family"
        return f"{self.target.name}'s team"


# HR's choice for the people in scope who already have an open appraisal in
# another cycle.
SKIP = "skip"
ADD = "add"
OVERLAPPING_CHOICES = [
    (SKIP, "Skip them: they keep only the appraisal they have"),
    (ADD, "Add them: they will have an appraisal in this cycle as well"),
]


@dataclass
class Opening:
    """What opening a cycle did: the appraisals it created, and each person
    in scope it did not create one for, with why.

    `overlapping`: the people in scope who have an open appraisal in
    another cycle, each with those appraisals (soonest due first), as
    (person, [appraisal]), whatever HR chose for them: skipped, they are
    in `skipped` too; added, in `created`; not chosen yet (a preview), in
    neither."""

    created: list = field(default_factory=list)
    skipped: list = field(default_factory=list)  # (person, reason)
    overlapping: list = field(default_factory=list)  # (person, [open appraisals])

    def overlapping_shown(self, shown=20):
        return self.overlapping[:shown]

    def skipped_for(self, reason_start):
        return [person for person, reason in self.skipped if reason.startswith(reason_start)]

    def skipped_by_reason(self, shown=20):
        """The people skipped grouped by why, the commonest reason first:
        [{"reason", "count", "people": the first `shown` of them}]."""
        reasons = {}
        for person, reason in self.skipped:
            reasons.setdefault(reason, []).append(person)
        return [
            {"reason": reason, "count": len(people), "people": people[:shown]}
            for reason, people in sorted(reasons.items(), key=lambda item: -len(item[1]))
        ]


# Why someone in scope gets no appraisal, in words a page can show.
ALREADY = "already has an appraisal in this cycle"
OPEN_ELSEWHERE = "already has an open appraisal in another cycle"
LEFT = "has left"
NO_PROFILE = "has no role profile"
NOT_IN_FORCE = "their role profile has no published version in force"
NO_MANAGER = "has no line manager to appraise them"
NOT_ON_PROBATION = "is not on probation"
UNDECIDED = (
    "{count} {people} in scope already {have} an open appraisal in another cycle: choose "
    "whether to skip them or add them."
)
CHANGED = (
    "The people in scope changed since you looked, so nothing was created. Check the new "
    "numbers and confirm again."
)


class CycleError(ValidationError):
    pass


def lock(cycle):
    return Cycle.objects.select_for_update().get(pk=cycle.pk)


@transaction.atomic
def open_cycle(
    *, cycle, scope, by=None, today=None, confirmed=None, overlapping=None, progress=None
) -> Opening:
    """Open the cycle (if it is a draft) and create, in one transaction, one
    appraisal for each person in scope who has none in it yet, against the
    version in force of their profile now. Running it again for the same
    or an overlapping scope creates none twice.

    `overlapping`: SKIP or ADD the people in scope who already have an open
    appraisal in another cycle. Needed only when there are any: without it
    then, CycleError (naming the field) and nothing is written.

    `confirmed`: how many appraisals the preview the person confirmed said
    it would create (with their choice for the overlapping); when that no
    longer holds under the cycle's lock, CycleError and nothing is written.

    `progress`: called as progress(done, total) with the people given an
    appraisal so far, after each batch (a background job's page shows it)."""
    cycle = lock(cycle)  # two officers opening it at once take turns
    if cycle.status == Cycle.Status.CLOSED:
        raise CycleError(f"{cycle} is closed; no appraisals can be added to it.")
    today = today or timezone.localdate()
    opening, chosen = _sort(cycle, scope, today, overlapping)
    if opening.overlapping and overlapping is None:
        raise CycleError({"overlapping": [undecided(len(opening.overlapping))]})
    if confirmed is not None and str(confirmed) != str(len(chosen)):
        raise CycleError(CHANGED)
    if cycle.status == Cycle.Status.DRAFT:
        cycle.status = Cycle.Status.OPEN
        cycle.save(update_fields=["status"])
    if not chosen:
        return opening
    version_ids = {person.role_profile.published_version_id for person in chosen}
    templates = requirement_templates(
        ProfileVersion.objects.filter(pk__in=version_ids).values_list("pk", "document")
    )
    with TemplateTable(templates) as requirements:
        for start in range(0, len(chosen), BATCH):
            opening.created += _create(cycle, chosen[start : start + BATCH], by, requirements)
            if progress:
                progress(len(opening.created), len(chosen))
    # Each manager is mailed their new drafts to set up, with the opening.
    notices.cycle_opened(cycle, opening.created)
    return opening


def check_opening(*, cycle, scope, today=None, confirmed=None, overlapping=None):
    """What open_cycle would refuse now, raised as it would (CycleError),
    writing nothing: asked before a background job is started, so that a
    refusal is answered at once. open_cycle asks again under the lock."""
    if cycle.status == Cycle.Status.CLOSED:
        raise CycleError(f"{cycle} is closed; no appraisals can be added to it.")
    opening, chosen = _sort(cycle, scope, today or timezone.localdate(), overlapping)
    if opening.overlapping and overlapping is None:
        raise CycleError({"overlapping": [undecided(len(opening.overlapping))]})
    if confirmed is not None and str(confirmed) != str(len(chosen)):
        raise CycleError(CHANGED)
    return len(chosen)


def opened_message(cycle, scope, opening):
    """What opening did, in words that are true of everyone in scope."""
    created, skipped = len(opening.created), len(opening.skipped)
    message = (
        f"Opened {cycle} for {scope}: {created} appraisal{pluralize(created)} created, "
        f"{skipped} {'person' if skipped == 1 else 'people'} skipped."
    )
    elsewhere = len(opening.overlapping)
    if elsewhere:
        who = "person" if elsewhere == 1 else "people"
        done = "skipped" if opening.skipped_for(OPEN_ELSEWHERE) else "added"
        message += (
            f" {elsewhere} {who} with an open appraisal in another cycle {done}"
            f"{': they now have both' if done == 'added' else ''}."
        )
    return message


def undecided(count):
    return UNDECIDED.format(
        count=count,
        people="person" if count == 1 else "people",
        have="has" if count == 1 else "have",
    )


def preview_opening(*, cycle, scope, today=None, overlapping=None) -> Opening:
    """What open_cycle would do now, writing nothing: `created` lists the
    people who would get an appraisal, `skipped` the others with why, and
    `overlapping` those with an open appraisal in another cycle (without
    a choice for them, they are in neither list)."""
    opening, chosen = _sort(cycle, scope, today or timezone.localdate(), overlapping)
    opening.created = chosen
    return opening


def _sort(cycle, scope, today, overlapping=None):
    """The people in scope: those to appraise, and the others with why."""
    if overlapping not in (None, SKIP, ADD):
        raise ValueError(f"overlapping is {SKIP!r}, {ADD!r} or None, not {overlapping!r}.")
    people = list(
        scope.people()
        .select_related("role_profile")
        .order_by("pk")
        .only(
            "pk",
            "name",
            "employee_id",
            "line_manager_id",
            "leaving_date",
            "probation_end_date",
            "role_profile__published_version_id",
        )
    )
    already = set(
        Appraisal.objects.filter(cycle=cycle, person__in=[p.pk for p in people]).values_list(
            "person_id", flat=True
        )
    )
    opening, chosen = Opening(), []
    for person in people:
        reason = _reason_to_skip(person, cycle, already, today)
        if reason:
            opening.skipped.append((person, reason))
        else:
            chosen.append(person)
    elsewhere = open_elsewhere(cycle, [person.pk for person in chosen])
    if not elsewhere:
        return opening, chosen
    staying = []
    for person in chosen:
        if person.pk not in elsewhere:
            staying.append(person)
            continue
        opening.overlapping.append((person, elsewhere[person.pk]))
        if overlapping == ADD:
            staying.append(person)
        elif overlapping == SKIP:
            opening.skipped.append((person, OPEN_ELSEWHERE))
    return opening, staying


def open_elsewhere(cycle, person_ids):
    """{person id: [their open appraisals in cycles other than `cycle`,
    soonest due first]}, for those who have any; one query."""
    found = {}
    rows = (
        Appraisal.objects.open()
        .filter(person__in=person_ids)
        .exclude(cycle=cycle)
        .select_related("cycle")
        .only("pk", "person_id", "stage", "cycle__name", "cycle__closes_on")
        .order_by("cycle__closes_on", "cycle__name", "pk")
    )
    for appraisal in rows:
        found.setdefault(appraisal.person_id, []).append(appraisal)
    return found


def _reason_to_skip(person, cycle, already, today):
    if person.pk in already:
        return ALREADY
    if person.has_left(today):
        return LEFT
    if person.role_profile is None:
        return NO_PROFILE
    if person.role_profile.published_version_id is None:
        return NOT_IN_FORCE
    if person.line_manager_id is None:
        return NO_MANAGER
    if cycle.kind == Cycle.Kind.PROBATION and (
        person.probation_end_date is None or person.probation_end_date < today
    ):
        return NOT_ON_PROBATION
    return None


def _create(cycle, people, by, requirements):
    """One batch: appraisals, their requirements, their first event and the
    objectives carried over, each written in one go.

    The appraisal's creation is recorded (its history record and its first
    event, by whom); its requirements are not history of their own: they
    are the frozen version's, copied as the appraisal's starting point,
    and their records begin with the first rating."""
    appraisals = bulk_create(
        Appraisal,
        [
            Appraisal(
                cycle=cycle,
                person=person,
                manager_id=person.line_manager_id,
                profile_version_id=person.role_profile.published_version_id,
            )
            for person in people
        ],
    )
    requirements.copy_into(appraisals)
    AppraisalEvent.objects.bulk_create(
        AppraisalEvent(
            appraisal=appraisal,
            action=AppraisalEvent.Action.CREATED,
            to_stage=Stage.DRAFT,
            by=by,
        )
        for appraisal in appraisals
    )
    _carry_objectives(appraisals)
    return appraisals


def _carry_objectives(appraisals):
    """Copy each person's unfinished objectives not carried yet into their
    new appraisal, keeping a link to where each came from."""
    by_person = {appraisal.person_id: appraisal for appraisal in appraisals}
    unfinished = (
        Objective.objects.filter(
            appraisal__person__in=list(by_person),
            status__in=Objective.UNFINISHED,
            carried_into__isnull=True,
        )
        .exclude(appraisal__in=[appraisal.pk for appraisal in appraisals])
        .select_related("appraisal")
        .order_by("appraisal__person", "appraisal__created_at", "position", "pk")
    )
    copies = []
    for position, objective in enumerate(unfinished):
        copies.append(
            Objective(
                appraisal=by_person[objective.appraisal.person_id],
                title=objective.title,
                measure=objective.measure,
                due_on=objective.due_on,
                status=objective.status,
                progress_notes=objective.progress_notes,
                carried_from=objective,
                position=position,
            )
        )
    bulk_create(Objective, copies)


@transaction.atomic
def close_cycle(*, cycle) -> Cycle:
    """Close an open cycle: nothing more is added to it. Its appraisals go
    on through their stages until signed off."""
    cycle = lock(cycle)
    if cycle.status != Cycle.Status.OPEN:
        raise CycleError(
            f"Only an open cycle can be closed; {cycle} is {cycle.get_status_display().lower()}."
        )
    cycle.status = Cycle.Status.CLOSED
    cycle.save(update_fields=["status"])
    return cycle
