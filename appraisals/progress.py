"""Where people's appraisals stand, and what is overdue: read here for the
home pages, in a fixed number of queries whatever the size of a team or the
number of cycles, reading only the columns the pages show.

- A person's open appraisals are those not signed off, in every cycle
  (cycles may overlap: a mid-year check while the annual review is still
  open), soonest due first: the cycle's closing date is its due date.
- An appraisal is overdue when it is not signed off and its cycle closed
  before today; an objective or plan action when it is unfinished and its
  due date passed; a probation checkpoint when not done by its date.
- A manager's team page shows their direct reports, then the rest of their
  reporting line a page at a time (TeamFilter in filters.py filters both).
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from appraisals.access import PROPOSAL_STAGES
from appraisals.models import (
    Appraisal,
    Cycle,
    DevelopmentAction,
    Objective,
    Person,
    ProbationCheckpoint,
    Stage,
)
from competency.prepared import Prepared

UNFINISHED_ACTIONS = [DevelopmentAction.Status.PLANNED, DevelopmentAction.Status.IN_PROGRESS]
CHECKPOINTS_AHEAD_DAYS = 31
# What a row of appraisals on the home and team pages reads: no documents.
SHOWN_FIELDS = [
    "pk",
    "person_id",
    "manager_id",
    "stage",
    "person_signed_at",
    "manager_signed_at",
    "cycle__name",
    "cycle__opens_on",
    "cycle__closes_on",
]


def open_appraisals(person_ids):
    """{person id: their open appraisals, soonest due first}, in one query."""
    rows = (
        Appraisal.objects.open()
        .filter(person__in=person_ids)
        .exclude(cycle__status=Cycle.Status.DRAFT)
        .select_related("cycle")
        .only(*SHOWN_FIELDS)
        .order_by("cycle__closes_on", "cycle__opens_on", "pk")
    )
    found = defaultdict(list)
    for appraisal in rows:
        found[appraisal.person_id].append(appraisal)
    return found


def _open_own(person_id):
    return (
        Appraisal.objects.open()
        .filter(person=person_id)
        .exclude(cycle__status=Cycle.Status.DRAFT)
        .select_related("cycle", "manager")
        .only(*SHOWN_FIELDS, "manager__name")
        .order_by("cycle__closes_on", "cycle__opens_on", "pk")
    )


def _last_signed_off(person_id):
    # first()'s query.
    return (
        Appraisal.objects.filter(person=person_id, stage=Stage.SIGNED_OFF)
        .select_related("cycle")
        .only(*SHOWN_FIELDS)
        .order_by("-cycle__opens_on", "-pk")[:1]
    )


def _own_objectives(person_id):
    return (
        Objective.objects.filter(appraisal__person=person_id, status__in=Objective.UNFINISHED)
        .filter(Q(carried_into__isnull=True))
        # The manager's proposal is theirs until the review is shared.
        .exclude(appraisal__stage__in=PROPOSAL_STAGES)
        .select_related("appraisal__cycle")
        .order_by("due_on", "pk")
        .distinct()
    )


# The home's queries, built once per process (competency.prepared): their
# SQL, not running it, was most of their cost.
_open_own_rows = Prepared(_open_own)
_last_signed_off_rows = Prepared(_last_signed_off)
_own_objective_rows = Prepared(_own_objectives)


def own_appraisals(person):
    """The person's open appraisals, soonest due first, each with whom it
    waits for; and their latest signed-off one (None if none): what their
    home shows. Two queries."""
    rows = _open_own_rows.rows(person.pk)
    for appraisal in rows:
        appraisal.person = person
    last = next(iter(_last_signed_off_rows.rows(person.pk)), None)
    return rows, last


def is_overdue(appraisal, today=None):
    today = today or timezone.localdate()
    return appraisal.stage != Stage.SIGNED_OFF and appraisal.cycle.closes_on < today


def overdue_objectives():
    return Objective.objects.filter(
        status__in=Objective.UNFINISHED, due_on__lt=timezone.localdate()
    )


def overdue_actions():
    return DevelopmentAction.objects.filter(
        status__in=UNFINISHED_ACTIONS, due_on__lt=timezone.localdate()
    )


def has_overdue_work(today=None):
    """A filter of a Person queryset: an overdue appraisal, objective, plan
    action or probation checkpoint (what the team page's "Overdue work"
    column counts)."""
    today = today or timezone.localdate()
    person = OuterRef("pk")
    return (
        Exists(Appraisal.objects.overdue(today).filter(person=person))
        | Exists(overdue_objectives().filter(appraisal__person=person))
        | Exists(overdue_actions().filter(appraisal__person=person))
        | Exists(ProbationCheckpoint.objects.pending().filter(person=person, due_on__lt=today))
    )


@dataclass
class TeamMember:
    person: Person
    appraisals: list = field(default_factory=list)  # open ones, soonest due first
    overdue_appraisals: int = 0
    checkpoints_due: list = field(default_factory=list)
    checkpoints_overdue: list = field(default_factory=list)
    overdue_objectives: int = 0
    overdue_actions: int = 0

    @property
    def has_overdue_work(self):
        return bool(
            self.overdue_appraisals
            or self.checkpoints_overdue
            or self.overdue_objectives
            or self.overdue_actions
        )


def team_members(people, today=None):
    """The team page's rows for `people` (one page of them: Person rows
    with their line manager's name): their open appraisals, probation
    checkpoints due within a month or overdue, and how many objectives and
    plan actions are overdue. Four queries, whatever the number of people,
    cycles or rows behind them."""
    today = today or timezone.localdate()
    members = {person.pk: TeamMember(person) for person in people}
    ids = list(members)
    if not ids:
        return []
    for person_id, appraisals in open_appraisals(ids).items():
        member = members[person_id]
        member.appraisals = appraisals
        for appraisal in appraisals:
            appraisal.overdue = is_overdue(appraisal, today)
        member.overdue_appraisals = sum(appraisal.overdue for appraisal in appraisals)
    checkpoints = (
        ProbationCheckpoint.objects.filter(person__in=ids)
        .pending()
        .filter(due_on__lte=today + timedelta(days=CHECKPOINTS_AHEAD_DAYS))
        .only("pk", "person_id", "months", "due_on")
        .order_by("due_on", "pk")
    )
    for checkpoint in checkpoints:
        member = members[checkpoint.person_id]
        overdue = checkpoint.due_on < today
        (member.checkpoints_overdue if overdue else member.checkpoints_due).append(checkpoint)
    for rows, name in (
        (overdue_objectives(), "overdue_objectives"),
        (overdue_actions(), "overdue_actions"),
    ):
        counts = (
            rows.filter(appraisal__person__in=ids)
            .order_by()
            .values_list("appraisal__person_id")
            .annotate(n=Count("pk"))
        )
        for person_id, n in counts:
            setattr(members[person_id], name, n)
    return list(members.values())


def team_people(manager, direct=False):
    """Everyone in the manager's reporting line who has not left (or only
    their direct reports), reading only what the team page shows of them,
    by name."""
    people = (
        Person.objects.filter(line_manager=manager)
        if direct
        else Person.objects.reporting_line(manager)
    )
    return (
        people.current()
        .select_related("line_manager")
        .only("pk", "name", "job_title", "line_manager_id", "line_manager__name")
        .order_by("name", "pk")
    )


def own_objectives(person):
    """The person's objectives of their current and earlier appraisals that
    are not finished, soonest due first (carried copies replace the one
    they came from): a list."""
    return _own_objective_rows.rows(person.pk)
