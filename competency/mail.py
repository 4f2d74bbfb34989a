"""The outbox: email written in the same transaction as the change it tells
of, and sent after the commit by a Celery task, with retries.

    from competency import mail

    mail.queue(
        key=f"appraisal-event:{event.pk}:to:{person.pk}",  # once per move and recipient
        to=person.email,
        subject="Your self-assessment is open",
        template="mail/appraisals/started",  # .txt, and .html if there is one
        context={"url": mail.absolute(path), ...},
    )

- queue() and queue_many() only write OutboundMail rows, in the caller's
  transaction: a move that rolls back leaves no mail, and a move never
  waits for, nor fails because of, the mail server. After the commit a task
  (deliver_mail, below) sends what is due: in a worker when a
  broker is configured, in the same process otherwise (one attempt; what
  fails waits for the next delivery or the schedule, never the request).
- Idempotent by key: queueing the same key again does nothing, so a move
  retried, or the same hand-off queued twice, sends one mail.
- Sending: each mail is claimed with its row locked (select_for_update,
  skip_locked: two workers never take the same mail), sent, and marked sent
  in that same transaction. A worker killed after the mail server accepted
  the message but before the commit leaves the row pending, and it is sent
  again: SMTP is at-least-once at that boundary, and nothing here can close
  it. The Message-ID is made from the key, the same on every attempt, so a
  receiving system may drop the duplicate.
- A temporary failure (the server down, a 4xx) is retried with exponential
  backoff (MAIL_RETRY_SECONDS, doubled each time) up to MAIL_MAX_ATTEMPTS,
  as the webhooks' outbox is (competency/outbox.py);
  a permanent refusal of the address (5xx to RCPT TO) is not retried: the
  row says REFUSED and `address_refused` is sent, so the app that knows
  whose address it is can record it (appraisals: on the person).
"""

import contextlib
import hashlib
import logging
import smtplib
from dataclasses import dataclass, field

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.dispatch import Signal
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.utils import timezone

from competency import outbox
from competency.models import OutboundMail

logger = logging.getLogger(__name__)

State = OutboundMail.State

# Sent (inside the sender's transaction) when the mail server refuses an
# address for good: address_refused.send(sender=OutboundMail, address=...,
# reason=..., mail=...).
address_refused = Signal()

BATCH = 1000  # rows written per INSERT by queue_many


@dataclass(frozen=True)
class Mail:
    """One mail to queue: see queue()."""

    key: str
    to: str
    subject: str
    template: str
    context: dict = field(default_factory=dict)


def absolute(path):
    """The address of a page of this site, for a mail: SITE_URL + path."""
    return settings.SITE_URL.rstrip("/") + path


def queue(*, key, to, subject, template, context=None):
    """Queue one mail in the current transaction, sent once it commits.

    `key`: what the mail is about and for whom, unique (at most 200
    characters); the same key again queues nothing. `to`: an address; an
    empty one queues nothing (a person without an email gets no mail).
    `template`: a template name without its extension: `<template>.txt`
    is the plain text, `<template>.html` (optional) the HTML part; both get
    `context` plus `site_url` and `subject`. Returns how many were queued
    (0 or 1)."""
    return queue_many([Mail(key=key, to=to, subject=subject, template=template, context=context)])


def queue_many(mails):
    """Queue many mails at once: rendered in memory, written a batch per
    INSERT, one send after the commit, whatever their number. Mails without
    an address, and keys queued before, are skipped. Returns how many were
    queued."""
    templates = {}  # each template read once per call, not once per mail
    rows = [_row(mail, templates) for mail in mails if (mail.to or "").strip()]
    if not rows:
        return 0
    keys = [row.key for row in rows]
    before = set(
        OutboundMail.objects.filter(key__in=keys).values_list("key", flat=True)
        if len(keys) <= BATCH
        else _existing(keys)
    )
    rows = [row for row in rows if row.key not in before]
    # A key queued by a concurrent transaction since is skipped by the
    # database (ignore_conflicts), not an error that rolls the move back.
    OutboundMail.objects.bulk_create(rows, batch_size=BATCH, ignore_conflicts=True)
    if rows:
        transaction.on_commit(send_soon, robust=True)
    return len(rows)


def _existing(keys):
    for start in range(0, len(keys), BATCH):
        yield from OutboundMail.objects.filter(key__in=keys[start : start + BATCH]).values_list(
            "key", flat=True
        )


def _templates(name, found):
    """(the text template, the HTML template or None) named `name`."""
    if name not in found:
        try:
            html = get_template(f"{name}.html")
        except TemplateDoesNotExist:
            html = None
        found[name] = (get_template(f"{name}.txt"), html)
    return found[name]


def _row(mail, templates):
    context = {**(mail.context or {}), "site_url": settings.SITE_URL, "subject": mail.subject}
    text, html = _templates(mail.template, templates)
    return OutboundMail(
        key=mail.key,
        to=mail.to.strip(),
        subject=mail.subject,
        text_body=text.render(context),
        html_body=html.render(context) if html else "",
    )


def send_soon():
    """Start a delivery: a task in a worker, or in this process without a
    broker (after the commit, so nothing the move wrote waits for it)."""
    deliver_mail.delay()


