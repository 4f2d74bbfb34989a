"""Role profiles: the editable profile, its frozen published versions and its
ordered links to the shared catalogue."""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify
from simple_history.models import HistoricalRecords

from competency.changes import ChangeTracked, TouchingQuerySet
from competency.models import (
    Depth,
    DevelopmentActivity,
    KnowledgeItem,
    Level,
    Qualification,
    Skill,
    Training,
    WorkActivity,
    check_level_in_framework,
)
from competency.roles import is_hr


class JobFamilyQuerySet(TouchingQuerySet):
    def for_name(self, name, description=""):
        """The job family of this name, made with a URL name of its own when
        there is none: two names may slug alike ("Data Engineering", "Data
        engineering"), and the second must not fail for it."""
        family = self.filter(name=name).first()
        if family is not None:
            return family
        base = slugify(name)[:90] or "job-family"
        slug, number = base, 2
        while self.filter(slug=slug).exists():
            slug, number = f"{base}-{number}", number + 1
        return self.create(name=name, slug=slug, description=description)


class JobFamily(ChangeTracked):
    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    description = models.TextField(blank=True)
    history = HistoricalRecords()

    objects = JobFamilyQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "job families"

    def __str__(self):
        return self.name


# The role levels that titles start with, most senior last; the level between
# Junior and Senior has no word of its own.
ROLE_LEVELS = ["Apprentice", "Junior", "Senior", "Lead", "Principal", "Head of"]


class RoleProfileQuerySet(TouchingQuerySet):
    def published(self):
        return self.filter(status=RoleProfile.Status.PUBLISHED)

    def visible_to(self, user):
        """HR see every profile; everyone else sees profiles that have a
        version in force (published, not archived) and reads only that
        version: never a draft's text."""
        if is_hr(user):
            return self
        if not user.is_authenticated:
            return self.none()
        return self.filter(published_version__isnull=False)


class ProfileVersionQuerySet(models.QuerySet):
    def in_force(self):
        """Each profile's version in force (none for an archived profile)."""
        return self.filter(profile__published_version=models.F("pk"))

    def visible_to(self, user):
        """HR read every version; everyone else reads the version in force
        of each profile, and the versions of the appraisals they may read
        (their own, their reporting line's) even once superseded or
        withdrawn. Any other version is 404."""
        if is_hr(user):
            return self
        if not user.is_authenticated:
            return self.none()
        # The appraisals app's rule, reached through the reverse relation
        # so that profiles imports nothing from the app built on it.
        appraisal = self.model._meta.get_field("appraisals").related_model
        appraised = appraisal.objects.visible_to(user).values("profile_version")
        return self.filter(Q(profile__published_version=models.F("pk")) | Q(pk__in=appraised))


