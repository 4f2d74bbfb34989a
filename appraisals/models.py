"""People and appraisals: the tables, their constraints and their access rules.

- Person: a member of staff, their line manager (another Person), their role
  profile and their sign-in account. `Person.objects.reporting_line(manager)`
  is everyone below a manager, direct and indirect, in one recursive query.
- Cycle: an appraisal round (annual, mid-year, probation review).
- Appraisal: one person in one cycle against one frozen ProfileVersion; its
  Requirements are copied from that version when it is created and carry
  the ratings; AppraisalEvent is the workflow's record of every move.
- Objective, DevelopmentAction, CheckIn, ProbationCheckpoint and
  ProbationDecision: the rest of a manager's work with their reports.

Who may read what is written here once, as `visible_to(user)` queryset
methods; who may do what is in appraisals/access.py. Changes go through the
services (people.py, cycles.py, workflow.py, plans.py, probation.py), never
by saving these models directly: those lock, check and record.
"""

from datetime import timedelta
from functools import cache

from django.conf import settings
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.expressions import Expression, RawSQL
from django.db.models.functions import Lower
from django.utils import timezone
from simple_history.models import HistoricalRecords

from competency.changes import ChangeTracked, TouchingQuerySet
from competency.models import (
    DevelopmentActivity,
    KnowledgeItem,
    Skill,
    Training,
    WorkActivity,
)
from competency.roles import is_hr
from profiles.models import ProfileVersion, RoleProfile

# --- people -------------------------------------------------------------------

# The reporting line as SQL that PostgreSQL and SQLite both read: the people a
# seed query selects, then everyone whose line manager is among them, and so
# on down. UNION (not UNION ALL) drops rows already seen, so even a loop that
# got into the table some other way ends the walk instead of running for ever.
_WALK = "WITH RECURSIVE line(id) AS ({seed} UNION {step}) SELECT id FROM line"
_STEP = "SELECT p.id FROM appraisals_person p JOIN line l ON p.line_manager_id = l.id"
# PostgreSQL guesses a recursive walk's size (a fifth of the table) rather
# than knowing it, so it planned each step as a scan of every person and the
# outer query as a scan of every appraisal: 10 ms for a manager of fifty at
# 10,000 people. Here each step looks up the reports of each person found,
# by index (OFFSET 0 keeps the lateral subquery from being flattened back
# into that scan), and the outer query reads the walk's ids as one array
# (`= ANY(ARRAY(...))`, computed once), so it looks each up by index too.
_STEP_POSTGRESQL = (
    "SELECT r.id FROM line l CROSS JOIN LATERAL"
    " (SELECT p.id FROM appraisals_person p WHERE p.line_manager_id = l.id OFFSET 0) r"
)
# Seeded by one person's id, or (managers_above_any) by a list of them.
_ABOVE_OF = (
    "WITH RECURSIVE above(id) AS ("
    " SELECT line_manager_id FROM appraisals_person WHERE id IN ({seed})"
    " AND line_manager_id IS NOT NULL"
    " UNION"
    " SELECT p.line_manager_id FROM appraisals_person p JOIN above a ON p.id = a.id"
    " WHERE p.line_manager_id IS NOT NULL"
    ") SELECT id FROM above"
)
_ABOVE = _ABOVE_OF.format(seed="%s")


class InLine(Expression):
    """A filter: `column` holds the id of someone in a reporting line. Use
    the constructors: below(column, person_id), below_account(column,
    user_id) and own_line(column, user_id). For columns that are never NULL
    (ids): under exclude() a NULL would drop out, where `__in` keeps it."""

    conditional = True
    output_field = models.BooleanField()

    def __init__(self, column, seed, params):
        super().__init__()
        self.column, self.seed, self.params = F(column), seed, tuple(params)

    @classmethod
    def below(cls, column, person_id):
        """Everyone below the person, direct and indirect."""
        return cls(
            column, "SELECT id FROM appraisals_person WHERE line_manager_id = %s", [person_id]
        )

    @classmethod
    def below_account(cls, column, user_id):
        """Everyone below the person whose sign-in account this is."""
        seed = (
            "SELECT id FROM appraisals_person WHERE line_manager_id IN"
            " (SELECT id FROM appraisals_person WHERE account_id = %s)"
        )
        return cls(column, seed, [user_id])

    @classmethod
    def own_line(cls, column, user_id):
        """The person whose account this is, and everyone below them."""
        return cls(column, "SELECT id FROM appraisals_person WHERE account_id = %s", [user_id])

    def get_source_expressions(self):
        return [self.column]

    def set_source_expressions(self, expressions):
        (self.column,) = expressions

    def as_sql(self, compiler, connection):
        column, params = compiler.compile(self.column)
        walk = _WALK.format(seed=self.seed, step=_STEP)
        return f"{column} IN ({walk})", (*params, *self.params)

    def as_postgresql(self, compiler, connection):
        column, params = compiler.compile(self.column)
        walk = _WALK.format(seed=self.seed, step=_STEP_POSTGRESQL)
        return f"{column} = ANY(ARRAY({walk}))", (*params, *self.params)


