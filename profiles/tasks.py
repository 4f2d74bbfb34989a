"""The profiles' background work: each published version's PDF, built by
a worker as soon as the version is published (profiles.lifecycle sends the
task), so that its first reader does not wait for WeasyPrint (0.8–1.3 s a
version). Without a broker nothing is sent: the first download builds it,
as before, rather than every publication waiting for a PDF nobody may ask
for yet.

HR's confirmed imports (a role profile, a framework): written by a worker
when the file is large and a broker is configured, in the request otherwise
(profiles.uploads.in_request); either way as a background job
(competency/jobs.py), its file read from the PendingUpload it was claimed
from, so that no web process's disk is needed."""

from celery import shared_task
from django.core.exceptions import ValidationError
from django.db import InterfaceError, OperationalError
from django.urls import reverse

from competency import jobs
from competency.models import BackgroundJob
from competency.tables import FileImportError
from profiles import uploads
from profiles.documents import ChangedSinceConfirmed, ProfileImportError
from profiles.downloads import Download, version_state
from profiles.importing.batch import import_profiles
from profiles.importing.framework_import import import_framework
from profiles.importing.parsing import read_profile
from profiles.lifecycle import BUILD_PDFS
from profiles.models import ProfileVersion
from profiles.pdf import Rendering

# Lost connections and deadlocks are worth another go; each attempt's
# transaction wrote nothing.
RETRIED = (OperationalError, InterfaceError)


@shared_task(
    name=BUILD_PDFS,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=True,
    max_retries=5,
    acks_late=True,
)
def build_version_pdfs(version_ids):
    """Build and keep the PDF of each version, as its download would. Safe
    to run again: a PDF already kept for the same rendering is not built
    twice (profiles.pdf.Rendering)."""
    for version in ProfileVersion.objects.filter(pk__in=version_ids).select_related("profile"):
        profile = version.profile
        download = Download(profile, version.document, version, version_state(profile, version))
        Rendering(download).pdf()


# --- HR's imports ------------------------------------------------------------


def start_profile_import(upload, *, by, publish, update_shared, api=None):
    """Write the previewed role profile (see import_profiles for what is
    compared first). Returns the job (profiles.uploads.start_import).
    `api`: the root address of the API call that started it, whose caller
    follows the job (competency.jobs.for_api)."""
    return uploads.start_import(
        import_profile,
        kind=BackgroundJob.Kind.IMPORT_PROFILE,
        title=f"Importing {upload.name}",
        upload=upload,
        by=by,
        params={
            "publish": publish,
            "update_shared": update_shared,
            **uploads.followed(api, back=reverse("imports:profile")),
        },
    )


@shared_task(
    base=jobs.JobTask, autoretry_for=RETRIED, retry_backoff=True, max_retries=5, acks_late=True
)
def import_profile(job_id):
    jobs.run(job_id, _import_profile)
    uploads.forget_claimed(BackgroundJob.objects.get(pk=job_id))


DONE = {"created": "Imported", "updated": "Updated the draft of", "unchanged": "No changes to"}


def _import_profile(job, progress):
    upload = uploads.claimed_by(job)
    options, update = upload.options, job.params["update_shared"]
    slug = options["slug"]
    # A page's confirmation always names what was previewed ('' for a new
    # profile); an API call only when it sends `confirmed`.
    confirmed, shared = options["fingerprint"], options.get("shared_fingerprint")
    progress(0, 1)
    try:
        # The import compares the profile (and, when shared texts are to be
        # rewritten, those texts) with what was previewed, under their row
        # locks: if someone changed them since, nothing is written.
        (result,) = import_profiles(
            [read_profile(bytes(upload.data), upload.name)],
            publish=job.params["publish"],
            user=job.started_by,
            confirmed=None if confirmed is None else {slug: confirmed},
            update_shared_texts=update,
            confirmed_shared={slug: shared} if update and shared is not None else None,
        )
    except ChangedSinceConfirmed:
        raise
    except (ProfileImportError, ValidationError) as error:
        message = error.message if hasattr(error, "message") else " ".join(error.messages)
        raise ValidationError(f"Nothing was imported: {message}") from error
    if jobs.for_api(job):
        path = reverse("api:profile-detail", args=[result.profile.slug])
        return result.as_json(jobs.absolute(job, path))
    text = f"{DONE[result.action]} ‘{result.profile.title}’"
    if result.version:
        text += f" and published it as version {result.version.number}"
    kept = [shared for shared in result.shared if not shared.updated]
    if kept:
        text += (
            f". It shows the catalogue's current text of {len(kept)} skill text(s) that "
            "other profiles share"
        )
    return {
        "message": text + ".",
        "url": reverse("profiles:detail", args=[result.profile.slug]),
        "link_text": f"See ‘{result.profile.title}’",
        "action": result.action,
        "version": result.version.number if result.version else None,
    }


def start_framework_import(upload, *, by, api=None):
    """Write the previewed framework file, if the catalogue is still as
    previewed. Returns the job (profiles.uploads.start_import); `api` as
    for start_profile_import."""
    return uploads.start_import(
        import_framework_file,
        kind=BackgroundJob.Kind.IMPORT_FRAMEWORK,
        title=f"Importing {upload.name}",
        upload=upload,
        by=by,
        params=uploads.followed(api, back=reverse("imports:framework")),
    )


@shared_task(
    base=jobs.JobTask, autoretry_for=RETRIED, retry_backoff=True, max_retries=5, acks_late=True
)
def import_framework_file(job_id):
    jobs.run(job_id, _import_framework)
    uploads.forget_claimed(BackgroundJob.objects.get(pk=job_id))


def _import_framework(job, progress):
    upload = uploads.claimed_by(job)
    try:
        outcome = import_framework(
            bytes(upload.data),
            upload.name,
            format=upload.options["format"],
            confirmed=upload.options["fingerprint"],
            progress=jobs.Counting(progress),
        )
    except FileImportError as error:
        raise ValidationError(f"Nothing was imported: {uploads.describe(error)}") from error
    if jobs.for_api(job):
        return outcome.as_json()
    return {
        "message": f"Framework imported from {upload.name}.",
        "lines": outcome.lines,
        # The drafts it made or changed: the point of the page.
        "heading": "Draft profiles it created or changed" if outcome.profiles else "",
        "links": [
            {"url": reverse("profiles:detail", args=[slug]), "text": title}
            for title, slug in outcome.profiles
        ],
        "url": reverse("catalogue:index"),
        "link_text": "Go to the catalogue",
    }
