"""The framework catalogue: frameworks with their scales, categories and
skills, and the shared library of components that role profiles are built
from."""

import hashlib
import json
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from competency.changes import ChangeTracked


class Framework(ChangeTracked):
    """A capability framework (DDaT, or an organisation's own) that owns a
    scale of levels, a tree of categories and its skills."""

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    description = models.TextField(blank=True)
    attribution = models.TextField(
        blank=True,
        help_text="Licence or attribution statement to show wherever the framework's text is.",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Level(models.Model):
    """One step of a framework's scale, e.g. DDaT 3 – Practitioner."""

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="levels")
    rank = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=100)
    description = models.TextField(blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["framework__name", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "rank"], name="level_unique_rank"),
            models.UniqueConstraint(fields=["framework", "name"], name="level_unique_name"),
            models.CheckConstraint(condition=Q(rank__gte=1), name="level_rank_positive"),
        ]

    def __str__(self):
        return f"{self.rank} – {self.name}"


class Category(models.Model):
    """A node of a framework's category tree (a role family, a subcategory)."""

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="categories")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    name = models.CharField(max_length=200)

    history = HistoricalRecords()

    class Meta:
        ordering = ["framework__name", "name"]
        verbose_name_plural = "categories"
        constraints = [
            models.UniqueConstraint(
                fields=["framework", "parent", "name"], name="category_unique_name_in_parent"
            ),
            models.UniqueConstraint(
                fields=["framework", "name"],
                condition=Q(parent__isnull=True),
                name="category_unique_top_level_name",
            ),
        ]

    def __str__(self):
        return f"{self.parent} » {self.name}" if self.parent_id else self.name

    def clean(self):
        if self.parent_id and self.parent.framework_id != self.framework_id:
            raise ValidationError({"parent": "A category's parent must be in the same framework."})
        if self.pk and self.framework_id:
            stored = Category.objects.filter(pk=self.pk).values_list("framework", flat=True)
            if stored and stored[0] != self.framework_id:
                raise ValidationError(
                    {
                        "framework": "A category stays in its framework: its skills' levels "
                        "belong to that framework's scale."
                    }
                )


class Skill(ChangeTracked):
    """A framework skill, with a general description and one per level."""

    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="skills")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["category__framework__name", "category__name", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["category", "name"], name="skill_unique_name_in_category"
            ),
        ]

    def __str__(self):
        return f"{self.category.name} – {self.name}"

    @property
    def framework(self):
        return self.category.framework

    def clean(self):
        if self.pk and self.category_id:
            stored = Skill.objects.filter(pk=self.pk).values_list("category__framework", flat=True)
            if stored and stored[0] != self.category.framework_id:
                raise ValidationError(
                    {
                        "category": "A skill stays in its framework: choose a category of "
                        f"{Framework.objects.get(pk=stored[0])}."
                    }
                )


def check_level_in_framework(skill, level, field="level"):
    """The same rule the database triggers enforce, as a friendly message."""
    if (
        skill is not None
        and level is not None
        and level.framework_id != skill.category.framework_id
    ):
        raise ValidationError(
            {field: f"{level} is not a level of the {skill.category.framework} framework."}
        )


class SkillLevel(models.Model):
    """What a skill means at one level of its framework's scale."""

    skill = models.ForeignKey(Skill, on_delete=models.CASCADE, related_name="levels")
    level = models.ForeignKey(Level, on_delete=models.PROTECT, related_name="skill_levels")
    description = models.TextField(blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["skill", "level__rank"]
        constraints = [
            models.UniqueConstraint(fields=["skill", "level"], name="skilllevel_unique"),
        ]

    def __str__(self):
        return f"{self.skill.name} at {self.level}"

    def clean(self):
        if self.skill_id and self.level_id:
            check_level_in_framework(self.skill, self.level)


class Depth(models.TextChoices):
    """The knowledge-depth scale used by knowledge/skills items."""

    AWARE = "aware", "Aware of"
    FAMILIAR = "familiar", "Familiar with"
    PROFICIENT = "proficient", "Proficient in"
    EXPERT = "expert", "Expert in"

    @classmethod
    def rank(cls, value):
        return list(cls.values).index(value) + 1


def fingerprint(*parts):
    """A fixed-length key for long texts, so identity can be a unique index."""
    # JSON keeps the parts apart whatever characters they hold.
    return hashlib.sha256(json.dumps(parts).encode()).hexdigest()


class Component(ChangeTracked):
    """A reusable item of the shared library. Identity is its text: imports
    reuse the item with the same title and details, and a changed text makes a
    new item instead of rewriting one that other profiles use."""

    title = models.CharField(max_length=255)
    details = models.TextField(blank=True)
    key = models.CharField(max_length=64, unique=True, editable=False)
    history = HistoricalRecords(inherit=True)

    class Meta:
        abstract = True
        ordering = ["title"]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.key = fingerprint(*self.identity())
        super().save(*args, **kwargs)

    def identity(self):
        return (self.title, self.details)

    def clean(self):
        others = type(self).objects.filter(key=fingerprint(*self.identity())).exclude(pk=self.pk)
        if others.exists():
            raise ValidationError(f"The catalogue already has this {self._meta.verbose_name}.")


class KnowledgeItem(Component):
    class Kind(models.TextChoices):
        # Labelled as published role profiles name them.
        BEHAVIOURAL = "behavioural", "Behavioural Skills"
        TECHNICAL = "technical", "Technical Knowledge and Skills"
        OTHER = "other", "Other Knowledge and Skills"

    kind = models.CharField("type", max_length=20, choices=Kind)

    class Meta(Component.Meta):
        verbose_name = "knowledge/skills item"
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["behavioural", "technical", "other"]),
                name="knowledgeitem_kind_valid",
            ),
        ]

    def identity(self):
        return (self.kind, self.title, self.details)


