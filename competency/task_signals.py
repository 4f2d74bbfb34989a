"""Celery's side of the request id and the failure counter, connected only
when Celery is installed (imported by CompetencyConfig.ready()).

- A task queued while a request is handled carries the request's id in its
  message headers (`before_task_publish`), and the worker runs it under that
  id (`task_prerun` / `task_postrun`), so the task's log lines name the
  request that caused them. A task queued outside a request (a schedule, a
  command) runs under its own task id.
- Every task that raises counts once in
  `competency_celery_task_failures_total{task=...}` (`task_failure`).
"""

from competency import metrics, request_id

try:
    from celery import signals
except ImportError:  # Celery is optional until the tasks' branch lands
    signals = None

HEADER = "request_id"

# The contextvar tokens of the tasks running in this process, by task id,
# to restore what was there before when each ends.
_tokens = {}


def add_request_id(headers=None, **kwargs):
    current = request_id.get()
    if headers is not None and current != request_id.NONE:
        headers.setdefault(HEADER, current)


def bind_request_id(task_id=None, task=None, **kwargs):
    carried = task.request.get(HEADER) if task is not None else None
    current = request_id.get()
    value = carried or (current if current != request_id.NONE else task_id)
    _tokens[task_id] = request_id.enter(value)


def unbind_request_id(task_id=None, **kwargs):
    token = _tokens.pop(task_id, None)
    if token is not None:
        request_id.leave(token)


def count_failure(sender=None, **kwargs):
    metrics.TASK_FAILURES.labels(task=getattr(sender, "name", "unknown")).inc()


def connect():
    """Hook the handlers to Celery's signals (weakly held: module functions)."""
    if signals is None:
        return False
    signals.before_task_publish.connect(add_request_id, dispatch_uid="competency.request_id")
    signals.task_prerun.connect(bind_request_id, dispatch_uid="competency.request_id")
    signals.task_postrun.connect(unbind_request_id, dispatch_uid="competency.request_id")
    signals.task_failure.connect(count_failure, dispatch_uid="competency.task_failures")
    return True
