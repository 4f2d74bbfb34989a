"""A role profile's life: publish a draft as a numbered version, start a new
draft, archive. The pages, the admin, the commands and the API call these;
each locks the profile's row, checks, and writes in one transaction."""

from celery import current_app
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from competency import jobs, webhooks
from competency.history import bulk_update
from profiles.documents import (
    ChangedSinceConfirmed,
    ProfileImportError,
    document_fingerprint,
    profile_document,
    schema_errors,
    search_text,
)
from profiles.models import ProfileVersion, RoleProfile
from profiles.writing.content import restore_content


def put_in_force(profile, version):
    """Make `version` (or none) the one readers read, with what they list
    and search by; the caller saves RoleProfile.IN_FORCE_FIELDS."""
    document = version.document if version else None
    profile.published_version = version
    profile.published_title = document["title"] if document else ""
    profile.published_family = (document and document.get("job_family")) or ""
    profile.published_role_level = (document and document.get("role_level")) or ""
    profile.published_summary = document["summary"] if document else ""
    profile.published_at = version.published_at if version else None
    profile.published_text = search_text(document) if document else ""
    profile.published_fingerprint = document_fingerprint(document) if document else ""


def lock(profile):
    """The profile's row, locked until the transaction ends."""
    # Only the profile's own row: the job family (a nullable join) stays unlocked.
    return (
        RoleProfile.objects.select_for_update(of=("self",))
        .select_related("job_family")
        .get(pk=profile.pk)
    )


def same_as_latest_version(profile, document=None, *, latest=False):
    """Whether the draft (its `document`, if already built) says exactly
    what its latest version says (`latest`, if a page already has it; None
    when it has none)."""
    if latest is False:
        latest = profile.latest_version()
    if latest is None:
        return False
    return {**latest.document, "version": None} == (document or profile_document(profile))


def check_confirmed(document, confirmed, message):
    """Refuse when what a person confirmed (a fingerprint) is not `document`.
    Called with the row locked, so nobody can change it after the check."""
    if confirmed is not None and document_fingerprint(document) != confirmed:
        raise ChangedSinceConfirmed(message)


@transaction.atomic
def publish_profile(*, profile, user=None, confirmed=None, change_note="") -> ProfileVersion:
    """Freeze a draft's content as the next numbered version, with a note of
    what changed.

    `confirmed` is the fingerprint of the content the person saw on the
    confirmation page: if anyone changed the draft since, nothing is
    published (ChangedSinceConfirmed)."""
    profile = lock(profile)
    if profile.status != RoleProfile.Status.DRAFT:
        raise ValidationError(
            f"Only a draft can be published; '{profile.title}' is {profile.get_status_display()}."
        )
    current = profile_document(profile)
    check_confirmed(
        current,
        confirmed,
        "The draft changed while you were reading this page, so it was not published. "
        "Check the changes again before you publish.",
    )
    latest = profile.latest_version()
    if same_as_latest_version(profile, current, latest=latest):
        raise ValidationError(
            f"Nothing has changed since version {latest.number}; there is nothing new to publish."
        )
    # The working copy's fingerprint, as its document is at hand and
    # unchanged by the publish (profiles.fingerprints).
    profile.working_fingerprint = document_fingerprint(current)
    return _freeze(
        profile, current, latest, user=user, change_note=change_note, fields=["working_fingerprint"]
    )


def publish_written(*, profile, document, latest, checked, user=None) -> ProfileVersion | None:
    """Publish what an import has just written: `document` is the draft's
    content as written (the import built it from the rows it wrote, so it
    is not read back), `latest` the profile's latest version (None for a
    profile the import created). Called in the import's transaction, with
    the profile's row locked (or just inserted). Returns None when the
    content is what `latest` says already.

    `checked`: the document is the file's own, which was checked against
    the schema when it was read (read_profile), so it is not checked
    again; otherwise (the catalogue's texts kept in place of the file's)
    it is checked here."""
    if same_as_latest_version(profile, document, latest=latest):
        return None
    return _freeze(profile, document, latest, user=user, checked=checked)


def publish_created(written, *, user=None) -> list[ProfileVersion]:
    """publish_written() for profiles an import has just created, all at
    once: `written` holds (profile, document, checked) for each. Their first
    versions are written in one INSERT and the profiles put in force in one
    UPDATE (with one INSERT of their audit records), where one at a time
    took three queries each. Returns the versions in order."""
    versions = [
        _version(profile, document, None, user=user, checked=checked)
        for profile, document, checked in written
    ]
    ProfileVersion.objects.bulk_create(versions)
    profiles = [profile for profile, _, _ in written]
    now = timezone.now()
    for profile, version in zip(profiles, versions, strict=True):
        profile.status = RoleProfile.Status.PUBLISHED
        put_in_force(profile, version)
        profile.updated_at = now
    bulk_update(RoleProfile, profiles, ["status", *RoleProfile.IN_FORCE_FIELDS, "updated_at"])
    build_pdfs_later(versions)
    announce(versions)
    return versions


