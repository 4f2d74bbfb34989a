"""A real Celery worker for the tests: `celery -A competency worker` in a
subprocess, on the machine's Redis (database 1 only) and on the test's own
PostgreSQL database, with a queue and cache keys of this xdist worker's
own so that parallel test workers never take each other's tasks.

The worker reads only what the test has committed: tests that use it are
transactional (`django_db(transaction=True)`) and run on PostgreSQL (an
SQLite test database lives in the test process's memory)."""

import os
import signal
import subprocess
import time
from contextlib import contextmanager

import kombu.pools
import pytest
import redis
from celery import current_app
from django.db import connection

from tests.paths import ROOT

# Its own database number, so that two checkouts testing at once (or a
# developer's running worker) never take each other's tasks.
REDIS_URL = os.environ.get("TEST_WORKER_REDIS_URL") or "redis://127.0.0.1:6379/1"
READY_WITHIN = 60  # seconds: the machine is shared, and a worker imports Django


def xdist_name():
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


def queue_name():
    return f"competency-tests-{xdist_name()}"


def cache_prefix():
    return f"competency-tests-{xdist_name()}"


# The marks of a test that runs a worker: a transactional database (the
# worker reads what is committed), PostgreSQL (a worker process cannot reach
# SQLite's in-memory test database; skipped as a mark, so that no flush
# takes the migrations' rows away on SQLite), one pytest worker for them all.
NEEDS_A_WORKER = [
    # The flush after a transactional test empties every table; the groups
    # the migrations made are put back before each test (tests/conftest.py).
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="a worker cannot reach SQLite's test database"
    ),
    pytest.mark.xdist_group("celery-worker"),
]


def needs_a_worker(test):
    """NEEDS_A_WORKER's marks on one test."""
    for mark in NEEDS_A_WORKER:
        test = mark(test)
    return test


def needs_redis_and_postgres():
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as error:
        pytest.fail(f"Redis is not answering at {REDIS_URL} (make redis starts it): {error}")


def database_url():
    settings = connection.settings_dict
    password = f":{settings['PASSWORD']}" if settings["PASSWORD"] else ""
    return (
        f"postgres://{settings['USER']}{password}@{settings['HOST'] or '127.0.0.1'}:"
        f"{settings['PORT'] or 5432}/{settings['NAME']}"
    )


class Worker:
    """One worker process (its own process group: killing it kills its pool
    too, as stopping a container would)."""

    def __init__(self, log_path, pause=0.0):
        environment = {
            **os.environ,
            "DATABASE_URL": database_url(),
            "REDIS_URL": REDIS_URL,
            "CELERY_QUEUE": queue_name(),
            "CACHE_KEY_PREFIX": cache_prefix(),
            # A message whose worker died is delivered again after this long.
            "CELERY_VISIBILITY_TIMEOUT": "2",
            "BACKGROUND_JOBS_PAUSE_FOR_TESTS": str(pause),
            "SECRET_KEY": "tests-only",
            "DJANGO_SETTINGS_MODULE": "competency.settings",
        }
        self.log_path = log_path
        self.log = open(log_path, "w")  # noqa: SIM115 (closed in stop())
        self.process = subprocess.Popen(
            [
                str(ROOT / ".venv" / "bin" / "celery"),
                "-A",
                "competency",
                "worker",
                "--pool=prefork",
                "--concurrency=1",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "--loglevel=INFO",
                f"--hostname=tests-{xdist_name()}-{time.monotonic_ns()}@localhost",
            ],
            cwd=ROOT,
            env=environment,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.wait_for("ready.")

    def output(self):
        return self.log_path.read_text(errors="replace")

    def wait_for(self, text, within=READY_WITHIN):
        deadline = time.monotonic() + within
        while text not in self.output():
            if self.process.poll() is not None:
                raise AssertionError(f"the worker stopped:\n{self.output()}")
            if time.monotonic() > deadline:
                raise AssertionError(f"the worker never said {text!r}:\n{self.output()}")
            time.sleep(0.2)

    def kill(self):
        """SIGKILL to the worker and its pool at once: no goodbye, no ack."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)

    def stop(self):
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()
        self.log.close()


@contextmanager
def sending_to_workers():
    """Tasks sent from the test process go to this test worker's queue on
    Redis, as they would with a broker configured; in the request again
    afterwards."""
    conf = current_app.conf
    before = {
        "broker_url": conf.broker_url,
        "task_always_eager": conf.task_always_eager,
        "task_default_queue": conf.task_default_queue,
    }
    client = redis.Redis.from_url(REDIS_URL)
    client.delete(queue_name())
    conf.update(broker_url=REDIS_URL, task_always_eager=False, task_default_queue=queue_name())
    forget_connections()
    try:
        yield
    finally:
        conf.update(**before)
        forget_connections()
        client.delete(queue_name())
        for key in client.scan_iter(f"{cache_prefix()}:*"):
            client.delete(key)


def forget_connections():
    """Celery keeps the broker's connection pool and the queues it routes
    to from the first task sent: make them again from the configuration."""
    app = current_app
    kombu.pools.reset()  # closes them, and forgets them
    app._pool = None
    for name in ("queues", "default_queue", "router", "_producer_pool"):
        app.amqp.__dict__.pop(name, None)


# Fixtures for a module whose tests send tasks to one worker each (the
# conftest registers this module as a plugin); a module that needs its
# worker made otherwise defines its own `worker`.
@pytest.fixture
def broker():
    """Tasks sent during the test go to Redis, for a worker to take."""
    needs_redis_and_postgres()
    with sending_to_workers():
        yield


@pytest.fixture
def worker(broker, tmp_path):
    """A worker of the test's own, stopped after it."""
    running = Worker(tmp_path / "worker.log")
    yield running
    running.stop()


def progress_reported(job):
    """Whether the worker has reported progress on the job, read from
    Redis as the web's cache would (Django's key: prefix, version, key)."""
    client = redis.Redis.from_url(REDIS_URL)
    return bool(client.exists(f"{cache_prefix()}:1:job-progress:{job.pk}"))


def wait_until(condition, within=60, what="the condition"):
    deadline = time.monotonic() + within
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {within} s for {what}")
        time.sleep(0.2)