@shared_task(bind=True, max_retries=None, acks_late=True, ignore_result=True)
def deliver_mail(self):
    """Send the mail that is due; while some waits (the server was down),
    come back when the next is due: the rows keep their own backoff and
    attempt count, so a retry chain ends when the outbox is empty. Without
    a broker (in-process) it tries once and leaves the rest to the next
    delivery or the schedule, so that no request waits for the mail server."""
    if self.request.is_eager:
        # In the request that made the move: a few, so that the page is not
        # kept waiting for a long list (an opening's); the rest go with the
        # next delivery, the schedule or `manage.py deliver_mail`.
        deliver(limit=settings.MAIL_IN_REQUEST)
        return None
    done = deliver(limit=settings.MAIL_BATCH)
    if done.retry_in is not None:
        raise self.retry(countdown=done.retry_in)
    return {"sent": done.sent, "refused": done.refused, "postponed": done.postponed}


# --- sending ---------------------------------------------------------------------------


@dataclass
class Delivery:
    """What one delivery did, and when to try again (seconds), if ever."""

    sent: int = 0
    refused: int = 0
    failed: int = 0
    postponed: int = 0
    retry_in: float | None = None


def deliver(*, limit=500, now=None):
    """Send up to `limit` mails that are due, one at a time, each in its own
    transaction holding its row's lock (see the module's words). Stops at
    the first temporary failure: the server is likely down for the rest
    too, and they stay due for the next delivery. Never raises for the mail
    server's sake."""
    done = Delivery()
    connection = None
    try:
        for _ in range(limit):
            with transaction.atomic():
                mail = _claim(now)
                if mail is None:
                    break
                try:
                    if connection is None:
                        connection = get_connection(fail_silently=False)
                        connection.open()
                    _message(mail, connection).send()
                except smtplib.SMTPRecipientsRefused as refusal:
                    if _permanent(refusal):
                        _refused(mail, refusal, done)
                        continue
                    _postpone(mail, refusal, done)
                    break
                except (smtplib.SMTPException, OSError) as error:
                    _postpone(mail, error, done)
                    connection = _close(connection)
                    break
                mail.state, mail.sent_at = State.SENT, timezone.now()
                mail.attempts += 1
                mail.last_error = ""
                mail.save(update_fields=["state", "sent_at", "attempts", "last_error"])
                done.sent += 1
    finally:
        _close(connection)
    done.retry_in = _retry_in(done)
    return done


def _claim(now):
    return (
        outbox.due(OutboundMail.objects.select_for_update(skip_locked=True), now)
        .order_by("next_attempt_at", "id")
        .first()
    )


def message_id(mail):
    """The same Message-ID on every attempt of the same mail."""
    digest = hashlib.sha256(mail.key.encode()).hexdigest()[:32]
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2].strip("> ") or "localhost"
    return f"<{digest}@{domain}>"


def _message(mail, connection):
    message = EmailMultiAlternatives(
        subject=mail.subject,
        body=mail.text_body,
        to=[mail.to],
        connection=connection,
        headers={"Message-ID": message_id(mail), "Auto-Submitted": "auto-generated"},
    )
    if mail.html_body:
        message.attach_alternative(mail.html_body, "text/html")
    return message


def _permanent(refusal):
    codes = [code for code, _ in refusal.recipients.values()]
    return bool(codes) and all(500 <= code < 600 for code in codes)


def _refused(mail, refusal, done):
    code, words = next(iter(refusal.recipients.values()))
    reason = f"{code} {words.decode(errors='replace') if isinstance(words, bytes) else words}"
    mail.state, mail.last_error = State.REFUSED, reason
    mail.attempts += 1
    mail.save(update_fields=["state", "last_error", "attempts"])
    done.refused += 1
    logger.warning("mail refused", extra={"mail": mail.pk, "reason": reason})
    address_refused.send(sender=OutboundMail, address=mail.to, reason=reason, mail=mail)


def backoff(attempts):
    """Seconds before the next attempt after `attempts` failed ones."""
    return outbox.backoff(
        attempts, base=settings.MAIL_RETRY_SECONDS, cap=settings.MAIL_RETRY_MAX_SECONDS
    )


def _postpone(mail, error, done):
    mail.last_error = f"{type(error).__name__}: {error}"[:1000]
    given_up = (
        outbox.failed_attempt(
            mail, max_attempts=settings.MAIL_MAX_ATTEMPTS, delay=backoff, given_up=State.FAILED
        )
        is None
    )
    if given_up:
        done.failed += 1
    else:
        done.postponed += 1
    mail.save(update_fields=["attempts", "last_error", "state", "next_attempt_at"])
    logger.warning("mail not sent yet", extra={"mail": mail.pk, "error": mail.last_error})


def _retry_in(done):
    """Seconds to the next mail due, if any is waiting, for the task's
    retry."""
    if not (done.postponed or done.failed or done.sent):
        return None
    soonest = (
        OutboundMail.objects.filter(state=State.PENDING)
        .order_by("next_attempt_at")
        .values_list("next_attempt_at", flat=True)
        .first()
    )
    if soonest is None:
        return None
    return max((soonest - timezone.now()).total_seconds(), 0)


def _close(connection):
    if connection is not None:
        with contextlib.suppress(smtplib.SMTPException, OSError):
            connection.close()
    return None
