"""Webhooks: tell integrations what happened, signed, after it committed.

- emit(type, payload, subject) is called by the apps above (profiles,
  appraisals) where the change is made, inside its transaction: it writes
  the event and one delivery per subscribed webhook (an outbox), so a
  change that rolls back sends nothing, and one that commits is never lost.
- After the commit the deliveries are sent: by a Celery task when a broker
  is configured (never in the request), otherwise on a thread of this
  process, so that a slow receiver never delays the page either way.
- Each delivery is one signed POST (sign()), with a bounded time and a
  capped read of the answer; a failure is retried with exponential backoff
  (WEBHOOK_RETRY_SECONDS × 2ⁿ, WEBHOOK_MAX_ATTEMPTS in all), as mail is
  (competency/outbox.py), and every attempt is recorded with its status
  and duration.
- Deliveries go only to the URL registered, and only to a public address
  unless WEBHOOK_ALLOW_PRIVATE (SSRF): an address written in the URL is
  checked when it is saved, and whatever a name resolves to at each attempt,
  on the address actually connected to.
"""

import contextlib
import hashlib
import hmac
import http.client
import ipaddress
import json
import logging
import socket
import ssl
import threading
import time
import uuid
from datetime import timedelta
from urllib.parse import urlsplit

from celery import current_app
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import close_old_connections, transaction
from django.db.models import Q
from django.utils import timezone

from competency import outbox
from competency.api.models import Webhook, WebhookAttempt, WebhookDelivery, WebhookEvent
from competency.jobs import in_background
from competency.roles import is_hr

logger = logging.getLogger(__name__)

# The events an integration may subscribe to, with what each means.
EVENTS = {
    "profile.version_published": "A role profile's new version was published.",
    "person.joined": "A person was added.",
    "person.moved": "A person's line manager, role profile or job title changed.",
    "person.left": "A person's leaving date was recorded or changed.",
    "appraisal.stage_changed": "An appraisal moved from one stage to another.",
    "appraisal.signed_off": "An appraisal was signed by both and is complete.",
}

# The tasks (competency/tasks.py), sent by name: that module imports this one.
DELIVER = "competency.tasks.deliver_webhook"
SEND_DUE = "competency.tasks.send_due_webhooks"

SIGNATURE_HEADER = "Competency-Signature"
EVENT_ID_HEADER = "Competency-Event-Id"
EVENT_TYPE_HEADER = "Competency-Event"
DELIVERY_HEADER = "Competency-Delivery"
USER_AGENT = "Competency-Webhooks/1"

# A receiver's answer is read this far at most; this much of it is kept.
READ_LIMIT = 64 * 1024
EXCERPT = 500
State = WebhookDelivery.State


# --- raising events -------------------------------------------------------------------


def emit(type, payload, subject):
    """Record `type` (one of EVENTS) about `subject` ("person:12") for
    every active webhook subscribed to it, in the caller's transaction;
    sent once it commits. One query when nobody is subscribed."""
    emit_many(type, [(payload, subject)])


def emit_many(type, items):
    """emit() for many (payload, subject) pairs at once (an import): a
    fixed number of queries whatever their number."""
    if type not in EVENTS:
        raise ValueError(f"Unknown webhook event {type!r}.")
    if not items:
        return []
    hooks = subscribed(type)
    if not hooks:
        return []
    now = timezone.now()
    events = [
        WebhookEvent(id=uuid.uuid4(), type=type, subject=subject, payload=payload, created_at=now)
        for payload, subject in items
    ]
    WebhookEvent.objects.bulk_create(events)
    deliveries = WebhookDelivery.objects.bulk_create(
        WebhookDelivery(id=uuid.uuid4(), webhook=hook, event=event, created_at=now)
        for event in events
        for hook in hooks
    )
    ids = [delivery.pk for delivery in deliveries]
    transaction.on_commit(lambda: dispatch(ids))
    return ids


def wanted(*types):
    """Whether any active webhook is subscribed to any of `types`: for a
    caller whose payloads cost queries of their own (an import)."""
    return any(subscribed(type) for type in types)


