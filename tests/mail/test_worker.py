"""The outbox with a real Celery worker (tests/workers.py): a move made
while the mail server is down commits at once; the worker's task retries
with backoff and, once the server is back, delivers the mail exactly once."""

import pytest

from appraisals import workflow
from appraisals.models import Stage
from competency.models import OutboundMail
from tests.workers import (
    NEEDS_A_WORKER,
    Worker,
    needs_redis_and_postgres,
    sending_to_workers,
    wait_until,
)

pytestmark = NEEDS_A_WORKER


@pytest.fixture
def worker(smtp_down, tmp_path, monkeypatch):
    needs_redis_and_postgres()
    # The worker's settings come from its environment: this test's SMTP
    # server (down for now), and retries half a second apart, doubling.
    monkeypatch.setenv("EMAIL_URL", f"smtp://127.0.0.1:{smtp_down.port}")
    monkeypatch.setenv("MAIL_RETRY_SECONDS", "0.5")
    monkeypatch.setenv("SITE_URL", "http://testserver")
    with sending_to_workers():
        running = Worker(tmp_path / "worker.log")
        yield running
        running.stop()


def test_with_the_server_down_the_worker_retries_and_delivers_once(
    cast, appraisal, smtp_down, worker
):
    OutboundMail.objects.all().delete()  # the cast's recorded opening's
    workflow.start_self_assessment(
        appraisal=appraisal, by=cast.manager.account, confirmed_stage=Stage.DRAFT
    )
    row = OutboundMail.objects.get()
    wait_until(
        lambda: OutboundMail.objects.get(pk=row.pk).attempts >= 1,
        what="the worker's first attempt",
    )
    assert OutboundMail.objects.get(pk=row.pk).state == OutboundMail.State.PENDING
    smtp_down.start()
    wait_until(
        lambda: OutboundMail.objects.get(pk=row.pk).state == OutboundMail.State.SENT,
        what="the worker to deliver once the server is back",
    )
    [message] = smtp_down.messages
    assert message["To"] == cast.person.email
    assert f"http://testserver/appraisals/{appraisal.pk}/" in smtp_down.text(message)
    assert "Retry in" in worker.output()
