"""What waits for whom: the one rule behind every home page's "Waiting for
you" list, the API's /api/v1/me/tasks/ and the count in the page header
(and, later, the reminder mails).

For the signed-in user, across every cycle that is not a draft, soonest due
first (those with no due date last):

- as the person appraised: the self-assessment to do, the shared review to
  answer (while any of its items is unanswered), their signature;
- as an appraisal's manager: opening it for self-assessment, the review to
  write and share, disagreements to settle (reply, or change what is
  disagreed with), their signature;
- as a line manager: probation checkpoints of their direct reports due
  within a month (progress.CHECKPOINTS_AHEAD_DAYS) or overdue;
- both sides of the latest check-in between a person and their current line
  manager, when it agreed actions: until the next check-in is held;
- for HR: open appraisals whose manager has left (to reassign), and overdue
  appraisals, one item per cycle and manager.

Who may act is workflow.py's and access.py's rule (the person, the
appraisal's manager, the line manager or HR), and every appraisal item is
also one the user may read (`visible_to`), so no link leads to a 404. Each
rule is a filter written once: the list reads the rows it matches (a fixed
number of queries: one per kind of row, whatever their number), and
`count_expression` counts them in one SQL expression for the header.
"""

import enum
from dataclasses import dataclass
from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Cast, Concat
from django.urls import reverse
from django.utils import timezone

from appraisals.models import (
    Appraisal,
    CheckIn,
    Cycle,
    Person,
    ProbationCheckpoint,
    ReviewItem,
    Stage,
)
from appraisals.progress import CHECKPOINTS_AHEAD_DAYS
from competency.prepared import Prepared
from competency.roles import is_hr


class Kind(enum.StrEnum):
    """The kinds of item, in the order they are listed on the same day."""

    OPEN = "open_for_self_assessment"
    SELF_ASSESSMENT = "self_assessment"
    WRITE_REVIEW = "write_review"
    ANSWER_REVIEW = "answer_review"
    SETTLE = "settle_disagreements"
    SIGN = "sign"
    CHECKPOINT = "probation_checkpoint"
    CHECK_IN_ACTIONS = "check_in_actions"
    REASSIGN = "reassign"
    OVERDUE_BY_MANAGER = "overdue_by_manager"


KIND_ORDER = {kind: position for position, kind in enumerate(Kind)}


@dataclass(frozen=True)
class Task:
    """One thing waiting for someone: plain data, for a page, the API or a
    mail. `url` is a path (with the anchor of the place to act)."""

    kind: Kind
    label: str
    url: str
    due_on: date | None
    overdue: bool
    appraisal_id: int | None = None
    person_id: int | None = None
    person_name: str = ""
    person_employee_id: str = ""
    cycle_name: str = ""
    count: int = 1  # how many appraisals an HR item stands for

    @property
    def sort_key(self):
        return (self.due_on is None, self.due_on or date.max, KIND_ORDER[self.kind], self.label)


# --- the rules -----------------------------------------------------------------------


@dataclass(frozen=True)
class AppraisalRule:
    """An appraisal waits for `side` ("person" or "manager") when `when`
    matches it."""

    kind: Kind
    side: str
    when: Q
    anchor: str


def _unanswered():
    return ReviewItem.objects.filter(appraisal=OuterRef("pk"), answer=ReviewItem.Answer.WAITING)


def _disagreed():
    return ReviewItem.objects.filter(appraisal=OuterRef("pk")).disagreed()


# The workflow's stages (workflow.MOVES, waiting_for), as who must act next.
APPRAISAL_RULES = [
    AppraisalRule(Kind.OPEN, "manager", Q(stage=Stage.DRAFT), "actions"),
    AppraisalRule(Kind.SELF_ASSESSMENT, "person", Q(stage=Stage.SELF_ASSESSMENT), "ratings"),
    AppraisalRule(Kind.WRITE_REVIEW, "manager", Q(stage=Stage.MANAGER_REVIEW), "ratings"),
    # Answered items the manager changes are cleared: they come back here.
    AppraisalRule(
        Kind.ANSWER_REVIEW,
        "person",
        Q(stage=Stage.REVIEW_SHARED) & Q(Exists(_unanswered())),
        "answers",
    ),
    AppraisalRule(
        Kind.SETTLE, "manager", Q(stage=Stage.REVIEW_SHARED) & Q(Exists(_disagreed())), "answers"
    ),
    AppraisalRule(
        Kind.SIGN, "person", Q(stage=Stage.AGREED, person_signed_at__isnull=True), "actions"
    ),
    AppraisalRule(
        Kind.SIGN, "manager", Q(stage=Stage.AGREED, manager_signed_at__isnull=True), "actions"
    ),
]


