"""Where people's appraisals stand, and what is overdue: read once here for
the home pages, in a fixed number of queries whatever the size of a team.

- A person's current appraisal is their latest one (by the cycle's opening
  date) that is not in a draft cycle.
- An appraisal is overdue when it is not signed off and its cycle closed
  before today; an objective or plan action when it is unfinished and its
  due date passed.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import Q
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

UNFINISHED_ACTIONS = [DevelopmentAction.Status.PLANNED, DevelopmentAction.Status.IN_PROGRESS]
CHECKPOINTS_AHEAD_DAYS = 31


def current_appraisals(person_ids):
    """{person id: their current appraisal}, in one query."""
    rows = (
        Appraisal.objects.filter(person__in=person_ids)
        .exclude(cycle__status=Cycle.Status.DRAFT)
        .select_related("cycle", "person", "manager", "profile_version__profile")
        .order_by("person_id", "-cycle__opens_on", "-pk")
    )
    current = {}
    for appraisal in rows:
        current.setdefault(appraisal.person_id, appraisal)
    return current


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


@dataclass
class TeamMember:
    person: Person
    appraisal: Appraisal = None
    appraisal_overdue: bool = False
    checkpoints_due: list = field(default_factory=list)
    checkpoints_overdue: list = field(default_factory=list)
    overdue_objectives: int = 0
    overdue_actions: int = 0

    @property
    def has_overdue_work(self):
        return bool(
            self.appraisal_overdue
            or self.checkpoints_overdue
            or self.overdue_objectives
            or self.overdue_actions
        )


def team_overview(manager):
    """Everyone in the manager's reporting line who has not left, with their
    current appraisal, probation checkpoints due within a month or overdue,
    and how many of their objectives and plan actions are overdue. Six
    queries, whatever the team's size."""
    today = timezone.localdate()
    people = list(
        Person.objects.reporting_line(manager)
        .current()
        .select_related("line_manager", "role_profile")
        .order_by("name", "pk")
    )
    ids = [person.pk for person in people]
    members = {person.pk: TeamMember(person) for person in people}
    if not ids:
        return []
    for person_id, appraisal in current_appraisals(ids).items():
        members[person_id].appraisal = appraisal
        members[person_id].appraisal_overdue = is_overdue(appraisal, today)
    checkpoints = (
        ProbationCheckpoint.objects.filter(person__in=ids)
        .pending()
        .filter(due_on__lte=today + timedelta(days=CHECKPOINTS_AHEAD_DAYS))
    )
    for checkpoint in checkpoints:
        member = members[checkpoint.person_id]
        overdue = checkpoint.due_on < today
        (member.checkpoints_overdue if overdue else member.checkpoints_due).append(checkpoint)
    counts = defaultdict(int)
    for person_id in (
        overdue_objectives()
        .filter(appraisal__person__in=ids)
        .values_list("appraisal__person_id", flat=True)
    ):
        counts[person_id] += 1
    for person_id, n in counts.items():
        members[person_id].overdue_objectives = n
    counts = defaultdict(int)
    for person_id in (
        overdue_actions()
        .filter(appraisal__person__in=ids)
        .values_list("appraisal__person_id", flat=True)
    ):
        counts[person_id] += 1
    for person_id, n in counts.items():
        members[person_id].overdue_actions = n
    return list(members.values())


def own_objectives(person):
    """The person's objectives of their current and earlier appraisals that
    are not finished, soonest due first (carried copies replace the one
    they came from)."""
    return (
        Objective.objects.filter(appraisal__person=person, status__in=Objective.UNFINISHED)
        .filter(Q(carried_into__isnull=True))
        # The manager's proposal is theirs until the review is shared.
        .exclude(appraisal__stage__in=PROPOSAL_STAGES)
        .select_related("appraisal__cycle")
        .order_by("due_on", "pk")
        .distinct()
    )
