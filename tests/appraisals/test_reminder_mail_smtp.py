"""A reminder from the daily run to a real SMTP server on 127.0.0.1
(tests/smtp.py): it arrives once, in plain text and HTML, and its link
opens the appraisal for the one reminded and is 404 to anyone outside."""

import io
import re
from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from appraisals.models import Stage
from competency import mail
from tests.cast import take_to

pytestmark = pytest.mark.django_db


def reminders(messages):
    """Without the mails of the hand-offs the tests' moves queue."""
    return [m for m in messages if m["Subject"].endswith("waiting for you in appraisals")]


def test_a_reminder_arrives_once_with_a_link_only_its_reader_can_open(cast, appraisal, smtp):
    take_to(appraisal, Stage.SELF_ASSESSMENT)
    day = date(2025, 6, 29).isoformat()  # the day before Annual review 2025 closes
    for _ in range(2):
        call_command("send_reminders", date=day, stdout=io.StringIO())
    (message,) = reminders(smtp.messages)
    assert message["To"] == "sam@example.org"
    assert message["Subject"] == "1 thing waiting for you in appraisals"
    text, html = smtp.text(message), smtp.html(message)
    assert "Rate yourself and submit your self-assessment" in text
    (path,) = re.findall(r"http://testserver(/appraisals/\d+/)", text)
    assert f'href="http://testserver{path}"' in html
    assert cast.client("person").get(path).status_code == 200
    assert cast.client("other_person").get(path).status_code == 404
    assert cast.client("other_manager").get(path).status_code == 404


def test_with_the_mail_server_down_the_reminder_waits_in_the_outbox(cast, appraisal, smtp_down):
    day = (date(2025, 6, 30) - timedelta(days=1)).isoformat()
    out = io.StringIO()
    call_command("send_reminders", date=day, stdout=out)
    assert "Queued 1 reminder(s)" in out.getvalue()
    assert "Sent 0 mail(s)" in out.getvalue()
    smtp_down.start()
    # A second run the same day queues nothing new; the outbox sends the first.
    mail.deliver(now=timezone.now() + timedelta(days=1))  # past its backoff
    out = io.StringIO()
    call_command("send_reminders", date=day, stdout=out)
    assert "Queued 0 reminder(s)" in out.getvalue()
    assert [m["To"] for m in reminders(smtp_down.messages)] == ["mo@example.org"]