def subscribed(type):
    """The active webhooks subscribed to `type`. Filtered in Python: a
    handful of rows, and JSON containment differs between databases."""
    return [hook for hook in Webhook.objects.filter(is_active=True) if type in hook.events]


# --- sending --------------------------------------------------------------------------


def dispatch(ids):
    """Send these deliveries, away from the request: a task each when a
    broker is configured, a thread of this process otherwise."""
    if in_background():
        for pk in ids:
            current_app.send_task(DELIVER, args=[str(pk)])
        return
    sender = threading.Thread(target=_send_on_thread, args=(ids,), daemon=True)
    _threads.add(sender)
    sender.start()


# The threads sending now, for wait_for_threads().
_threads = set()


def _send_on_thread(ids):
    try:
        for pk in ids:
            deliver(pk)
    except Exception:  # a thread's error would otherwise vanish
        logger.exception("Sending webhooks failed")
    finally:
        close_old_connections()
        _threads.discard(threading.current_thread())


def wait_for_threads(timeout=30):
    """Wait for the deliveries sent on threads (the tests, a command)."""
    for sender in list(_threads):
        sender.join(timeout)


def retry_delay(attempts):
    """Seconds before the next try, after `attempts` failed ones."""
    return outbox.backoff(attempts, base=settings.WEBHOOK_RETRY_SECONDS)


def claim(pk, *, now=None):
    """The delivery, claimed for one attempt, or None when it is not due,
    done, or another sender holds it. One UPDATE decides, so two senders
    never both send it."""
    now = now or timezone.now()
    until = now + timedelta(seconds=settings.WEBHOOK_TIMEOUT_SECONDS * 3)
    claimed = (
        outbox.due(WebhookDelivery.objects.filter(pk=pk), now)
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .update(claimed_until=until)
    )
    if not claimed:
        return None
    return WebhookDelivery.objects.select_related("webhook__owner", "event").get(pk=pk)


def deliver(pk):
    """One attempt at a delivery, if it is due and nobody else is sending
    it; records the attempt and decides what comes next. Returns the
    seconds until the next try (None: nothing more to do)."""
    delivery = claim(pk)
    if delivery is None:
        return None
    hook = delivery.webhook
    if not (hook.is_active and hook.owner.is_active and is_hr(hook.owner)):
        # Its owner may no longer see what it would say.
        _finish(delivery, State.FAILED)
        WebhookAttempt.objects.create(
            delivery=delivery,
            duration_ms=0,
            error="Not sent: the webhook is off, or its owner is no longer HR.",
        )
        return None
    outcome = post(hook.url, signing_secrets(hook), delivery)
    WebhookAttempt.objects.create(delivery=delivery, **outcome)
    status = outcome["status"]
    if status is not None and 200 <= status < 300:
        delivery.attempts += 1
        _finish(delivery, State.DELIVERED, delivered_at=timezone.now())
        return None
    delay = outbox.failed_attempt(
        delivery,
        max_attempts=settings.WEBHOOK_MAX_ATTEMPTS,
        delay=retry_delay,
        given_up=State.FAILED,
    )
    if delay is None:
        _finish(delivery, State.FAILED)
        return None
    delivery.claimed_until = None
    delivery.save(update_fields=["attempts", "next_attempt_at", "claimed_until"])
    return delay


def _finish(delivery, state, **fields):
    delivery.state = state
    delivery.claimed_until = None
    for name, value in fields.items():
        setattr(delivery, name, value)
    delivery.save(update_fields=["state", "attempts", "claimed_until", *fields])


def send_due(limit=500):
    """Send the deliveries whose time has come (a retry's, or one whose task
    was lost): the `send_webhooks` command and the scheduler's task."""
    due = outbox.due(WebhookDelivery.objects).values_list("pk", flat=True)[:limit]
    sent = 0
    for pk in list(due):
        deliver(pk)
        sent += 1
    return sent


