"""The appraisals' background work (Celery tasks; competency/jobs.py says
how a job runs): opening a cycle for a scope; the daily reminders and HR's reminder of
everyone late.

Opening a cycle for a whole organisation writes hundreds of thousands of
rows: with a broker configured it runs in a worker, and HR's page (or the
API's 202) points at the job's page, which shows how far it has got and
then what it did. Without a broker it runs in the request, as before.

HR's people import, once its preview is confirmed, is a job too: written by
a worker when the file is large and a broker is configured, in the request
otherwise (profiles.uploads.in_request), its file read from the
PendingUpload it was claimed from."""

from datetime import date

from celery import shared_task
from django.core.exceptions import ValidationError
from django.db import InterfaceError, OperationalError
from django.urls import reverse

from appraisals import cycles, importing, reminders
from appraisals.models import Cycle
from competency import jobs
from competency.models import BackgroundJob
from profiles import uploads

# Lost connections and deadlocks are worth another go; each attempt's
# transaction wrote nothing.
RETRIED = (OperationalError, InterfaceError)


def start_opening(*, cycle, scope, by, confirmed=None, overlapping=None):
    """Open the cycle for the scope as a background job (see
    cycles.open_cycle for the arguments), after the checks that can be
    answered at once (CycleError, nothing started). Returns the job: done
    or failed already when there is no broker."""
    if jobs.in_background():
        cycles.check_opening(cycle=cycle, scope=scope, confirmed=confirmed, overlapping=overlapping)
    return jobs.start(
        open_cycle,
        kind=BackgroundJob.Kind.OPEN_CYCLE,
        title=f"Opening {cycle} for {scope}",
        by=by,
        params={
            "cycle": cycle.pk,
            "scope": scope.to_params(),
            "confirmed": confirmed,
            "overlapping": overlapping,
        },
    )


@shared_task(
    base=jobs.JobTask, autoretry_for=RETRIED, retry_backoff=True, max_retries=5, acks_late=True
)
def open_cycle(job_id):
    jobs.run(job_id, _open)


def _open(job, progress):
    params = job.params
    cycle = Cycle.objects.get(pk=params["cycle"])
    scope = cycles.Scope.from_params(params["scope"])
    opening = cycles.open_cycle(
        cycle=cycle,
        scope=scope,
        by=job.started_by,
        confirmed=params.get("confirmed"),
        overlapping=params.get("overlapping"),
        progress=progress,
    )
    return {
        "message": cycles.opened_message(cycle, scope, opening),
        "url": reverse("appraisals:cycle", kwargs={"pk": cycle.pk}),
        "link_text": f"See {cycle}",
        "created": len(opening.created),
        "skipped_count": len(opening.skipped),
        "overlapping_count": len(opening.overlapping),
    }


def start_people_import(upload, *, by, api=None):
    """Write the previewed people file in the mode previewed, if people are
    still as previewed (importing.apply_import). Returns the job; `api`: the
    root address of the API call that started it, whose caller follows the
    job (competency.jobs.for_api)."""
    return uploads.start_import(
        import_people,
        kind=BackgroundJob.Kind.IMPORT_PEOPLE,
        title=f"Importing {upload.name}",
        upload=upload,
        by=by,
        params=uploads.followed(api, back=reverse("appraisals:people_import")),
    )


@shared_task(
    base=jobs.JobTask, autoretry_for=RETRIED, retry_backoff=True, max_retries=5, acks_late=True
)
def import_people(job_id):
    jobs.run(job_id, _import_people)
    uploads.forget_claimed(BackgroundJob.objects.get(pk=job_id))


def _import_people(job, progress):
    upload = uploads.claimed_by(job)
    if "mode" not in upload.options:
        # Kept before imports had modes: read again with its mode chosen.
        raise ValidationError(uploads.EXPIRED)
    # A refusal (PeopleImportError: a problem a row; ChangedSincePreview) is
    # a ValidationError: the job fails with its messages, nothing written.
    plan = importing.apply_import(
        bytes(upload.data),
        upload.name,
        mode=upload.options["mode"],
        confirmed=upload.options["fingerprint"],
        progress=jobs.Counting(progress),
    )
    if jobs.for_api(job):
        return plan.written_as_json()
    return {
        "message": f"Imported {upload.name}: {plan.summary()}.",
        "url": reverse("appraisals:people"),
        "link_text": "See the people",
        "created": len(plan.created),
        "moved": len(plan.moved),
        "updated": len(plan.updated),
        "leavers": len(plan.leavers),
    }


# Reminders: each run claims what it sends (reminders.claim), so a retry or
# a second run on the same day sends nothing twice.
@shared_task(autoretry_for=RETRIED, retry_backoff=True, max_retries=3)
def send_reminders():
    return reminders.send_scheduled()


@shared_task(autoretry_for=RETRIED, retry_backoff=True, max_retries=3)
def remind_late(cycle_id, today=None):
    """HR's "Remind everyone who is late", in a worker when there is one."""
    cycle = Cycle.objects.get(pk=cycle_id)
    return reminders.remind_late(cycle, date.fromisoformat(today) if today else None)
