"""The appraisals' background work (Celery tasks; competency/jobs.py says
how a job runs): opening a cycle for a scope; the daily reminders and HR's reminder of
everyone late.

Opening a cycle for a whole organisation writes hundreds of thousands of
rows: with a broker configured it runs in a worker, and HR's page (or the
API's 202) points at the job's page, which shows how far it has got and
then what it did. Without a broker it runs in the request, as before."""

from datetime import date

from celery import shared_task
from django.db import InterfaceError, OperationalError
from django.urls import reverse

from appraisals import cycles, reminders
from appraisals.models import Cycle
from competency import jobs
from competency.models import BackgroundJob

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
