"""Reminders and escalation: who is reminded of what, on which day, and
sending it at most once per mailbox per day.

The rules (a cycle's closing date is the due date of all its appraisals,
so each open cycle decides once what today means for it):

- `Cycle.remind_days_before` days before the closing date ("7,1"), whoever
  an open appraisal waits for (waiting.steps: the rules of everyone's
  "Waiting for you" list) is reminded of their step ("due").
- From the first day overdue, and again every `overdue_every_days`, they
  are reminded that it is late ("overdue").
- From `escalate_after_days` overdue (then on the same rhythm) the
  manager's manager hears which appraisals in their line are late
  ("escalation"); from `hr_after_days` overdue, HR hear how many are
  ("hr"): one line per cycle, linking to the cycle's overdue list.
- Everything due to one mailbox on one day goes in one mail (a digest).
  A person who turned reminders off gets none for their own steps; what
  escalates about others still reaches them, because it is the safety net
  for people who turned theirs off. Leavers, people without an email and
  those whose address the mail server refused (until it is changed) get
  nothing (the preview says so).

Safe to run twice at once: each run inserts a ReminderDigest row per
(address, day), skipping those that exist (INSERT … ON CONFLICT DO
NOTHING), and queues mail only for the rows it inserted itself, in the
same transaction, in the outbox (competency/mail.py), which sends it after
the commit with retries. A run that dies mid-way has committed whole
batches (claims with their mail) and nothing of the rest: run it again.
"""

import hashlib
import logging
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from appraisals import waiting
from appraisals.models import Appraisal, Cycle, ReminderDigest
from competency import mail
from competency.roles import HR_PERMISSION

log = logging.getLogger(__name__)

DUE, OVERDUE, ESCALATION, HR = "due", "overdue", "escalation", "hr"
BATCH = 1000  # rows claimed, and mails marked sent, per statement
LISTED = 50  # items a mail lists; the rest are counted, with a link
KEPT_DAYS = 31  # claims older than this are pruned on each run


# --- what today means for a cycle ---------------------------------------------------


def days_before(cycle):
    """The cycle's reminder days before closing, as numbers (set, no zeros)."""
    return {int(part) for part in cycle.remind_days_before.split(",") if part.strip()} - {0}


def _on_rhythm(days, start, every):
    return days >= start and (days - start) % every == 0


def triggers(cycle, today):
    """What reminders the cycle's appraisals get today: a set of DUE,
    OVERDUE, ESCALATION and HR (empty on most days)."""
    left = (cycle.closes_on - today).days
    if left >= 0:
        return {DUE} if left in days_before(cycle) else set()
    late = -left
    every = cycle.overdue_every_days
    fired = set()
    if _on_rhythm(late, 1, every):
        fired.add(OVERDUE)
    if _on_rhythm(late, cycle.escalate_after_days, every):
        fired.add(ESCALATION)
    if _on_rhythm(late, cycle.hr_after_days, every):
        fired.add(HR)
    return fired


# --- the digests ----------------------------------------------------------------------


@dataclass
class Item:
    kind: str  # DUE, OVERDUE, ESCALATION or HR
    text: str
    cycle: str
    due_on: date
    path: str  # the page to act on (or, for HR, to look at)
    count: int = 1  # for HR's lines: how many appraisals

    @property
    def days_late(self):
        return (timezone.localdate() - self.due_on).days


@dataclass
class Digest:
    address: str
    name: str
    person_id: int | None = None
    items: list = field(default_factory=list)

    @property
    def listed(self):
        return self.items[:LISTED]

    @property
    def more(self):
        return max(0, len(self.items) - LISTED)


@dataclass
class Plan:
    """Who gets what today, and who would but does not (and why)."""

    digests: dict = field(default_factory=dict)  # address → Digest
    opted_out: set = field(default_factory=set)  # names
    no_address: set = field(default_factory=set)  # names
    refused: set = field(default_factory=set)  # names: the mail server refused theirs
    reminded_today: set = field(default_factory=set)  # addresses (after checking claims)

    def add(self, person, item):
        """Put `item` in `person`'s digest (a Person, or None for HR's)."""
        if not person.email:
            self.no_address.add(person.name)
            return
        if person.email_refused_now:  # not mailed again until it is changed
            self.refused.add(person.name)
            return
        address = person.email.lower()
        digest = self.digests.get(address)
        if digest is None:
            digest = self.digests[address] = Digest(address, person.name, person.pk)
        digest.items.append(item)

    def add_to_address(self, address, name, item):
        address = address.lower()
        digest = self.digests.setdefault(address, Digest(address, name))
        digest.items.append(item)