class ReportsTo(Expression):
    """A filter: the person in `column` reports, directly or through others,
    to the person whose sign-in account is `user_id`. The same rows as
    InLine.below_account, checked from each row up rather than by walking
    the whole line down: for the few rows a query has already narrowed to
    (a user's own appraisals), where a head's line holds thousands."""

    conditional = True
    output_field = models.BooleanField()

    def __init__(self, column, user_id):
        super().__init__()
        self.column, self.user_id = F(column), user_id

    def get_source_expressions(self):
        return [self.column]

    def set_source_expressions(self, expressions):
        (self.column,) = expressions

    def as_sql(self, compiler, connection):
        # managers_above's walk, seeded by the row's column: as long as the
        # line is deep (a handful of steps), where the walk down from a head
        # of department visits thousands of people.
        column, params = compiler.compile(self.column)
        above = _ABOVE_OF.format(seed=column)
        sql = (
            "EXISTS (SELECT 1 FROM appraisals_person m"
            f" WHERE m.account_id = %s AND m.id IN ({above}))"
        )
        return sql, (self.user_id, *params)


def left_by(on=None):
    """The rule for who has left, as a filter: a leaving date on or before
    `on` (default today). The leaving date is the first day a person is
    gone: from it, the people lists count them as left and their account
    can no longer be used (appraisals/accounts.py). Person.has_left()
    says the same of one person already read."""
    return Q(leaving_date__lte=on or timezone.localdate())


class PersonQuerySet(TouchingQuerySet):
    def reporting_line(self, manager):
        """Everyone who reports to `manager`, directly or through others."""
        return self.filter(InLine.below("pk", manager.pk))

    def managers_above(self, person):
        """The person's line manager, theirs, and so on up to the top."""
        return self.filter(pk__in=RawSQL(_ABOVE, [person.pk]))

    def managers_above_any(self, ids):
        """managers_above() of any of these people (ids), in one query."""
        ids = list(ids)
        if not ids:
            return self.none()
        seed = ", ".join(["%s"] * len(ids))
        return self.filter(pk__in=RawSQL(_ABOVE_OF.format(seed=seed), ids))

    def due_for_anonymising(self, cutoff):
        """Leavers who left on or before `cutoff` (privacy.retention_cutoff)
        and are not anonymised yet."""
        return self.filter(leaving_date__lte=cutoff, anonymised_at__isnull=True)

    def current(self, on=None):
        """People who have not left (by `on`, default today)."""
        return self.exclude(left_by(on))

    def left(self, on=None):
        """People who have left (by `on`, default today)."""
        return self.filter(left_by(on))

    def on_probation(self, on=None):
        """People whose probation ends on or after `on` (default today): the
        rule cycles.py applies when it opens a probation review."""
        return self.filter(probation_end_date__gte=on or timezone.localdate())

    def matching(self, text):
        """The people list's search: name or job title containing the words
        as typed, or exactly this employee id. Pages and the API search here."""
        words = " ".join(text.split())
        if not words:
            return self
        return self.filter(
            Q(name__icontains=words) | Q(employee_id__iexact=words) | Q(job_title__icontains=words)
        )

    def visible_to(self, user):
        """HR see everyone; a person sees themself and their reporting line."""
        if is_hr(user):
            return self
        if not user.is_authenticated:
            return self.none()
        return self.filter(InLine.own_line("pk", user.pk))


