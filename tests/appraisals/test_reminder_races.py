"""Two reminder runs at once (cron and the beat schedule, or a run started
twice), each in a thread with its own connection: every mailbox gets one
mail. SQLite lets one writer in at a time, so these run on PostgreSQL."""

import io
from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection

from appraisals import cycles
from appraisals.models import ReminderDigest
from competency.models import OutboundMail
from tests import factories
from tests.appraisals.helpers import reminder_mails
from tests.threads import in_threads

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="lock races need PostgreSQL"),
]


def run(day):
    out = io.StringIO()
    call_command("send_reminders", date=day.isoformat(), stdout=out)
    return out.getvalue()


@pytest.mark.parametrize("round_", range(3))
def test_two_runs_at_once_send_each_mail_once(cast, round_, settings):
    settings.SITE_URL = "http://testserver"
    cycle = factories.CycleFactory(name=f"Annual review {round_}", closes_on=date(2025, 6, 30))
    cycles.open_cycle(cycle=cycle, scope=cycles.Scope.everyone())
    day = cycle.closes_on - timedelta(days=1)
    mail.outbox = []
    outcomes = in_threads(lambda: run(day), lambda: run(day))
    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    addresses = [message.to[0] for message in reminder_mails()]
    # Mo (Sam's), Olu (Tia's) and Bea (Mo's and Olu's) each open drafts.
    assert sorted(addresses) == ["bea@example.org", "mo@example.org", "olu@example.org"]
    reminders = OutboundMail.objects.filter(key__startswith="reminders:")
    assert ReminderDigest.objects.count() == reminders.count() == 3
    sent = sorted(int(o.split()[1]) for o in outcomes)
    assert sum(sent) == 3, outcomes