def _side(rule, user):
    # access.is_the_person / can_act_as_manager, as a filter of appraisals
    # the user may read (Appraisal.visible_to).
    return Appraisal.objects.on_side(user, rule.side)


def _sides(user):
    """Appraisals the user is in, on either side, that they may read: every
    rule's narrowing, found by index from the user's own rows."""
    return Appraisal.objects.on_side(user, "person") | Appraisal.objects.on_side(user, "manager")


def _live_appraisals(user):
    """Open appraisals of cycles that are not drafts, that the user is in."""
    return Appraisal.objects.open().exclude(cycle__status=Cycle.Status.DRAFT).filter(_sides(user))


def _checkpoints(user, today):
    """Probation checkpoints the user completes as line manager (probation.
    may_act; HR may too, but the whole organisation's would drown the rest)."""
    return (
        ProbationCheckpoint.objects.pending()
        .filter(person__line_manager__account=user, person__in=Person.objects.current(today))
        .filter(due_on__lte=today + timedelta(days=CHECKPOINTS_AHEAD_DAYS))
    )


def _check_ins(user, today):
    """The latest check-in of each current person, with agreed actions, held
    by their current line manager: for the person and that manager, until
    the next one. (CheckIn.visible_to: both read it.)"""
    later = CheckIn.objects.filter(person=OuterRef("person")).filter(
        Q(held_on__gt=OuterRef("held_on")) | Q(held_on=OuterRef("held_on"), pk__gt=OuterRef("pk"))
    )
    return (
        CheckIn.objects.exclude(agreed_actions="")
        .filter(person__in=Person.objects.current(today), manager=F("person__line_manager"))
        .filter(Q(person__account=user) | Q(manager__account=user))
        .filter(~Exists(later))
    )


def _leavers_appraisals(today):
    """HR's: open appraisals whose manager has left, to reassign."""
    return Appraisal.objects.managed_by_leavers(today).exclude(cycle__status=Cycle.Status.DRAFT)


def _overdue_for_hr(today):
    """HR's: overdue appraisals whose manager has not left (those are the
    leavers' item), grouped by cycle and manager."""
    return (
        Appraisal.objects.overdue(today)
        .exclude(cycle__status=Cycle.Status.DRAFT)
        .exclude(manager__in=Person.objects.left(today).values("pk"))
    )


# --- the count -------------------------------------------------------------------------


def _count(rows):
    # COUNT as a plain function, not an aggregate: no GROUP BY, so the
    # subquery always gives one row (0 when nothing matches).
    return Subquery(
        rows.order_by().values(n=Func(F("pk"), function="COUNT", output_field=IntegerField()))
    )


def _count_groups(rows):
    """How many (cycle, manager) pairs `rows` has, in one scan (an anti-join
    to find each pair's first row read every overdue appraisal twice)."""
    pair = Concat(
        Cast("cycle_id", CharField()),
        Value(":"),
        Cast("manager_id", CharField()),
        output_field=CharField(),
    )
    counted = Func(pair, template="COUNT(DISTINCT %(expressions)s)", output_field=IntegerField())
    return Subquery(rows.order_by().values(n=counted))


def count_expression(user, today=None):
    """An SQL expression counting what `waiting_for(user)` lists: put it in
    any one-row query (the layout adds it to the one that reads the
    signed-in person's name)."""
    today = today or timezone.localdate()
    # One scan of the user's appraisals (and one walk of their reporting
    # line, for visible_to) adds up every rule that matches each row.
    matches = [
        Case(When(rule.when & _side(rule, user), then=1), default=0) for rule in APPRAISAL_RULES
    ]
    summed = Func(
        sum(matches[1:], matches[0]),
        template="COALESCE(SUM(%(expressions)s), 0)",
        output_field=IntegerField(),
    )
    # The sum is 0 for a row no rule matches: the rows need not be filtered
    # by the rules as well (which doubled the SQL to build), only narrowed
    # to the user's own sides.
    rows = _live_appraisals(user)
    parts = [Subquery(rows.order_by().values(n=summed))]
    parts += [_count(_checkpoints(user, today)), _count(_check_ins(user, today))]
    if is_hr(user):
        parts += [_count(_leavers_appraisals(today)), _count_groups(_overdue_for_hr(today))]
    total = parts[0]
    for part in parts[1:]:
        total = total + part
    return ExpressionWrapper(total, output_field=IntegerField())