class Person(ChangeTracked):
    """A member of staff. "Line manager" is a relation: whoever has reports
    manages them. Change `line_manager` only through people.set_manager(),
    which refuses loops under a lock."""

    employee_id = models.CharField(max_length=50, unique=True)
    name = models.CharField(max_length=200)
    email = models.EmailField(blank=True)
    job_title = models.CharField(max_length=200, blank=True)
    # Indexed with the id (Meta.indexes, person_reports), not alone.
    line_manager = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reports",
        db_index=False,
    )
    role_profile = models.ForeignKey(
        RoleProfile, null=True, blank=True, on_delete=models.PROTECT, related_name="people"
    )
    start_date = models.DateField(null=True, blank=True)
    probation_end_date = models.DateField(null=True, blank=True)
    leaving_date = models.DateField(null=True, blank=True)
    # Linked when the account exists, or later when an account with the same
    # email is created (people.link_account_by_email, on User's post_save).
    account = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="person",
    )
    # When appraisals/privacy.py anonymised this leaver (their name, email
    # and employee id are placeholders since): set once, never cleared.
    anonymised_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The address the mail server last refused for good (competency.mail),
    # with when and its words: a problem only while it is still the
    # person's email (email_refused_now), so a corrected email clears it.
    email_refused = models.EmailField(blank=True, editable=False)
    email_refused_at = models.DateTimeField(null=True, blank=True, editable=False)
    email_refused_reason = models.CharField(max_length=300, blank=True, editable=False)
    # When the person turned scheduled reminders off from their home (None:
    # they get them). Mails that hand work to them are sent regardless, and
    # lateness is still escalated to their manager's manager and HR.
    reminders_off_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = PersonQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["name", "employee_id"]
        verbose_name_plural = "people"
        indexes = [
            # Lists of appraisals by the person's name (a cycle's, to HR) walk
            # this index and stop at the page, rather than sort everyone's.
            models.Index(fields=["name", "id"], name="person_by_name"),
            # Walking a reporting line (InLine, reporting_line) looks up each
            # person's reports: with the id in the index, every step is an
            # index-only scan, not a visit to each report's row (a head of
            # 2,000 people: 4,000 buffers and ~3x faster than the foreign
            # key's own index, which this replaces).
            models.Index(fields=["line_manager", "id"], name="person_reports"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(line_manager=F("pk")), name="person_not_own_manager"
            ),
            # An email finds one person, so that an account matches at most one.
            models.UniqueConstraint(
                Lower("email"), condition=~Q(email=""), name="person_unique_email"
            ),
            models.CheckConstraint(
                condition=Q(leaving_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(leaving_date__gte=F("start_date")),
                name="person_leaves_after_starting",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.employee_id})"

    @property
    def email_refused_now(self):
        """Whether the mail server refused the email this person has now."""
        return bool(self.email and self.email_refused.lower() == self.email.lower())

    def has_left(self, on=None):
        """left_by() for this person as read."""
        return self.leaving_date is not None and self.leaving_date <= (on or timezone.localdate())


# --- cycles -------------------------------------------------------------------


class Cycle(models.Model):
    """An appraisal round set up by HR. Opening it for a scope creates the
    appraisals (cycles.open_cycle)."""

    class Kind(models.TextChoices):
        ANNUAL = "annual", "Annual"
        MID_YEAR = "mid_year", "Mid-year"
        PROBATION = "probation", "Probation review"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=20, choices=Kind, default=Kind.ANNUAL)
    opens_on = models.DateField()
    closes_on = models.DateField()
    status = models.CharField(max_length=20, choices=Status, default=Status.DRAFT)
    # Reminders (appraisals/reminders.py): days before the closing date on
    # which whoever the appraisal waits for is reminded ("7,1"); once it is
    # overdue, again every `overdue_every_days`; from `escalate_after_days`
    # overdue the manager's manager hears of it, from `hr_after_days` HR.
    remind_days_before = models.CharField(
        max_length=50,
        default="7,1",
        blank=True,
        validators=[
            RegexValidator(
                r"^\s*(\d{1,3}\s*(,\s*\d{1,3}\s*)*)?$",
                "Enter whole numbers of days separated by commas, such as 7, 1",
            )
        ],
        help_text="Days before the closing date, separated by commas, such as 7, 1.",
    )
    overdue_every_days = models.PositiveSmallIntegerField(
        default=7, validators=[MinValueValidator(1)]
    )
    escalate_after_days = models.PositiveSmallIntegerField(
        default=7, validators=[MinValueValidator(1)]
    )
    hr_after_days = models.PositiveSmallIntegerField(default=14, validators=[MinValueValidator(1)])
    history = HistoricalRecords()

    class Meta:
        ordering = ["-opens_on", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(overdue_every_days__gte=1)
                & Q(escalate_after_days__gte=1)
                & Q(hr_after_days__gte=F("escalate_after_days")),
                name="cycle_reminder_days_valid",
            ),
            models.CheckConstraint(
                condition=Q(closes_on__gte=F("opens_on")), name="cycle_closes_after_opening"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["annual", "mid_year", "probation"]), name="cycle_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "open", "closed"]), name="cycle_status_valid"
            ),
        ]

    def __str__(self):
        return self.name


# --- appraisals ---------------------------------------------------------------


class Stage(models.TextChoices):
    """The workflow's stages, in order (see docs: appraisals.md)."""

    DRAFT = "draft", "Draft"
    SELF_ASSESSMENT = "self_assessment", "Self-assessment"
    MANAGER_REVIEW = "manager_review", "Manager review"
    REVIEW_SHARED = "review_shared", "Review shared"
    AGREED = "agreed", "Agreed"
    SIGNED_OFF = "signed_off", "Signed off"

    @classmethod
    def order(cls, stage):
        return _stage_positions()[stage]


@cache
def _stage_positions():
    # Asked for every appraisal a list shows: Stage.values builds its list
    # anew on each call.
    return {value: position for position, value in enumerate(Stage.values)}