def resend(delivery):
    """Send a delivery again (HR's button and the API): a delivered or
    failed one as a new try with its attempts counted afresh, the same
    event id (so a receiver that had it can tell). Sent after commit."""
    # A sender's claim stays: a resend while an attempt is on its way never
    # makes two POSTs at once.
    updated = WebhookDelivery.objects.filter(pk=delivery.pk).update(
        state=State.PENDING, attempts=0, next_attempt_at=timezone.now()
    )
    if updated:
        transaction.on_commit(lambda: dispatch([delivery.pk]))
    delivery.refresh_from_db()
    return delivery


# --- the POST ---------------------------------------------------------------------------


def body_of(delivery):
    """The JSON sent: the event, with its id, type, time and data."""
    event = delivery.event
    document = {
        "id": str(event.id),
        "type": event.type,
        "created": event.created_at,
        "subject": event.subject,
        "data": event.payload,
    }
    return json.dumps(document, cls=DjangoJSONEncoder, separators=(",", ":")).encode()


def sign(secrets, timestamp, body):
    """The signature header's value: HMAC-SHA256 of "timestamp.body" with
    the webhook's secret, as Stripe's `t=…,v1=…`; with a list of secrets
    (a rotation's overlap: the new one first), one `v1=` for each."""
    if isinstance(secrets, str):
        secrets = [secrets]
    message = f"{timestamp}.".encode() + body
    macs = [hmac.new(secret.encode(), message, hashlib.sha256).hexdigest() for secret in secrets]
    return ",".join([f"t={timestamp}", *(f"v1={mac}" for mac in macs)])


def verify(secret, header, body, *, tolerance=300, now=None):
    """What a receiver does (the README shows it standalone): the signature
    is right and recent, by any of the header's `v1=` (during a rotation's
    overlap there are two, one by the new secret and one by the old).
    Returns True or False."""
    try:
        parts = [item.split("=", 1) for item in header.split(",")]
        (timestamp,) = [int(value) for key, value in parts if key == "t"]
    except ValueError:
        return False
    if abs((now or time.time()) - timestamp) > tolerance:
        return False
    expected = sign(secret, timestamp, body).split("v1=", 1)[1]
    return any(hmac.compare_digest(expected, value) for key, value in parts if key == "v1")


def signing_secrets(hook, now=None):
    """The secrets that sign the webhook's deliveries now: its secret, and
    the one before it during a rotation's overlap."""
    now = now or timezone.now()
    if hook.previous_secret and hook.previous_secret_until and hook.previous_secret_until > now:
        return [hook.secret, hook.previous_secret]
    return [hook.secret]


@transaction.atomic
def rotate_secret(hook, *, overlap=None):
    """Give the webhook a new secret. For `overlap` (a timedelta; default
    WEBHOOK_SECRET_OVERLAP_HOURS) deliveries are signed with both the new
    secret and the one it replaces, so the receiver keeps verifying while
    its copy is changed; then with the new one alone. A secret rotated
    again within an overlap is dropped at once: only the latest two sign."""
    if overlap is None:
        overlap = timedelta(hours=settings.WEBHOOK_SECRET_OVERLAP_HOURS)
    hook = Webhook.objects.select_for_update().get(pk=hook.pk)
    hook.previous_secret = hook.secret if overlap > timedelta(0) else ""
    hook.previous_secret_until = timezone.now() + overlap if overlap > timedelta(0) else None
    hook.secret = Webhook.new_secret()
    hook.save(update_fields=["secret", "previous_secret", "previous_secret_until"])
    return hook


def post(url, secrets, delivery):
    """POST the delivery to `url`: what happened, as WebhookAttempt's fields."""
    body = body_of(delivery)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        SIGNATURE_HEADER: sign(secrets, int(time.time()), body),
        EVENT_ID_HEADER: str(delivery.event_id),
        EVENT_TYPE_HEADER: delivery.event.type,
        DELIVERY_HEADER: str(delivery.pk),
    }
    started = time.monotonic()
    status, error, excerpt = None, "", ""
    try:
        status, excerpt = _request(url, body, headers)
    except UnsafeAddress as refused:
        error = str(refused)
    except (OSError, http.client.HTTPException, ValueError) as failed:
        error = f"{type(failed).__name__}: {failed}"[:300] or "No answer"
    duration = round((time.monotonic() - started) * 1000)
    return {
        "status": status,
        "duration_ms": duration,
        "error": error[:300],
        "response_excerpt": excerpt[:EXCERPT],
    }