class RoleProfile(ChangeTracked):
    """The working copy of a role profile. HR edit it while it is a draft;
    publishing freezes its content as a numbered ProfileVersion."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"
        ARCHIVED = "archived", "Archived"

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    job_family = models.ForeignKey(
        JobFamily, null=True, blank=True, on_delete=models.PROTECT, related_name="profiles"
    )
    role_level = models.CharField(max_length=50, blank=True)
    variant = models.CharField(max_length=100, blank=True)
    summary = models.TextField(blank=True)
    responsibilities = models.JSONField(default=list, blank=True)
    background = models.JSONField(default=list, blank=True)
    prior_knowledge = models.JSONField(default=list, blank=True)
    source = models.TextField(blank=True, help_text="Attribution carried from the source page.")
    status = models.CharField(max_length=20, choices=Status, default=Status.DRAFT)
    # The version everyone else reads: the latest published one, kept while a
    # new draft is in progress, and none while the profile is archived.
    published_version = models.OneToOneField(
        "ProfileVersion",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    # What readers list, sort, filter and search by: the version in force's
    # own words, kept in step by lifecycle.put_in_force() whenever it changes, so that
    # no list reads a single document.
    published_title = models.CharField(max_length=200, blank=True, db_index=True, editable=False)
    published_family = models.CharField(max_length=100, blank=True, db_index=True, editable=False)
    published_role_level = models.CharField(max_length=50, blank=True, editable=False)
    published_summary = models.TextField(blank=True, editable=False)
    published_at = models.DateTimeField(null=True, blank=True, db_index=True, editable=False)
    published_text = models.TextField(blank=True, editable=False)
    # What HR search: the working copy's words, values only, as
    # documents.search_text() writes them. Rebuilt in SQL by
    # profiles.search.refresh_search_text() after every change to the
    # working copy's content (its own texts, its links, or a catalogue text
    # it shows), or, by an import, built from the document it has just
    # written and saved by name; a save that does not name it leaves it alone.
    search_text = models.TextField(blank=True, editable=False)
    # The fingerprints (documents.document_fingerprint) of the working
    # copy's document and of the version in force's, so that a list row
    # carries the ETag a GET of the profile gives without building its
    # document (profiles/api/etags.py). The version in force's is kept by
    # lifecycle.put_in_force(). The working copy's is '' (not known) after
    # any change to what its document is built from: refresh_search_text()
    # clears it with the search text, and so do the catalogue's own changes
    # (profiles.fingerprints); the next read that builds the document, or
    # a list that finds it unknown, stores it again.
    working_fingerprint = models.CharField(max_length=16, blank=True, editable=False)
    published_fingerprint = models.CharField(max_length=16, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    # updated_at: ChangeTracked's.

    objects = RoleProfileQuerySet.as_manager()
    # The readers' columns repeat the version, which keeps its own history.
    history = HistoricalRecords(
        excluded_fields=[
            "published_title",
            "published_family",
            "published_role_level",
            "published_summary",
            "published_at",
            "published_text",
            "search_text",
            "working_fingerprint",
            "published_fingerprint",
        ]
    )

    class Meta:
        ordering = ["title"]
        # HR's list, by title: read from the index twenty at a time rather
        # than sorting every profile (90 ms at 20,000).
        indexes = [models.Index(fields=["title", "slug"], name="profile_title_order")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["draft", "published", "archived"]),
                name="roleprofile_status_valid",
            ),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        # A full save writes what this instance holds, which may be an old
        # search_text or fingerprint: only refresh_search_text() writes the
        # text, from the rows, and only profiles.fingerprints the
        # working copy's fingerprint.
        if not self._state.adding and kwargs.get("update_fields") is None:
            kwargs["update_fields"] = [
                field.name
                for field in self._meta.concrete_fields
                if not field.primary_key
                and field.name not in ("search_text", "working_fingerprint")
            ]
        super().save(*args, **kwargs)

    @property
    def is_draft(self):
        return self.status == self.Status.DRAFT

    IN_FORCE_FIELDS = [
        "published_version",
        "published_title",
        "published_family",
        "published_role_level",
        "published_summary",
        "published_at",
        "published_text",
        "published_fingerprint",
    ]

    def latest_version(self):
        """The newest published version (in force or not), or None."""
        return self.versions.order_by("-number").first()

    def clean(self):
        for field in ("responsibilities", "background", "prior_knowledge"):
            value = getattr(self, field)
            if not isinstance(value, list) or not all(
                isinstance(item, str) and item.strip() for item in value
            ):
                raise ValidationError({field: "Give a list of non-empty texts."})


class ProfileVersion(models.Model):
    """A published version: the profile's role-profile/1 document, frozen.

    Appraisals refer to a version, so once written it never changes."""

    profile = models.ForeignKey(RoleProfile, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    document = models.JSONField()
    published_at = models.DateTimeField(auto_now_add=True)
    # PROTECT: a frozen version's row never changes (a trigger refuses
    # UPDATE), so who published it cannot be blanked; deactivate the account.
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # What the publisher said changed, for readers. Nullable only so that
    # SQLite adds the column in place: rebuilding the table would drop the
    # trigger that keeps versions frozen. Versions from before it have none.
    change_note = models.CharField(max_length=500, null=True, blank=True)  # noqa: DJ001

    objects = ProfileVersionQuerySet.as_manager()

    class Meta:
        ordering = ["profile", "-number"]
        get_latest_by = "number"
        constraints = [
            models.UniqueConstraint(fields=["profile", "number"], name="version_unique_number"),
            models.CheckConstraint(condition=Q(number__gte=1), name="version_number_positive"),
        ]

    def __str__(self):
        return f"{self.profile} v{self.number}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValidationError("A published version never changes; publish a new one.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError("A published version cannot be deleted.")


class VersionPDF(models.Model):
    """A published version's PDF, built on its first download and kept.

    Rendering costs most of a second of CPU and a frozen version's text never
    changes, but what the PDF prints around it can: its status line
    ("superseded by version 4") and the layout after a release. So each PDF
    is kept under the digest of the exact HTML and stylesheet it was drawn
    from, and a download whose digest differs builds a new one. ProfileVersion
    rows cannot be updated (a database trigger), so the PDF lives here."""

    version = models.ForeignKey(ProfileVersion, on_delete=models.CASCADE, related_name="pdfs")
    digest = models.CharField(max_length=64)
    pdf = models.BinaryField()
    built_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "published version's PDF"
        constraints = [
            models.UniqueConstraint(fields=["version", "digest"], name="version_pdf_once"),
        ]

    def __str__(self):
        return f"PDF of {self.version_id} ({self.digest[:8]})"


class ProfileLink(models.Model):
    """An ordered link from a profile to one catalogue item."""

    profile = models.ForeignKey(RoleProfile, on_delete=models.CASCADE)
    position = models.PositiveIntegerField(default=0)
    history = HistoricalRecords(inherit=True)

    class Meta:
        abstract = True
        ordering = ["position", "id"]

    def __str__(self):
        return f"{self.profile} #{self.position + 1}"


class ProfileWorkActivity(ProfileLink):
    activity = models.ForeignKey(WorkActivity, on_delete=models.PROTECT, related_name="uses")

    class Meta(ProfileLink.Meta):
        default_related_name = "work_activity_links"
        verbose_name = "work activity"
        verbose_name_plural = "work activities"
        constraints = [
            models.UniqueConstraint(fields=["profile", "activity"], name="profile_activity_once"),
        ]


class ProfileKnowledge(ProfileLink):
    item = models.ForeignKey(KnowledgeItem, on_delete=models.PROTECT, related_name="uses")
    # Blank where the published profile gives no depth (behavioural items).
    depth = models.CharField(max_length=20, choices=Depth, blank=True, default="")

    class Meta(ProfileLink.Meta):
        default_related_name = "knowledge_links"
        verbose_name = "knowledge/skills item"
        verbose_name_plural = "knowledge/skills"
        constraints = [
            models.UniqueConstraint(fields=["profile", "item"], name="profile_knowledge_once"),
            models.CheckConstraint(
                condition=Q(depth="") | Q(depth__in=Depth.values),
                name="profile_knowledge_depth_valid",
            ),
        ]


class ProfileTraining(ProfileLink):
    training = models.ForeignKey(Training, on_delete=models.PROTECT, related_name="uses")

    class Meta(ProfileLink.Meta):
        default_related_name = "training_links"
        verbose_name = "training item"
        verbose_name_plural = "training"
        constraints = [
            models.UniqueConstraint(fields=["profile", "training"], name="profile_training_once"),
        ]


class ProfileDevelopmentActivity(ProfileLink):
    activity = models.ForeignKey(DevelopmentActivity, on_delete=models.PROTECT, related_name="uses")

    class Meta(ProfileLink.Meta):
        default_related_name = "pda_links"
        verbose_name = "PDA"
        verbose_name_plural = "PDAs"
        constraints = [
            models.UniqueConstraint(fields=["profile", "activity"], name="profile_pda_once"),
        ]


class ProfileQualification(ProfileLink):
    qualification = models.ForeignKey(Qualification, on_delete=models.PROTECT, related_name="uses")

    class Meta(ProfileLink.Meta):
        default_related_name = "qualification_links"
        verbose_name = "qualification"
        constraints = [
            models.UniqueConstraint(
                fields=["profile", "qualification"], name="profile_qualification_once"
            ),
        ]


class ProfileSkill(ProfileLink):
    """An organisation-framework skill required at a level of its scale."""

    skill = models.ForeignKey(Skill, on_delete=models.PROTECT, related_name="uses")
    level = models.ForeignKey(Level, on_delete=models.PROTECT, related_name="+")

    class Meta(ProfileLink.Meta):
        default_related_name = "skill_links"
        verbose_name = "organisation skill"
        constraints = [
            models.UniqueConstraint(fields=["profile", "skill"], name="profile_skill_once"),
        ]

    def clean(self):
        if self.skill_id and self.level_id:
            check_level_in_framework(self.skill, self.level)


class PendingUploadQuerySet(models.QuerySet):
    def expired(self):
        """Uploads nobody confirmed in time, and those claimed by an import
        job that never came to delete them (its worker failed for good)."""
        now = timezone.now()
        return self.filter(
            Q(created_at__lt=now - PendingUpload.LIFETIME) & ~Q(token__startswith=CLAIMED)
            | Q(created_at__lt=now - PendingUpload.CLAIMED_LIFETIME)
        )

    def claimed(self):
        return self.filter(token__startswith=CLAIMED)

    def live_for(self, user, purpose, token):
        """The person's own unexpired upload with this token, or None: another
        person's token reads as expired, so a token tells nobody anything. A
        claimed upload is its job's: no token reaches it."""
        if token.startswith(CLAIMED):
            return None
        return self.filter(
            owner=user,
            purpose=purpose,
            token=token,
            created_at__gte=timezone.now() - PendingUpload.LIFETIME,
        ).first()