class AppraisalQuerySet(TouchingQuerySet):
    def visible_to(self, user):
        """HR read every appraisal; a person reads their own; a manager reads
        everyone's in their reporting line (direct and indirect). Everyone
        else reads none, so an id tells them nothing."""
        if is_hr(user):
            return self
        if not user.is_authenticated:
            return self.none()
        return self.filter(InLine.own_line("person", user.pk))

    @staticmethod
    def on_side(user, side):
        """A filter: the appraisals where `user` is the person appraised
        (side "person") or the manager (side "manager"), among those
        visible_to(user) lets them read: their own, or, as manager, those
        of someone in their line (HR read every one). Checked from each row
        up to the user (ReportsTo), so that a query narrowed to the user's
        own appraisals never walks a head of department's whole line."""
        # The user's Person id as one value (an account has at most one
        # person), so that the database finds the rows by the index on the
        # appraisal's person or manager rather than testing every row.
        # (Raw: a Subquery of Person costs ~1 ms of Python to build, and a
        # user's rules name it a dozen times.)
        me = RawSQL("SELECT id FROM appraisals_person WHERE account_id = %s", [user.pk])
        if side == "person":
            return Q(person_id=me)
        mine = Q(manager_id=me)
        return mine if is_hr(user) else mine & ReportsTo("person", user.pk)

    def open(self):
        return self.exclude(stage=Stage.SIGNED_OFF)

    def overdue(self, today=None):
        """Not signed off, and their cycle's closing date has passed."""
        return self.open().filter(cycle__closes_on__lt=today or timezone.localdate())

    def managed_by_leavers(self, on=None):
        """Not signed off, and managed by someone who has left (by `on`,
        default today): theirs to reassign, as a leaver can no longer sign in."""
        return self.open().filter(manager__in=Person.objects.left(on).values("pk"))

    def with_disagreements(self):
        """Shared reviews where the person disagrees with anything, not
        settled yet (HR's cycle page counts and filters them)."""
        return self.filter(
            stage=Stage.REVIEW_SHARED,
            pk__in=ReviewItem.objects.filter(answer=ReviewItem.Answer.DISAGREED).values(
                "appraisal_id"
            ),
        )

    def stage_counts(self):
        """{stage: how many}, for the stages that have any, in one query."""
        counts = self.order_by().values_list("stage").annotate(n=models.Count("pk"))
        return dict(counts.values_list("stage", "n"))


class Appraisal(ChangeTracked):
    """One person appraised in one cycle against one frozen profile version.

    Its stage moves only through appraisals/workflow.py; `revision` counts
    every change so a page can say what it showed."""

    class Outcome(models.TextChoices):
        EXCEEDS = "exceeds", "Exceeds expectations"
        MEETS = "meets", "Meets expectations"
        PARTLY = "partly", "Partly meets expectations"
        NOT_MET = "not_met", "Does not meet expectations"

    cycle = models.ForeignKey(Cycle, on_delete=models.PROTECT, related_name="appraisals")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="appraisals")
    # Copied from the person at creation; HR reassign it (workflow.reassign).
    manager = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="appraisals_managed")
    profile_version = models.ForeignKey(
        ProfileVersion, on_delete=models.PROTECT, related_name="appraisals"
    )
    stage = models.CharField(max_length=20, choices=Stage, default=Stage.DRAFT)
    outcome = models.CharField(max_length=20, choices=Outcome, blank=True)
    person_summary = models.TextField(blank=True)
    manager_summary = models.TextField(blank=True)
    person_signed_at = models.DateTimeField(null=True, blank=True)
    manager_signed_at = models.DateTimeField(null=True, blank=True)
    revision = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    # updated_at: ChangeTracked's.

    objects = AppraisalQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-cycle__opens_on", "person__name"]
        indexes = [
            # Each person's open appraisals (the overdue test of the team
            # page, for everyone in a head's line): read from the index
            # alone, without the signed-off ones that pile up every cycle.
            models.Index(
                fields=["person", "cycle"],
                condition=~Q(stage="signed_off"),
                name="appraisal_open_by_person",
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "person"], name="appraisal_once_per_cycle"),
            models.CheckConstraint(
                condition=Q(
                    stage__in=[
                        "draft",
                        "self_assessment",
                        "manager_review",
                        "review_shared",
                        "agreed",
                        "signed_off",
                    ]
                ),
                name="appraisal_stage_valid",
            ),
            models.CheckConstraint(
                condition=Q(outcome__in=["", "exceeds", "meets", "partly", "not_met"]),
                name="appraisal_outcome_valid",
            ),
            # Signed off means signed by both, and nothing less.
            models.CheckConstraint(
                condition=~Q(stage="signed_off")
                | Q(person_signed_at__isnull=False, manager_signed_at__isnull=False),
                name="appraisal_signed_off_by_both",
            ),
            models.CheckConstraint(
                condition=~Q(person=F("manager")), name="appraisal_not_own_manager"
            ),
        ]

    def __str__(self):
        return f"{self.person.name} – {self.cycle}"

    def reached(self, stage):
        """Whether the appraisal is at `stage` or beyond it."""
        return Stage.order(self.stage) >= Stage.order(stage)


