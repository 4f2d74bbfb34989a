"""What the two outboxes share: mail (competency/mail.py) and webhook
deliveries (competency/webhooks.py).

Each is a table of rows written in the transaction of the change they tell
of and sent after it commits. A row is PENDING until it is sent or given
up; it is due once its `next_attempt_at` has come. Each failed attempt is
counted, and puts the next one off exponentially (a base, doubled after
each failure, up to a cap if there is one), until the last attempt allowed
gives up.

How a sender claims a row differs, for a reason: a mail is sent with its
row locked (select_for_update, skip_locked: SMTP answers quickly, and a
second worker passes over it), a webhook's POST outside any transaction,
under a lease (`claimed_until`: a slow receiver would otherwise hold a row
lock for its whole timeout). Both claim only what due() finds.
"""

from datetime import timedelta

from django.utils import timezone

# The state of a row waiting to be sent, in both tables.
PENDING = "pending"


def due(rows, now=None):
    """The rows (a queryset or manager of an outbox table) whose next
    attempt has come."""
    return rows.filter(state=PENDING, next_attempt_at__lte=now or timezone.now())


def backoff(attempts, *, base, cap=None):
    """Seconds before the next attempt after `attempts` failed ones: `base`
    after the first, doubled after each one more, at most `cap`."""
    seconds = base * 2 ** max(attempts - 1, 0)
    return seconds if cap is None else min(seconds, cap)


def failed_attempt(row, *, max_attempts, delay, given_up, now=None):
    """Count one failed attempt of `row`: the last one allowed
    (`max_attempts` in all) sets its state to `given_up` and returns None;
    any other puts its next attempt `delay(attempts)` seconds off and
    returns those seconds. The caller saves the row (`attempts`, `state`,
    `next_attempt_at`) with whatever else it records."""
    row.attempts += 1
    if row.attempts >= max_attempts:
        row.state = given_up
        return None
    seconds = delay(row.attempts)
    row.next_attempt_at = (now or timezone.now()) + timedelta(seconds=seconds)
    return seconds