# The token of an upload that a confirmation handed to its import job
# (profiles.uploads.claim): never one a person was given.
CLAIMED = "job:"


class PendingUpload(models.Model):
    """A file that was previewed and waits for its uploader's confirmation.

    Kept in the database, not the session: the session travels with every
    request, and five 5 MB previews in it made each page four times slower.
    Only the uploader can confirm it; it expires after LIFETIME, a person
    keeps at most KEEP of them, and confirming deletes it."""

    class Purpose(models.TextChoices):
        PROFILE = "profile", "Role profile"
        FRAMEWORK = "framework", "Framework"
        # The appraisals app's people table: kept here, with the other uploads.
        PEOPLE = "people", "People"

    LIFETIME = timedelta(hours=1)
    # A confirmed upload waits for its job's worker; a queue a day behind is
    # broken, and the job will have failed for good long before.
    CLAIMED_LIFETIME = timedelta(days=1)
    KEEP = 3

    token = models.CharField(max_length=64, unique=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="pending_uploads"
    )
    purpose = models.CharField(max_length=20, choices=Purpose)
    name = models.CharField(max_length=255)
    data = models.BinaryField()
    # What the person saw and chose, which the confirmation must still hold.
    options = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    objects = PendingUploadQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(purpose__in=["profile", "framework", "people"]),
                name="pendingupload_purpose_valid",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.get_purpose_display().lower()}, {self.owner})"
