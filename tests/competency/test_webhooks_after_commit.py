"""Deliveries leave after the change commits, and never delay the answer:
without a broker on a thread of the web process, with one from a real
Celery worker. Transactional tests (the sender reads what was committed)."""

import time

import pytest
from django.db import connection

from competency import webhooks
from competency.api.models import Webhook, WebhookDelivery
from profiles import lifecycle
from tests import factories
from tests.receivers import receiving
from tests.workers import (
    Worker,
    needs_a_worker,
    needs_redis_and_postgres,
    sending_to_workers,
    wait_until,
)

URL = "/api/v1/profiles/"


def subscribe(owner, url):
    return Webhook.objects.create(
        name="HR system",
        url=url,
        events=["profile.version_published"],
        owner=owner,
        secret=Webhook.new_secret(),
    )


def publish_over_the_api(api, profile):
    path = f"{URL}{profile.slug}/"
    etag = api.get(path)["ETag"]
    started = time.monotonic()
    response = api.post(
        f"{path}publish/", {"change_note": "First"}, format="json", HTTP_IF_MATCH=etag
    )
    assert response.status_code == 200, response.content
    return time.monotonic() - started


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite's test database is the test thread's own"
)
def test_a_receiver_that_never_answers_does_not_delay_the_page(hr_api, hr_user, settings):
    settings.WEBHOOK_TIMEOUT_SECONDS = 1
    profile = factories.RoleProfileFactory()
    with receiving(silent=True) as receiver:
        subscribe(hr_user, receiver.url)
        took = publish_over_the_api(hr_api, profile)
        # Answered while the receiver still holds the POST.
        assert took < settings.WEBHOOK_TIMEOUT_SECONDS
        webhooks.wait_for_threads()
        assert len(receiver.arrivals) == 1
    attempt = WebhookDelivery.objects.get().attempt_log.get()
    assert attempt.status is None and "within 1" in attempt.error
    assert attempt.duration_ms >= 900


@pytest.fixture
def worker(tmp_path, monkeypatch):
    needs_redis_and_postgres()
    # The worker's settings come from its environment: the receiver is on
    # 127.0.0.1, and a retry waits one second rather than thirty.
    monkeypatch.setenv("WEBHOOK_ALLOW_PRIVATE", "true")
    monkeypatch.setenv("WEBHOOK_RETRY_SECONDS", "1")
    with sending_to_workers():
        running = Worker(tmp_path / "worker.log")
        yield running
        running.stop()


@needs_a_worker
def test_with_a_broker_a_worker_delivers_and_retries_after_the_backoff(worker, hr_user):
    with receiving(answers=[503, 200]) as receiver:
        subscribe(hr_user, receiver.url)
        lifecycle.publish_profile(profile=factories.RoleProfileFactory(), change_note="x")
        # Nothing was sent in the publishing call: the task was queued.
        assert receiver.arrivals == []
        wait_until(
            lambda: WebhookDelivery.objects.get().state == "delivered",
            within=60,
            what="the worker to deliver it, once retried",
        )
    assert len(receiver.arrivals) == 2
    attempts = list(WebhookDelivery.objects.get().attempt_log.all())
    assert [attempt.status for attempt in attempts] == [503, 200]
    assert (attempts[1].at - attempts[0].at).total_seconds() >= 1