# What a reminder reads of each appraisal: no documents.
_FIELDS = [
    "pk",
    "stage",
    "cycle_id",
    "person_signed_at",
    "manager_signed_at",
    "person__name",
    "person__email",
    "person__email_refused",
    "person__leaving_date",
    "person__reminders_off_at",
    "manager__name",
    "manager__email",
    "manager__email_refused",
    "manager__leaving_date",
    "manager__reminders_off_at",
    "manager__line_manager__name",
    "manager__line_manager__email",
    "manager__line_manager__email_refused",
    "manager__line_manager__leaving_date",
]


def _open_appraisals(cycle_ids):
    return waiting.with_steps(
        Appraisal.objects.open()
        .filter(cycle__in=cycle_ids)
        .select_related("person", "manager__line_manager")
        .only(*_FIELDS)
        .order_by("pk")
    )


def _current(person, today):
    return person is not None and not person.has_left(today)


def plan(today=None, cycle=None, late_only=False):
    """Today's digests: for every open cycle by its schedule, or (HR's
    "Remind everyone who is late") for one cycle's late steps whatever the
    day. A fixed number of queries, however many people; the appraisals
    are read in batches."""
    today = today or timezone.localdate()
    cycles = Cycle.objects.filter(status=Cycle.Status.OPEN)
    if cycle is not None:
        cycles = cycles.filter(pk=cycle.pk)
    fired = {}
    for each in cycles:
        if late_only:
            fired[each.pk] = (each, {OVERDUE} if each.closes_on < today else set())
        else:
            fired[each.pk] = (each, triggers(each, today))
    fired = {pk: value for pk, value in fired.items() if value[1]}
    result = Plan()
    late = defaultdict(int)  # cycle id → appraisals due for HR's line
    for appraisal in _open_appraisals(list(fired)).iterator(chunk_size=BATCH):
        each, kinds = fired[appraisal.cycle_id]
        _remind_owers(result, appraisal, each, kinds, today)
        if ESCALATION in kinds:
            _escalate(result, appraisal, each, today)
        if HR in kinds:
            late[appraisal.cycle_id] += 1
    if late:
        _tell_hr(result, {pk: fired[pk][0] for pk in late}, late, today)
    return result


def _remind_owers(result, appraisal, cycle, kinds, today):
    kind = OVERDUE if OVERDUE in kinds else DUE if DUE in kinds else None
    if kind is None:
        return
    page = reverse("appraisals:detail", args=[appraisal.pk])
    for step in waiting.steps(appraisal):
        ower = appraisal.person if step.side == "person" else appraisal.manager
        if not _current(ower, today):
            continue
        if ower.reminders_off_at:
            result.opted_out.add(ower.name)
            continue
        result.add(ower, Item(kind, step.label, cycle.name, cycle.closes_on, page))


def _escalate(result, appraisal, cycle, today):
    above = appraisal.manager.line_manager if _current(appraisal.manager, today) else None
    if not _current(above, today):
        return  # nobody above the manager: HR hear of it on their day
    text = (
        f"{appraisal.person.name}'s appraisal, managed by {appraisal.manager.name}, "
        f"is late: it waits for {waiting.whom(appraisal)}"
    )
    page = reverse("appraisals:detail", args=[appraisal.pk])
    result.add(above, Item(ESCALATION, text, cycle.name, cycle.closes_on, page))


def hr_addresses():
    """Where HR's escalations go: REMINDERS_HR_EMAIL when set (a shared
    mailbox), else every active HR account with an email. (address, name)."""
    if settings.REMINDERS_HR_EMAIL:
        return [(settings.REMINDERS_HR_EMAIL, "HR")]
    app_label, codename = HR_PERMISSION.split(".")
    permission = Permission.objects.filter(content_type__app_label=app_label, codename=codename)
    users = (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(
            Q(is_superuser=True)
            | Q(user_permissions__in=permission)
            | Q(groups__permissions__in=permission)
        )
        .exclude(email="")
        .distinct()
        .order_by("pk")
    )
    return [(user.email, user.get_full_name() or user.get_username()) for user in users]


def _tell_hr(result, cycles, late, today):
    addresses = hr_addresses()
    for pk, count in late.items():
        cycle = cycles[pk]
        days = (today - cycle.closes_on).days
        text = (
            f"{count} appraisal{'s' if count != 1 else ''} in {cycle.name} "
            f"{'are' if count != 1 else 'is'} {days} days late"
        )
        page = reverse("appraisals:cycle", args=[pk]) + "?overdue=on"
        for address, name in addresses:
            result.add_to_address(
                address, name, Item(HR, text, cycle.name, cycle.closes_on, page, count)
            )