class WorkActivity(Component):
    class Meta(Component.Meta):
        verbose_name_plural = "work activities"


class DevelopsComponent(Component):
    """A training item or PDA, with the skills and knowledge items it
    develops, as HR say: a development plan offers it first for a gap in
    one of them. The link belongs to the catalogue item, so every profile
    offering the item, and every import that reuses it (by its text), keeps
    it."""

    develops_skills = models.ManyToManyField(
        Skill, blank=True, related_name="developed_by_%(class)s", verbose_name="skills it develops"
    )
    develops_knowledge = models.ManyToManyField(
        KnowledgeItem,
        blank=True,
        related_name="developed_by_%(class)s",
        verbose_name="knowledge and skills items it develops",
    )

    class Meta(Component.Meta):
        abstract = True


class Training(DevelopsComponent):
    class Meta(Component.Meta):
        verbose_name = "training item"


class DevelopmentActivity(DevelopsComponent):
    class Meta(Component.Meta):
        verbose_name = "personal development activity"
        verbose_name_plural = "personal development activities"


class AwardingBody(ChangeTracked):
    name = models.CharField(max_length=200, unique=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "awarding bodies"

    def __str__(self):
        return self.name


class Qualification(ChangeTracked):
    title = models.CharField(max_length=255)
    awarding_body = models.ForeignKey(
        AwardingBody, on_delete=models.PROTECT, related_name="qualifications"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["title"]
        constraints = [
            models.UniqueConstraint(
                fields=["title", "awarding_body"], name="qualification_unique_title_body"
            ),
        ]

    def __str__(self):
        return f"{self.title} – {self.awarding_body}"


class AccountSessions(models.Model):
    """Which of a person's sessions still count: each session remembers the
    generation in force when it signed in, and "sign out everywhere" moves
    the generation on, so every earlier session ends on its next request,
    whatever the session backend (database or cache) and on every machine.
    A person with no row is at generation 0. Read with the signed-in user,
    in the query every request makes (competency.roles.user_sql)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="account_sessions",
    )
    generation = models.PositiveIntegerField(default=0)
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = "account's sessions"
        verbose_name_plural = "accounts' sessions"

    def __str__(self):
        return f"{self.user}: generation {self.generation}"


class BackgroundJob(models.Model):
    """Work done in the background (a Celery task) for someone: what it is,
    how far it has got and what came of it. Its page (/jobs/<id>/) is for
    the person who started it, and HR; its id is a UUID, so it cannot be
    guessed. A job is done or failed once, in the same transaction as the
    work it records (competency.jobs.run)."""

    class Kind(models.TextChoices):
        OPEN_CYCLE = "open_cycle", "Opening a cycle"
        # HR's uploads, confirmed after their preview (profiles/tasks.py,
        # appraisals/tasks.py): only HR follows them (competency.jobs.visible_to).
        IMPORT_PROFILE = "import_profile", "Importing a role profile"
        IMPORT_FRAMEWORK = "import_framework", "Importing a framework"
        IMPORT_PEOPLE = "import_people", "Importing people"

    class State(models.TextChoices):
        QUEUED = "queued", "Waiting to start"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=40, choices=Kind)
    title = models.CharField(max_length=300, help_text="What the job's page calls it.")
    state = models.CharField(max_length=10, choices=State, default=State.QUEUED)
    # What the task needs to do the work (ids, choices), as JSON.
    params = models.JSONField(default=dict, blank=True)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(null=True, blank=True)
    # {"message": what it did, "url": where to see it, ...} when done.
    result = models.JSONField(null=True, blank=True)
    error = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=["queued", "running", "done", "failed"]),
                name="backgroundjob_state_valid",
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def finished(self):
        return self.state in (self.State.DONE, self.State.FAILED)


class OutboundMail(models.Model):
    """One email in the outbox (competency/mail.py): written by queue() in
    the same transaction as the change it tells of, so a change that rolls
    back leaves no mail, and sent after the commit by a Celery task.

    `key` names what the mail is about and for whom (a move and its
    recipient): unique, so the same move never queues it twice. The body is
    rendered when queued, as the recipient could see it at that moment."""

    class State(models.TextChoices):
        PENDING = "pending", "Waiting to be sent"
        SENT = "sent", "Sent"
        # The mail server refused the address for good (a 5xx to RCPT TO).
        REFUSED = "refused", "Address refused"
        # Still failing after the last attempt (MAIL_MAX_ATTEMPTS).
        FAILED = "failed", "Given up"

    key = models.CharField(max_length=200, unique=True)
    to = models.EmailField()
    subject = models.CharField(max_length=300)
    text_body = models.TextField()
    html_body = models.TextField(blank=True)
    state = models.CharField(max_length=10, choices=State, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    # When the next attempt is due: now when queued, later after a failure
    # (exponential backoff).
    next_attempt_at = models.DateTimeField(default=timezone.now)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "outbound mail"
        verbose_name_plural = "outbound mail"
        indexes = [
            # The sender's question: what is due now.
            models.Index(
                fields=["next_attempt_at", "id"],
                condition=Q(state="pending"),
                name="outboundmail_due",
            ),
            models.Index(fields=["to"], name="outboundmail_to"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=["pending", "sent", "refused", "failed"]),
                name="outboundmail_state_valid",
            ),
        ]

    def __str__(self):
        return f"{self.subject} → {self.to} ({self.state})"