def _request(url, body, headers):
    """One POST within WEBHOOK_TIMEOUT_SECONDS in all (connecting, sending,
    and reading the answer, however slowly it drips): a timer closes the
    socket at the deadline. Redirects are not followed."""
    parts = urlsplit(url)
    address = safe_address(parts.hostname, parts.port or (443 if parts.scheme == "https" else 80))
    limit = settings.WEBHOOK_TIMEOUT_SECONDS
    connection_class = _Pinned if parts.scheme == "http" else _PinnedTLS
    connection = connection_class(parts.hostname, parts.port, address=address, timeout=limit)
    cut = threading.Event()
    deadline = threading.Timer(limit, _cut, args=(connection, cut))
    deadline.start()
    try:
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        answer = response.read(READ_LIMIT)
        return response.status, answer.decode("utf-8", "replace")
    except (OSError, http.client.HTTPException) as failed:
        if isinstance(failed, TimeoutError) or cut.is_set():
            raise TimeoutError(f"No answer within {limit} seconds") from failed
        raise
    finally:
        deadline.cancel()
        connection.close()


def _cut(connection, cut):
    cut.set()
    sock = connection.sock
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)


class _Pinned(http.client.HTTPConnection):
    """Connects to the address checked (not to whatever the name resolves
    to a moment later: DNS rebinding), with the URL's host in Host."""

    def __init__(self, host, port, *, address, timeout):
        super().__init__(host, port, timeout=timeout)
        self.address = address

    def connect(self):
        self.sock = socket.create_connection((self.address, self.port), self.timeout)


class _PinnedTLS(http.client.HTTPSConnection):
    def __init__(self, host, port, *, address, timeout):
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self.address = address

    def connect(self):
        sock = socket.create_connection((self.address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


# --- where deliveries may go -------------------------------------------------------------


class UnsafeAddress(ValidationError):
    """A webhook URL that resolves to an address deliveries may not go to."""


def check_url(url):
    """Refuse a URL deliveries may not go to (a ValidationError saying why):
    http or https only, no credentials, and a public address unless
    WEBHOOK_ALLOW_PRIVATE."""
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"}:
        raise ValidationError("Use an http:// or https:// address.")
    if not parts.hostname:
        raise ValidationError("The address has no host name.")
    if parts.username or parts.password:
        raise ValidationError(
            "Put no user name or password in the address; the signature "
            "tells the receiver who sent it."
        )
    try:
        parts.port  # noqa: B018 (read to check it)
    except ValueError as error:
        raise ValidationError("The address's port is not a number from 1 to 65535.") from error
    # A name is resolved only when sending (safe_address, on every
    # attempt): a save does not wait for DNS, nor trust what it says today.
    host = parts.hostname.rstrip(".")
    if settings.WEBHOOK_ALLOW_PRIVATE:
        return
    if host == "localhost" or host.endswith(".localhost"):
        raise UnsafeAddress(f"{host} is this machine; deliveries go only to public addresses.")
    try:
        literal = ipaddress.ip_address(host)
    except ValueError:
        return  # a name
    if not literal.is_global:
        raise UnsafeAddress(
            f"{host} is a private, loopback or reserved address; deliveries go only to public "
            "addresses."
        )


def safe_address(host, port):
    """The address to connect to for `host`: the first it resolves to, if
    every one is public (or WEBHOOK_ALLOW_PRIVATE)."""
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as error:
        raise UnsafeAddress(f"The host {host} cannot be found.") from error
    addresses = [info[4][0] for info in found]
    if not settings.WEBHOOK_ALLOW_PRIVATE:
        for address in addresses:
            if not ipaddress.ip_address(address.split("%", 1)[0]).is_global:
                raise UnsafeAddress(
                    f"{host} is a private, loopback or reserved address ({address}); "
                    "deliveries go only to public addresses."
                )
    return addresses[0]