def _version(profile, current, latest, *, user=None, change_note="", checked=False):
    """The (unsaved) version after `latest` of the draft's content
    `current`, after checking it (unless `checked`) and the note."""
    number = latest.number + 1 if latest is not None else 1
    document = {**current, "version": number}
    errors = [] if checked else schema_errors(document)
    if errors:
        path, message = errors[0]
        raise ValidationError(f"The profile cannot be published: {path}: {message}")
    change_note = " ".join(change_note.split())
    limit = ProfileVersion._meta.get_field("change_note").max_length
    if len(change_note) > limit:
        raise ValidationError(
            {"change_note": f"The note is {len(change_note)} characters long; keep it to {limit}."}
        )
    return ProfileVersion(
        profile=profile,
        number=number,
        document=document,
        published_by=user,
        change_note=change_note,
    )


def _freeze(profile, current, latest, *, user=None, change_note="", checked=False, fields=()):
    """Write the draft's content `current` as the version after `latest`
    and put it in force."""
    version = _version(
        profile, current, latest, user=user, change_note=change_note, checked=checked
    )
    version.save()
    profile.status = RoleProfile.Status.PUBLISHED
    put_in_force(profile, version)
    profile.save(update_fields=["status", *RoleProfile.IN_FORCE_FIELDS, "updated_at", *fields])
    build_pdfs_later([version])
    announce([version])
    return version


def announce(versions):
    """The webhooks' profile.version_published, in the publishing
    transaction: sent once it commits, never for one rolled back."""
    webhooks.emit_many(
        "profile.version_published",
        [
            (
                {
                    "profile": version.profile.slug,
                    "number": version.number,
                    "title": version.document["title"],
                    "published_at": version.published_at,
                    "change_note": version.change_note,
                    "url": reverse(
                        "api:profile-version-detail",
                        kwargs={"profile_slug": version.profile.slug, "number": version.number},
                    ),
                },
                f"profile:{version.profile.slug}",
            )
            for version in versions
        ],
    )


# profiles.tasks.build_version_pdfs, sent by name: that module imports the
# downloads, which import this one.
BUILD_PDFS = "profiles.tasks.build_version_pdfs"


def build_pdfs_later(versions):
    """With background workers, have the versions' PDFs built as soon as
    they are published (once committed); without, the first download
    builds each, as before."""
    if not jobs.in_background():
        return
    ids = [version.pk for version in versions]
    transaction.on_commit(lambda: current_app.send_task(BUILD_PDFS, args=[ids]))


def _restore(profile, version):
    """Make the draft say what a version said, the way an import writes it."""
    try:
        restore_content(profile, version)
    except ProfileImportError as error:
        # The version names a level its framework no longer has.
        raise ValidationError(
            f"Version {version.number} cannot be restored: {error.message}"
        ) from error


@transaction.atomic
def start_draft(*, profile, version=None, confirmed=None) -> RoleProfile:
    """Reopen a published or archived profile as a draft, optionally from the
    content of one of its published versions.

    `confirmed`, when given, is the fingerprint of the content the caller
    last read (the API's If-Match): if it changed since, nothing is done."""
    profile = lock(profile)
    check_confirmed(
        profile_document(profile) if confirmed is not None else None,
        confirmed,
        "The profile changed since you read it, so no draft was started. Read it again.",
    )
    if profile.is_draft:
        raise ValidationError(f"'{profile.title}' is already a draft.")
    if version is not None:
        if version.profile_id != profile.pk:
            raise ValidationError("That version belongs to another profile.")
        _restore(profile, version)
    else:
        profile.status = RoleProfile.Status.DRAFT
        profile.save(update_fields=["status", "updated_at"])
    return profile


@transaction.atomic
def archive_profile(*, profile, confirmed=None) -> RoleProfile:
    """Withdraw a profile from use; its published versions stay readable.

    `confirmed` as for start_draft()."""
    profile = lock(profile)
    check_confirmed(
        profile_document(profile) if confirmed is not None else None,
        confirmed,
        "The profile changed since you read it, so it was not archived. Read it again.",
    )
    if profile.status == RoleProfile.Status.ARCHIVED:
        raise ValidationError(f"'{profile.title}' is already archived.")
    profile.status = RoleProfile.Status.ARCHIVED
    # Withdrawn: readers no longer find it until a new version is published.
    put_in_force(profile, None)
    profile.save(update_fields=["status", *RoleProfile.IN_FORCE_FIELDS, "updated_at"])
    return profile


@transaction.atomic
def discard_draft(*, profile, confirmed=None) -> RoleProfile:
    """Throw a draft's changes away: the profile says again what its version
    in force says, and is published again.

    `confirmed` is the fingerprint of the draft the person saw when they
    chose to discard it: if anyone changed the draft since, nothing is
    thrown away (ChangedSinceConfirmed). A profile never published has no
    version to go back to: archive it instead."""
    # Going back to a version writes its content the way an import does.

    profile = lock(profile)
    if not profile.is_draft:
        raise ValidationError(f"'{profile.title}' is not a draft; there is nothing to discard.")
    version = profile.published_version
    if version is None:
        raise ValidationError(
            f"'{profile.title}' has no published version in force to go back to, so the draft "
            "cannot be discarded; archive it instead."
        )
    check_confirmed(
        profile_document(profile),
        confirmed,
        "The draft changed while you were reading this page, so it was not discarded. "
        "Check the changes again before you discard them.",
    )
    _restore(profile, version)
    profile.status = RoleProfile.Status.PUBLISHED
    profile.save(update_fields=["status", "updated_at"])
    return profile
