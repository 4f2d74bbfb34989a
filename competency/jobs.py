"""Background jobs: start a piece of work as a Celery task, follow it on
its page, and run it so that a task delivered twice, retried, or killed
half-way leaves no half-written work.

- start() records a BackgroundJob and sends its task: after the request's
  transaction commits when a broker is configured, at once in the request
  when none is (task_always_eager: the job is finished when start returns).
- run() is what a task does with its job: mark it running (a short
  transaction of its own, so that the page says so), then do the work and
  mark the job done in ONE transaction that writes everything or nothing,
  with the job's row locked. A second delivery of the same message (a
  retry, or the broker's redelivery after a worker died) waits for that
  lock and then finds the job done, and does nothing; a worker killed
  mid-task leaves the transaction to roll back, and the redelivered message
  does the work from the start.
- Progress is written to the cache (Redis when configured, shared by the
  web and the workers), because the job's own row only changes when its
  transaction commits.
"""

import time
from contextlib import contextmanager
from types import SimpleNamespace
from urllib.parse import urljoin

from celery import Task, current_app
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from simple_history.models import HistoricalRecords

from competency import problems
from competency.models import BackgroundJob

State = BackgroundJob.State

# What a job that stopped on an error says; its transaction wrote nothing.
BROKE = (
    "The work stopped on an error, and nothing was changed. Try again; if it happens again, "
    "tell the people who run this service."
)


def in_background():
    """Whether tasks go to a worker (a broker is configured), rather than
    running in the request."""
    return not current_app.conf.task_always_eager


def start(task, *, kind, title, by, params=None, here=False):
    """Record a job for `task` (a Celery task taking the job's id) and send
    it; or, with `here` (work small enough not to be worth a worker), run
    it in the request even when a broker is configured."""
    job = BackgroundJob.objects.create(kind=kind, title=title, started_by=by, params=params or {})
    if in_background() and not here:
        # The worker must find the job's row: send once it is committed.
        transaction.on_commit(lambda: task.delay(str(job.pk)))
    else:
        if in_background():
            task.apply((str(job.pk),), throw=True)
        else:
            task.delay(str(job.pk))
        job.refresh_from_db()
    return job


# Jobs whose page only HR may see, whoever started them: an import's result
# names people and profiles that only HR's pages show.
HR_ONLY = [
    BackgroundJob.Kind.IMPORT_PROFILE,
    BackgroundJob.Kind.IMPORT_FRAMEWORK,
    BackgroundJob.Kind.IMPORT_PEOPLE,
]


def visible_to(user):
    """The jobs `user` may follow: their own (but no import unless they are
    HR), and every one for HR."""
    from competency.roles import is_hr

    jobs = BackgroundJob.objects.all()
    if not (user and user.is_authenticated):
        return jobs.none()
    return jobs if is_hr(user) else jobs.filter(started_by=user).exclude(kind__in=HR_ONLY)


class JobTask(Task):
    """The base of every job's task: when a task has failed for good (no
    retry left), its job says so."""

    def on_failure(self, exc, task_id, args, kwargs, einfo):
        if args:
            BackgroundJob.objects.filter(pk=args[0]).exclude(
                state__in=[State.DONE, State.FAILED]
            ).update(state=State.FAILED, error=BROKE, finished_at=timezone.now())


def run(job_id, work):
    """Do `work(job, progress)` for the job, once; its return value (JSON)
    is the job's result. A ValidationError is a refusal: the job fails
    with its message and nothing is written."""
    with transaction.atomic():
        job = BackgroundJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.finished:
            return
        job.state = State.RUNNING
        job.attempts += 1
        job.started_at = job.started_at or timezone.now()
        job.save(update_fields=["state", "attempts", "started_at"])
    try:
        with transaction.atomic(), acting_as(job.started_by):
            job = BackgroundJob.objects.select_for_update().get(pk=job_id)
            if job.finished:
                return  # done by an earlier delivery while this one waited
            result = work(job, Progress(job))
            job.state = State.DONE
            job.result = result
            job.done = job.total if job.total is not None else job.done
            job.finished_at = timezone.now()
            job.save(update_fields=["state", "result", "done", "total", "finished_at"])
    except ValidationError as refusal:
        BackgroundJob.objects.filter(pk=job_id).update(
            # One message a line: the job's page lists them (a file's errors, each
            # naming its row).
            state=State.FAILED,
            error="\n".join(refusal.messages),
            result=answered(refusal) if for_api(job) else None,
            finished_at=timezone.now(),
        )
    finally:
        cache.delete(progress_key(job_id))


def for_api(job):
    """Whether a caller of the API follows the job (the call that started it
    answered 202): its result is then what the call answers when it runs in
    the request, its body when done and its problem details when refused,
    so that the caller reads one shape either way. Set by the job's start
    function, with the API's root address (for the links in that body)."""
    return bool(job.params.get("api"))


def absolute(job, path):
    """An address of the site's (a path) as the API's bodies give it, whole:
    the job's root is the address of the request that started it, at the
    host's root where the service is served."""
    return urljoin(job.params["api"], path)


def answered(refusal):
    """The refusal as the API answers it (competency.problems.details): as
    the importer's own exception says, when the work raised the refusal
    from it (the page's words around it, the exception's status, type and
    rows within), else as the refusal itself says."""
    cause = refusal.__cause__
    return (cause is not None and problems.details(cause)) or problems.details(refusal)


@contextmanager
def acting_as(user):
    """Record the work's history under the person who started the job, as a
    request of theirs would be (competency.history, simple-history)."""
    context = HistoricalRecords.context
    before = getattr(context, "request", None)
    if before is None:
        context.request = SimpleNamespace(user=user)
    try:
        yield
    finally:
        if before is None:
            del context.request


def progress_key(job_id):
    return f"job-progress:{job_id}"


class Progress:
    """Called by the work as it goes: progress(done, total)."""

    def __init__(self, job):
        self.job = job

    def __call__(self, done, total):
        self.job.done, self.job.total = done, total
        cache.set(progress_key(self.job.pk), [done, total], timeout=24 * 3600)
        pause = settings.BACKGROUND_JOBS_PAUSE_FOR_TESTS
        if pause:
            # Only when the tests ask (BACKGROUND_JOBS_PAUSE_FOR_TESTS): a
            # step that lasts long enough to kill the worker in the middle,
            # its rows written and not committed (the last batch's too).
            time.sleep(pause)


class Counting:
    """The importers' way of reporting progress, progress(iterable, label)
    around each loop, turned into the job's: the items of every loop so far
    are the total, those gone through are done. Reported about a hundred
    times a loop, not once an item (each report is a write to the cache)."""

    def __init__(self, progress):
        self.progress = progress
        self.done = 0
        self.total = 0

    def __call__(self, iterable, label=""):
        items = iterable if hasattr(iterable, "__len__") else list(iterable)
        self.total += len(items)
        step = max(1, len(items) // 100)
        self.progress(self.done, self.total)
        for count, item in enumerate(items, 1):
            yield item
            self.done += 1
            if count % step == 0 or count == len(items):
                self.progress(self.done, self.total)


def progress(job):
    """(done, total) as far as known: the worker's last report while the
    job runs, the job's row otherwise; total is None until known."""
    if job.state == State.RUNNING:
        reported = cache.get(progress_key(job.pk))
        if reported:
            return tuple(reported)
    return job.done, job.total