class PerformanceRating(models.IntegerChoices):
    """The scale behavioural items and work activities are rated on."""

    NOT_YET_SHOWN = 1, "Not yet shown"
    SHOWN = 2, "Shown"
    STRENGTH = 3, "A strength"


class RequirementQuerySet(models.QuerySet):
    def with_gap(self):
        """Each row with `gap` = manager's rating − required rank (NULL when
        either is missing), for heatmaps and searches done in the database."""
        return self.annotate(gap=F("manager_rating") - F("required_rank"))


class Requirement(models.Model):
    """One requirement of an appraisal, copied from the frozen version when
    the appraisal was created, with both ratings side by side.

    Ratings are ranks on the requirement's own frozen `scale` (a list of
    {"rank", "name", "description"}); NULL is "Not rated", never zero."""

    class Kind(models.TextChoices):
        ORGANISATION_SKILL = "organisation_skill", "Organisation skill"
        KNOWLEDGE = "knowledge", "Knowledge item"
        BEHAVIOURAL = "behavioural", "Behavioural item"
        WORK_ACTIVITY = "work_activity", "Work activity"

    # No index of its own: the unique (appraisal, position) one answers by
    # appraisal, and each index costs time on every row of a cycle's opening.
    # No foreign key constraint in the database either: its check ran once
    # a row, ~1.5 s of PostgreSQL's CPU for the 400,000 rows of an opening
    # for 10,000 people, and those rows are written by one INSERT … SELECT
    # joined to the appraisals just made (requirements.TemplateTable), so
    # the appraisal is there by construction. Deleting an appraisal still
    # deletes its requirements (CASCADE is Django's); appraisals are not
    # deleted by the application (the admin's are read-only).
    appraisal = models.ForeignKey(
        Appraisal,
        on_delete=models.CASCADE,
        related_name="requirements",
        db_index=False,
        db_constraint=False,
    )
    position = models.PositiveIntegerField()
    kind = models.CharField(max_length=30, choices=Kind)
    # Frozen text: what the version said, whatever the catalogue says later.
    group = models.CharField(max_length=300, blank=True, help_text="Framework » category.")
    title = models.CharField(max_length=300)
    details = models.TextField(blank=True)
    required_label = models.CharField(max_length=150, blank=True)
    required_rank = models.PositiveSmallIntegerField(null=True, blank=True)
    scale = models.JSONField(default=list)
    # The catalogue item, so ratings can be found across people, profiles
    # and versions. NULL only when the catalogue no longer has the item.
    # Each is indexed below only where it is set: a row holds one of the
    # three, so that each new row costs one entry, not three.
    # No foreign key constraint in the database (db_constraint=False), as
    # for LatestRating.item_id: checked row by row, the three cost ~3 s of
    # the ~10 s PostgreSQL spent opening a cycle for 10,000 people (400,000
    # rows, each firing all three). Only ids are read (the texts are the
    # row's own), and deleting an item still meets PROTECT (Django's).
    skill = models.ForeignKey(
        Skill,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    knowledge_item = models.ForeignKey(
        KnowledgeItem,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    work_activity = models.ForeignKey(
        WorkActivity,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    self_rating = models.PositiveSmallIntegerField(null=True, blank=True)
    self_evidence = models.TextField(blank=True)
    self_comment = models.TextField(blank=True)
    manager_rating = models.PositiveSmallIntegerField(null=True, blank=True)
    manager_evidence = models.TextField(blank=True)
    manager_comment = models.TextField(blank=True)

    objects = RequirementQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["appraisal", "position"]
        # The rows of a catalogue item, for its deletion's PROTECT check and
        # the database's foreign key. Finding people by an item's rating
        # reads LatestRating, no longer these. Partial: opening a cycle
        # writes ~40 rows a person, and an index entry for each NULL of the
        # other two items cost a quarter of its time in PostgreSQL.
        indexes = [
            models.Index(
                fields=["skill"], condition=Q(skill__isnull=False), name="requirement_skill"
            ),
            models.Index(
                fields=["knowledge_item"],
                condition=Q(knowledge_item__isnull=False),
                name="requirement_knowledge_item",
            ),
            models.Index(
                fields=["work_activity"],
                condition=Q(work_activity__isnull=False),
                name="requirement_work_activity",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["appraisal", "position"], name="requirement_unique_position"
            ),
            models.CheckConstraint(
                condition=Q(
                    kind__in=["organisation_skill", "knowledge", "behavioural", "work_activity"]
                ),
                name="requirement_kind_valid",
            ),
            # "Not rated" is NULL: a zero would read as the lowest rating.
            models.CheckConstraint(
                condition=Q(self_rating__isnull=True) | Q(self_rating__gte=1),
                name="requirement_self_rating_positive",
            ),
            models.CheckConstraint(
                condition=Q(manager_rating__isnull=True) | Q(manager_rating__gte=1),
                name="requirement_manager_rating_positive",
            ),
        ]

    def __str__(self):
        return f"{self.title} ({self.get_kind_display()})"

    def rank_name(self, rank):
        """The scale's word for a rating; "Not rated" for none."""
        if rank is None:
            return "Not rated"
        return next((step["name"] for step in self.scale if step["rank"] == rank), str(rank))

    @property
    def gap(self):
        """Manager's (agreed) rating − required rank; None when unrated or
        when nothing is required. The self rating never counts."""
        if self.manager_rating is None or self.required_rank is None:
            return None
        return self.manager_rating - self.required_rank

    @property
    def gap_word(self):
        gap = self.gap
        if gap is None:
            return None
        return "below" if gap < 0 else "meets" if gap == 0 else "above"


class LatestRating(models.Model):
    """Each person's latest agreed rating of each catalogue item: the
    requirement holding it and its rank, as insight.refresh_latest_ratings
    finds them (the newest appraisal at agreed or later that rates the
    item), kept for finding people by skill: the search reads one index
    range instead of ranking every rating of the item. Derived data:
    rewritten for a person whenever one of their appraisals reaches agreed
    or leaves it (workflow._move), never edited."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=30, choices=Requirement.Kind)
    # The id of the skill, knowledge item or work activity (by `kind`, as
    # insight.ITEM_FIELD names the requirement's column).
    item_id = models.PositiveBigIntegerField()
    requirement = models.ForeignKey(Requirement, on_delete=models.CASCADE, related_name="+")
    rating = models.PositiveSmallIntegerField()

    class Meta:
        indexes = [
            models.Index(
                fields=["kind", "item_id", "-rating"],
                include=["person", "requirement"],
                name="latest_rating_by_item",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "kind", "item_id"], name="latest_rating_once_per_item"
            ),
        ]

    def __str__(self):
        return f"{self.person_id} {self.kind} {self.item_id}: {self.rating}"


class AppraisalEvent(models.Model):
    """The workflow's record: every move of an appraisal, with who, when and
    why (a reason is kept for going back and for HR's reopening)."""

    class Action(models.TextChoices):
        CREATED = "created", "Created"
        STARTED = "started", "Self-assessment started"
        SUBMITTED = "submitted", "Self-assessment submitted"
        TAKEN_BACK = "taken_back", "Self-assessment taken back"
        SHARED = "shared", "Review shared"
        REVIEW_TAKEN_BACK = "review_taken_back", "Review taken back by the manager"
        AGREED = "agreed", "Agreed by the person"
        SIGNED = "signed", "Signed"
        SIGNED_OFF = "signed_off", "Signed off by both"
        SENT_BACK = "sent_back", "Sent back"
        REOPENED = "reopened", "Reopened by HR"
        REASSIGNED = "reassigned", "Manager reassigned"

    appraisal = models.ForeignKey(Appraisal, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=20, choices=Action)
    from_stage = models.CharField(max_length=20, choices=Stage, blank=True)
    to_stage = models.CharField(max_length=20, choices=Stage)
    reason = models.TextField(blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["appraisal", "at", "id"]

    def __str__(self):
        return f"{self.get_action_display()} ({self.at:%Y-%m-%d %H:%M})"


# --- the person's answers to a shared review ------------------------------------


class ReviewItemQuerySet(models.QuerySet):
    def disagreed(self):
        return self.filter(answer=ReviewItem.Answer.DISAGREED)


class ReviewItem(models.Model):
    """One thing the person answers once the review is shared: the
    manager's rating of a requirement, an objective, the development plan
    or the outcome. The person agrees, or disagrees with a comment; both
    add to its thread (ReviewComment). `shown` is a fingerprint of what
    the person is answering: when the manager changes it, the answer is
    cleared and the item goes back to the person (appraisals/review.py)."""

    class Kind(models.TextChoices):
        REQUIREMENT = "requirement", "Rating"
        OBJECTIVE = "objective", "Objective"
        PLAN = "plan", "Development plan"
        OUTCOME = "outcome", "Outcome"

    class Answer(models.TextChoices):
        WAITING = "", "Not answered yet"
        AGREED = "agreed", "Agrees"
        DISAGREED = "disagreed", "Disagrees"

    appraisal = models.ForeignKey(Appraisal, on_delete=models.CASCADE, related_name="review_items")
    kind = models.CharField(max_length=20, choices=Kind)
    requirement = models.ForeignKey(
        Requirement, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    objective = models.ForeignKey(
        "Objective", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    answer = models.CharField(max_length=20, choices=Answer, blank=True)
    shown = models.CharField(max_length=64, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    objects = ReviewItemQuerySet.as_manager()

    class Meta:
        ordering = ["appraisal", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["requirement", "objective", "plan", "outcome"]),
                name="reviewitem_kind_valid",
            ),
            models.CheckConstraint(
                condition=Q(answer__in=["", "agreed", "disagreed"]),
                name="reviewitem_answer_valid",
            ),
            models.CheckConstraint(
                condition=Q(kind="requirement", requirement__isnull=False, objective__isnull=True)
                | Q(kind="objective", objective__isnull=False, requirement__isnull=True)
                | Q(kind__in=["plan", "outcome"], requirement__isnull=True, objective__isnull=True),
                name="reviewitem_names_its_thing",
            ),
            # One item per thing answered.
            models.UniqueConstraint(
                fields=["requirement"],
                condition=Q(requirement__isnull=False),
                name="reviewitem_once_per_requirement",
            ),
            models.UniqueConstraint(
                fields=["objective"],
                condition=Q(objective__isnull=False),
                name="reviewitem_once_per_objective",
            ),
            models.UniqueConstraint(
                fields=["appraisal", "kind"],
                condition=Q(kind__in=["plan", "outcome"]),
                name="reviewitem_one_plan_one_outcome",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} of {self.appraisal_id}: {self.get_answer_display()}"


class ReviewComment(models.Model):
    """One entry of an item's thread: the person's answer with its
    comment, a reply, or a note that the manager changed the item."""

    class Kind(models.TextChoices):
        AGREED = "agreed", "Agreed"
        DISAGREED = "disagreed", "Disagreed"
        REPLY = "reply", "Replied"
        CHANGED = "changed", "Changed it"

    item = models.ForeignKey(ReviewItem, on_delete=models.CASCADE, related_name="comments")
    kind = models.CharField(max_length=20, choices=Kind)
    text = models.TextField(blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["item", "at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["agreed", "disagreed", "reply", "changed"]),
                name="reviewcomment_kind_valid",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.text[:40]}"


# --- objectives and development plans -----------------------------------------


class PlanQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Whoever may read the appraisal reads its objectives and plan."""
        return self.filter(appraisal__in=Appraisal.objects.visible_to(user).values("pk"))


class Objective(models.Model):
    """An objective agreed in an appraisal. Unfinished ones are copied into
    the person's next appraisal (carried_from links the copy to the one it
    came from), so a signed-off appraisal keeps its own."""

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", "Not started"
        IN_PROGRESS = "in_progress", "In progress"
        DONE = "done", "Done"
        DROPPED = "dropped", "Dropped"

    UNFINISHED = [Status.NOT_STARTED, Status.IN_PROGRESS]

    appraisal = models.ForeignKey(Appraisal, on_delete=models.CASCADE, related_name="objectives")
    title = models.CharField(max_length=300)
    measure = models.TextField("measure of success", blank=True)
    due_on = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status, default=Status.NOT_STARTED)
    progress_notes = models.TextField(blank=True)
    carried_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="carried_into"
    )
    position = models.PositiveIntegerField(default=0)

    objects = PlanQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["appraisal", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["not_started", "in_progress", "done", "dropped"]),
                name="objective_status_valid",
            ),
        ]

    def __str__(self):
        return self.title


class DevelopmentActionQuerySet(PlanQuerySet):
    def biggest_gaps_first(self):
        """Actions aimed at the largest shortfall first; those for no gap last."""
        gap = F("requirement__manager_rating") - F("requirement__required_rank")
        return self.annotate(gap=gap).order_by(F("gap").asc(nulls_last=True), "position", "id")


class DevelopmentAction(models.Model):
    """An action of an appraisal's development plan: one of the profile's
    training items or PDAs, or written freely, usually aimed at a gap."""

    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        IN_PROGRESS = "in_progress", "In progress"
        DONE = "done", "Done"
        DROPPED = "dropped", "Dropped"

    appraisal = models.ForeignKey(
        Appraisal, on_delete=models.CASCADE, related_name="development_actions"
    )
    requirement = models.ForeignKey(
        Requirement, null=True, blank=True, on_delete=models.SET_NULL, related_name="actions"
    )
    training = models.ForeignKey(
        Training, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    development_activity = models.ForeignKey(
        DevelopmentActivity, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(max_length=300)
    details = models.TextField(blank=True)
    status = models.CharField(max_length=20, choices=Status, default=Status.PLANNED)
    due_on = models.DateField(null=True, blank=True)
    position = models.PositiveIntegerField(default=0)

    objects = DevelopmentActionQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["appraisal", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["planned", "in_progress", "done", "dropped"]),
                name="developmentaction_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(training__isnull=True) | Q(development_activity__isnull=True),
                name="developmentaction_one_source",
            ),
        ]

    def __str__(self):
        return self.title


# --- between cycles -------------------------------------------------------------


class CheckInQuerySet(models.QuerySet):
    def visible_to(self, user):
        """1:1 notes are between two people: the person and the manager who
        held the check-in read them, and HR. Managers further up do not."""
        if is_hr(user):
            return self
        if not user.is_authenticated:
            return self.none()
        return self.filter(Q(person__account=user) | Q(manager__account=user))


class CheckIn(models.Model):
    """A 1:1 between a person and their manager: notes and agreed actions,
    seen by both."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="check_ins")
    manager = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="check_ins_held")
    held_on = models.DateField()
    notes = models.TextField(blank=True)
    agreed_actions = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = CheckInQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-held_on", "-id"]
        verbose_name = "check-in"
        constraints = [
            models.CheckConstraint(
                condition=~Q(person=F("manager")), name="checkin_not_with_oneself"
            ),
        ]

    def __str__(self):
        return f"{self.person.name} with {self.manager.name}, {self.held_on}"


class ProbationCheckpointQuerySet(models.QuerySet):
    def visible_to(self, user):
        if is_hr(user):
            return self
        if not user.is_authenticated:
            return self.none()
        return self.filter(InLine.own_line("person", user.pk))

    def for_team(self, manager):
        """Checkpoints of everyone in the manager's reporting line."""
        return self.filter(InLine.below("person", manager.pk))

    def pending(self):
        return self.filter(completed_on__isnull=True)

    def due_within(self, days, today=None):
        """Not done, due from today to `days` ahead."""
        today = today or timezone.localdate()
        return self.pending().filter(due_on__gte=today, due_on__lte=today + timedelta(days=days))

    def overdue(self, today=None):
        return self.pending().filter(due_on__lt=today or timezone.localdate())


class ProbationCheckpoint(models.Model):
    """A probation check at a number of months after the start date
    (settings.PROBATION_CHECKPOINT_MONTHS); done with a check-in."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="checkpoints")
    months = models.PositiveSmallIntegerField()
    due_on = models.DateField()
    completed_on = models.DateField(null=True, blank=True)
    check_in = models.ForeignKey(
        CheckIn, null=True, blank=True, on_delete=models.PROTECT, related_name="checkpoints"
    )
    notes = models.TextField(blank=True)

    objects = ProbationCheckpointQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["due_on", "person__name"]
        constraints = [
            models.UniqueConstraint(fields=["person", "months"], name="checkpoint_once_per_month"),
        ]

    def __str__(self):
        return f"{self.person.name}: {self.months}-month checkpoint"


class ProbationDecision(models.Model):
    """The end of a probation period: passed, extended to a new date, or not
    confirmed. Kept, never edited: a later decision is a new row."""

    class Outcome(models.TextChoices):
        PASSED = "passed", "Passed"
        EXTENDED = "extended", "Extended"
        NOT_CONFIRMED = "not_confirmed", "Not confirmed"

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="probation_decisions")
    outcome = models.CharField(max_length=20, choices=Outcome)
    extended_to = models.DateField(null=True, blank=True)
    notes = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["person", "decided_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome__in=["passed", "extended", "not_confirmed"]),
                name="probationdecision_outcome_valid",
            ),
            models.CheckConstraint(
                condition=Q(outcome="extended", extended_to__isnull=False)
                | (~Q(outcome="extended") & Q(extended_to__isnull=True)),
                name="probationdecision_date_when_extended",
            ),
        ]

    def __str__(self):
        return f"{self.person.name}: {self.get_outcome_display()}"


# --- reminders ---------------------------------------------------------------------


class ReminderDigest(models.Model):
    """One reminder mail to one address on one day: the claim that makes
    sending safe to run twice at once. Each run inserts the rows for the
    digests it computed, skipping those that exist already (ON CONFLICT DO
    NOTHING), and queues mail (competency/mail.py) only for the rows it
    inserted itself (`claimed_by`), in the same transaction, so two runs
    never mail the same address on the same day. Kept a month
    (appraisals/reminders.py prunes older rows): only today's rows matter."""

    class Kind(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        LATE = "late", "HR reminded everyone late"

    address = models.EmailField()  # lower case: one mail per mailbox
    sent_on = models.DateField()
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=Kind, default=Kind.SCHEDULED)
    items = models.PositiveIntegerField(default=0)  # how many things it listed
    claimed_by = models.UUIDField(db_index=True)
    claimed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["address", "sent_on"], name="reminder_once_a_day"),
        ]

    def __str__(self):
        return f"{self.address} on {self.sent_on}"