# --- sending once ------------------------------------------------------------------


def already_reminded(addresses, today):
    """Of these addresses, those mailed a reminder today already."""
    addresses = list(addresses)
    found = set()
    for start in range(0, len(addresses), BATCH):
        found.update(
            ReminderDigest.objects.filter(
                sent_on=today, address__in=addresses[start : start + BATCH]
            ).values_list("address", flat=True)
        )
    return found


def claim(digests, today, kind):
    """Insert a claim for each digest, skipping the addresses claimed today
    already (by a twin run, or earlier), and return the digests this run
    claimed. Call it in the transaction that queues their mail."""
    token = uuid.uuid4()
    rows = [
        ReminderDigest(
            address=digest.address,
            sent_on=today,
            person_id=digest.person_id,
            kind=kind,
            items=len(digest.items),
            claimed_by=token,
        )
        for digest in digests
    ]
    ReminderDigest.objects.bulk_create(rows, ignore_conflicts=True)
    by_address = {digest.address: digest for digest in digests}
    mine = ReminderDigest.objects.filter(claimed_by=token).values_list("address", flat=True)
    return [by_address[address] for address in mine]


def digest_mail(digest, today):
    """The outbox's mail for a digest (competency/mail.py renders it)."""
    overdue = any(item.kind != DUE for item in digest.items)
    count = len(digest.items)
    subject = (
        f"{'Overdue: ' if overdue else ''}{count} thing{'s' if count != 1 else ''} "
        "waiting for you in appraisals"
    )
    key = f"reminders:{today.isoformat()}:{digest.address}"
    if len(key) > 200:  # the outbox's keys are short; addresses may be long
        key = f"reminders:{today.isoformat()}:{hashlib.sha256(key.encode()).hexdigest()}"
    return mail.Mail(
        key=key,
        to=digest.address,
        subject=subject,
        template="mail/appraisals/reminders",
        context={"digest": digest, "home": mail.absolute(reverse("home"))},
    )


def send(digests, today, kind=ReminderDigest.Kind.SCHEDULED):
    """Claim the digests and queue their mail, a batch per transaction
    (the claim and the mail commit together: a claimed mailbox's mail is
    in the outbox). Batches go in address order, so two runs at once wait
    for each other's rows in the same order and never deadlock. Returns how
    many this run queued; the outbox sends them after each commit."""
    ordered = sorted(digests.values(), key=lambda digest: digest.address)
    queued = 0
    for start in range(0, len(ordered), BATCH):
        with transaction.atomic():
            claimed = claim(ordered[start : start + BATCH], today, kind)
            mail.queue_many([digest_mail(digest, today) for digest in claimed])
        queued += len(claimed)
    return queued


def deliver_all():
    """Send everything the outbox holds that is due, here and now: what
    `send_reminders` does where no worker sends it. Stops when a delivery
    sends nothing (the outbox is empty, or the mail server is down: the
    outbox retries later)."""
    sent = 0
    while done := mail.deliver(limit=settings.MAIL_BATCH).sent:
        sent += done
    return sent


def prune(today):
    """Forget claims older than a month: only today's matter, and they name
    people's addresses."""
    return ReminderDigest.objects.filter(sent_on__lt=today - timedelta(days=KEPT_DAYS)).delete()[0]


def send_scheduled(today=None):
    """The daily run (the beat task and `manage.py send_reminders`)."""
    today = today or timezone.localdate()
    prune(today)
    result = plan(today)
    queued = send(result.digests, today)
    log.info("reminders queued", extra={"queued": queued, "planned": len(result.digests)})
    return queued


def preview_late(cycle, today=None):
    """HR's preview of "Remind everyone who is late" for a cycle."""
    today = today or timezone.localdate()
    result = plan(today, cycle=cycle, late_only=True)
    result.reminded_today = already_reminded(result.digests, today)
    return result


def remind_late(cycle, today=None):
    """Send what preview_late shows, but for those reminded today already."""
    today = today or timezone.localdate()
    result = plan(today, cycle=cycle, late_only=True)
    return send(result.digests, today, ReminderDigest.Kind.LATE)


def opted_out(people):
    """Of a Person queryset, those who turned reminders off."""
    return people.filter(reminders_off_at__isnull=False)


def set_reminders(*, person, on):
    """Turn the person's scheduled reminders on or off."""
    person.reminders_off_at = None if on else timezone.now()
    person.save(update_fields=["reminders_off_at"])
    return person