def _count_query(user, today):
    return (
        get_user_model()
        .objects.filter(pk=user.pk)
        .values_list(count_expression(user, today), flat=True)
    )


# Built once per process (competency.prepared): building the rules' SQL,
# not running it, was the cost of the header on every page.
_counted = Prepared(_count_query)


def count_for(user, today=None):
    """How many items wait for the user, in one query."""
    if not user.is_authenticated:
        return 0
    return _counted.rows(user, today or timezone.localdate())[0]


# --- one appraisal's steps, for reminders and exports --------------------------------


@dataclass(frozen=True)
class Step:
    """A step an appraisal waits for: whose ("person" or "manager"), and
    what, in the words the waiting list uses."""

    side: str
    kind: Kind
    label: str


def with_steps(appraisals):
    """`appraisals` (with their person and manager) annotated so that
    steps() can say what each waits for, by the same rules as the waiting
    list, whoever reads them (the reminders, HR's export)."""
    flags = {
        f"waits_{n}": ExpressionWrapper(rule.when, output_field=BooleanField())
        for n, rule in enumerate(APPRAISAL_RULES)
    }
    return appraisals.annotate(**flags, disagreed_items=_count(_disagreed()))


def steps(appraisal):
    """What an appraisal read through with_steps() waits for: [Step], the
    person's and the manager's, in the rules' order (a shared review can
    wait for both: answers still to give, disagreements to settle)."""
    return [
        Step(
            rule.side,
            rule.kind,
            _label(rule, appraisal.person.name, appraisal.manager.name, appraisal.disagreed_items),
        )
        for n, rule in enumerate(APPRAISAL_RULES)
        if getattr(appraisal, f"waits_{n}")
    ]


def whom(appraisal):
    """Whom an appraisal read through with_steps() waits for, by name: "Sam",
    "Sam and Mo", or "" when nobody."""
    return " and ".join(
        dict.fromkeys(
            appraisal.person.name if step.side == "person" else appraisal.manager.name
            for step in steps(appraisal)
        )
    )


# --- the list ----------------------------------------------------------------------------


def waiting_for(user, today=None):
    """Everything waiting for the user, soonest due first: a list of Task.
    At most five queries (two more for HR), whatever the numbers."""
    if not user.is_authenticated:
        return []
    today = today or timezone.localdate()
    tasks = [
        *_appraisal_tasks(user, today),
        *_checkpoint_tasks(user, today),
        *_check_in_tasks(user, today),
    ]
    if is_hr(user):
        tasks += [*_reassign_tasks(today), *_overdue_tasks(today)]
    return sorted(tasks, key=lambda task: task.sort_key)


APPRAISAL_FIELDS = [
    "pk",
    "stage",
    "person_id",
    "person__name",
    "person__employee_id",
    "manager__name",
    "cycle__name",
    "cycle__closes_on",
]


def _appraisal_rows(user):
    flags = {
        f"rule_{n}": ExpressionWrapper(rule.when & _side(rule, user), output_field=BooleanField())
        for n, rule in enumerate(APPRAISAL_RULES)
    }
    # Narrowed to the user's sides only, not by the rules as well (which
    # doubled the SQL to build): a row no rule matches yields no task.
    return (
        _live_appraisals(user)
        .annotate(**flags, disagreed=_count(_disagreed()))
        .values(*APPRAISAL_FIELDS, *flags, "disagreed")
    )


# The list's queries, built once per process as the count's are.
_appraisal_rows_of = Prepared(_appraisal_rows)


def _appraisal_tasks(user, today):
    for row in _appraisal_rows_of.rows(user):
        for n, rule in enumerate(APPRAISAL_RULES):
            if row[f"rule_{n}"]:
                yield _appraisal_task(rule, row, today)


def _appraisal_label(rule, row):
    return _label(rule, row["person__name"], row["manager__name"], row["disagreed"])


def _label(rule, person, manager, disagreed):
    """The step in words, addressed to whoever takes it."""
    mine = rule.side == "person"
    return {
        Kind.OPEN: f"Open {person}’s appraisal for self-assessment",
        Kind.SELF_ASSESSMENT: "Rate yourself and submit your self-assessment",
        Kind.WRITE_REVIEW: f"Write and share {person}’s review",
        Kind.ANSWER_REVIEW: f"Answer {manager}’s review: agree, or disagree with a comment",
        Kind.SETTLE: (
            f"Settle {disagreed} disagreement{'s' if disagreed != 1 else ''} with {person}: "
            "reply, or change what they disagree with"
        ),
        Kind.SIGN: "Sign your appraisal" if mine else f"Sign {person}’s appraisal",
    }[rule.kind]


