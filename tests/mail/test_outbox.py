"""The outbox (competency/mail.py) through a real SMTP server on 127.0.0.1:
mail queued in a transaction goes out once after the commit, never for a
transaction that rolled back, and waits (without failing anything) while
the server is down."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from competency import mail
from competency.mail import deliver_mail
from competency.models import OutboundMail
from tests.smtp import REFUSED_DOMAIN

# The test's own transaction stands for the move's: the callbacks queued for
# its commit run when the `commits` block ends (no transactional flush).
pytestmark = pytest.mark.django_db

State = OutboundMail.State


def queue_note(key="note:1", to="ada@example.com"):
    return mail.queue(
        key=key,
        to=to,
        subject="A note",
        template="mail/notice",
        context={
            "recipient": "Ada",
            "paragraphs": ["Hello: something waits for you."],
            "url": mail.absolute("/appraisals/1/"),
        },
    )


def test_a_mail_queued_in_a_transaction_goes_out_once_after_the_commit(smtp, commits):
    with commits():
        queue_note()
        assert smtp.messages == []  # not before the commit
    [message] = smtp.messages
    assert message["To"] == "ada@example.com"
    assert message["Subject"] == "A note"
    assert "Hello: something waits for you.\n\nOpen the page:\nhttp://testserver/appraisals/1/" in (
        smtp.text(message).replace("\r\n", "\n")
    )
    assert 'href="http://testserver/appraisals/1/"' in smtp.html(message)
    assert OutboundMail.objects.get().state == State.SENT
    deliver_mail.delay()
    assert len(smtp.messages) == 1


def test_the_same_key_again_queues_nothing(smtp, commits):
    with commits():
        assert queue_note() == 1
    with commits():
        assert queue_note() == 0
    assert len(smtp.messages) == 1


def test_a_transaction_that_rolled_back_sends_nothing(smtp, commits):
    with commits() as callbacks, pytest.raises(RuntimeError), transaction.atomic():
        queue_note()
        raise RuntimeError("the move failed")
    assert callbacks == []
    deliver_mail.delay()
    assert smtp.messages == []
    assert not OutboundMail.objects.exists()


def test_no_address_no_mail_and_no_error(smtp):
    assert queue_note(to="") == 0
    assert not OutboundMail.objects.exists()


def test_with_the_server_down_the_mail_waits_then_goes_once(smtp_down, commits):
    with commits():
        queue_note()  # the server is down: nothing fails
    row = OutboundMail.objects.get()
    assert row.state == State.PENDING
    assert row.attempts == 1
    assert "Connection refused" in row.last_error or "Errno" in row.last_error
    assert row.next_attempt_at > timezone.now()

    smtp_down.start()
    deliver_mail.delay()  # not due yet: the backoff holds it
    assert smtp_down.messages == []
    later = timezone.now() + timedelta(seconds=mail.backoff(1) + 1)
    assert mail.deliver(now=later).sent == 1
    assert mail.deliver(now=later).sent == 0
    assert len(smtp_down.messages) == 1
    row.refresh_from_db()
    assert (row.state, row.attempts, row.last_error) == (State.SENT, 2, "")


def test_an_address_refused_for_good_is_not_tried_again_and_is_told(smtp, commits):
    told = []

    def receiver(sender, address, reason, mail, **kwargs):
        told.append((address, reason))

    mail.address_refused.connect(receiver)
    try:
        with commits():
            queue_note(key="note:bad", to=f"nobody@{REFUSED_DOMAIN}")
            queue_note(key="note:good")
    finally:
        mail.address_refused.disconnect(receiver)
    assert told == [(f"nobody@{REFUSED_DOMAIN}", "550 5.1.1 No such user here")]
    assert OutboundMail.objects.get(key="note:bad").state == State.REFUSED
    assert [m["To"] for m in smtp.messages] == ["ada@example.com"]


def test_the_message_id_is_the_same_on_every_attempt(smtp, commits):
    with commits():
        queue_note()
    row = OutboundMail.objects.get()
    assert smtp.messages[0]["Message-ID"] == mail.message_id(row)


def test_it_gives_up_after_the_last_attempt(smtp_down, settings, commits):
    settings.MAIL_MAX_ATTEMPTS = 2
    with commits():
        queue_note()
    mail.deliver(now=timezone.now() + timedelta(days=1))
    assert OutboundMail.objects.get().state == State.FAILED


def test_queue_many_writes_in_constant_queries(smtp, commits, django_assert_max_num_queries):
    mails = [
        mail.Mail(
            key=f"note:{n}",
            to=f"p{n}@example.com",
            subject="A note",
            template="mail/notice",
            context={"paragraphs": ["Hi"], "url": "/"},
        )
        for n in range(40)
    ]
    with commits(), django_assert_max_num_queries(2):
        assert mail.queue_many(mails) == 40
    assert OutboundMail.objects.filter(state=State.SENT).count() == 40
    assert len(smtp.messages) == 40


def test_the_command_sends_what_is_due_for_cron(smtp_down, commits):
    from io import StringIO

    from django.core.management import call_command

    with commits():
        queue_note()  # down: waits
    smtp_down.start()
    OutboundMail.objects.update(next_attempt_at=timezone.now())
    out = StringIO()
    call_command("deliver_mail", stdout=out)
    assert out.getvalue().strip() == "1 sent, 0 refused, 0 to try again later, 0 given up."
    assert len(smtp_down.messages) == 1
