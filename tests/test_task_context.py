"""Celery's side (competency/task_signals.py), with a real worker and the
machine's real Redis as broker: a task queued during a request runs under
the request's id, and a task that raises is counted on /metrics. Skipped
until Celery is installed (the tasks' branch brings it)."""

import os
import re
import time

import pytest

from competency import request_id
from competency.celery import app as competency_app

celery = pytest.importorskip("celery")
from celery.contrib.testing.worker import start_worker  # noqa: E402

REDIS_URL = os.environ.get("TEST_REDIS_URL") or "redis://127.0.0.1:6379/4"
# One worker runs the module, so its Celery worker starts once per run.
pytestmark = pytest.mark.xdist_group("celery-worker")


@pytest.fixture(scope="module")
def worker(worker_id):
    # Not the current app: the application's (competency/celery.py) stays
    # current, so tests run after these on this worker still find tasks run
    # in the request (no broker configured under the tests).
    app = celery.Celery(
        "competency-tests", broker=REDIS_URL, backend=REDIS_URL, set_as_current=False
    )
    # Parallel test workers share the Redis database: each its own queue.
    app.conf.task_default_queue = f"test-task-context-{worker_id}"
    app.conf.broker_connection_retry_on_startup = False

    @app.task(name="tests.which_request", shared=False)
    def which_request():
        return request_id.get()

    @app.task(name="tests.always_fails", shared=False)
    def always_fails():
        raise ValueError("as intended")

    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            yield app
    finally:
        # start_worker makes its app current for its thread and this one,
        # and the default of every other thread (a test's threads too).
        competency_app.set_current()
        competency_app.set_default()


def failures(client):
    page = client.get("/metrics").content.decode()
    found = re.search(
        r'^competency_celery_task_failures_total\{task="tests.always_fails"\} (\S+)$',
        page,
        re.MULTILINE,
    )
    return float(found.group(1)) if found else 0.0


def test_a_task_queued_during_a_request_runs_under_its_id(worker):
    with request_id.bound("req-42"):
        result = worker.tasks["tests.which_request"].delay()
    assert result.get(timeout=20) == "req-42"


def test_a_task_queued_outside_a_request_runs_under_its_own_task_id(worker):
    result = worker.tasks["tests.which_request"].delay()
    assert result.get(timeout=20) == result.id


@pytest.mark.django_db
def test_a_failed_task_is_counted_on_the_metrics_page(worker, client):
    before = failures(client)
    result = worker.tasks["tests.always_fails"].delay()
    with pytest.raises(ValueError):
        result.get(timeout=20)
    # Celery stores the result before it sends task_failure, so the count
    # may land a moment after get() returns: wait for it, within bounds.
    deadline = time.monotonic() + 10
    while failures(client) == before and time.monotonic() < deadline:
        time.sleep(0.05)
    assert failures(client) == before + 1