def _appraisal_task(rule, row, today):
    due = row["cycle__closes_on"]
    return Task(
        kind=rule.kind,
        label=_appraisal_label(rule, row),
        url=reverse("appraisals:detail", args=[row["pk"]]) + f"#{rule.anchor}",
        due_on=due,
        overdue=due < today,
        appraisal_id=row["pk"],
        person_id=row["person_id"],
        person_name=row["person__name"],
        person_employee_id=row["person__employee_id"],
        cycle_name=row["cycle__name"],
    )


_checkpoint_rows = Prepared(
    lambda user, today: _checkpoints(user, today).values(
        "pk", "months", "due_on", "person_id", "person__name", "person__employee_id"
    )
)


def _checkpoint_tasks(user, today):
    for row in _checkpoint_rows.rows(user, today):
        yield Task(
            kind=Kind.CHECKPOINT,
            label=f"Hold {row['person__name']}’s {row['months']}-month probation checkpoint",
            url=reverse("appraisals:probation", args=[row["person_id"]])
            + f"#checkpoint-{row['pk']}",
            due_on=row["due_on"],
            overdue=row["due_on"] < today,
            person_id=row["person_id"],
            person_name=row["person__name"],
            person_employee_id=row["person__employee_id"],
        )


_check_in_rows = Prepared(
    lambda user, today: _check_ins(user, today).values(
        "pk",
        "held_on",
        "person_id",
        "person__name",
        "person__employee_id",
        "person__account_id",
        "manager__name",
    )
)


def _check_in_tasks(user, today):
    for row in _check_in_rows.rows(user, today):
        mine = row["person__account_id"] == user.pk
        other = row["manager__name"] if mine else row["person__name"]
        yield Task(
            kind=Kind.CHECK_IN_ACTIONS,
            label=f"Follow up the actions agreed with {other} at your check-in on "
            f"{row['held_on'].day} {row['held_on']:%B %Y}",
            url=reverse("appraisals:check_ins", args=[row["person_id"]]) + f"#check-in-{row['pk']}",
            due_on=None,
            overdue=False,
            person_id=row["person_id"],
            person_name=row["person__name"],
            person_employee_id=row["person__employee_id"],
        )


_reassign_rows = Prepared(
    lambda today: _leavers_appraisals(today).values(*APPRAISAL_FIELDS, "cycle_id")
)


def _reassign_tasks(today):
    for row in _reassign_rows.rows(today):
        due = row["cycle__closes_on"]
        yield Task(
            kind=Kind.REASSIGN,
            label=f"Reassign {row['person__name']}’s appraisal: "
            f"{row['manager__name']}, their manager, has left",
            url=reverse("appraisals:reassign", args=[row["cycle_id"], row["pk"]]),
            due_on=due,
            overdue=due < today,
            appraisal_id=row["pk"],
            person_id=row["person_id"],
            person_name=row["person__name"],
            person_employee_id=row["person__employee_id"],
            cycle_name=row["cycle__name"],
        )


_overdue_groups = Prepared(
    lambda today: (
        _overdue_for_hr(today)
        .order_by()
        .values(
            "cycle_id",
            "cycle__name",
            "cycle__closes_on",
            "manager_id",
            "manager__name",
            "manager__employee_id",
        )
        .annotate(n=Count("pk"))
    )
)


def _overdue_tasks(today):
    for group in _overdue_groups.rows(today):
        n = group["n"]
        # The cycle's page, its list narrowed to the manager's team, overdue.
        where = f"?team={group['manager__employee_id']}&overdue=on#appraisals-caption"
        yield Task(
            kind=Kind.OVERDUE_BY_MANAGER,
            label=f"{n} overdue appraisal{'s' if n != 1 else ''} managed by "
            f"{group['manager__name']}",
            url=reverse("appraisals:cycle", args=[group["cycle_id"]]) + where,
            due_on=group["cycle__closes_on"],
            overdue=True,
            person_id=group["manager_id"],
            person_name=group["manager__name"],
            person_employee_id=group["manager__employee_id"],
            cycle_name=group["cycle__name"],
            count=n,
        )
