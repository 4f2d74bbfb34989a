"""The daily reminders, through `manage.py send_reminders`: who is reminded
of what on which day, one mail per mailbox per day (a digest), escalation
to the manager's manager and HR, and the person's choice to turn theirs
off. Sam's appraisal by Mo is in Annual review 2025, closing 30 June 2025;
Mo reports to Bea; Harriet is HR. Mail goes through the outbox
(competency/mail.py), which the command sends before it ends, to Django's
test mailbox here (test_reminder_mail_smtp.py sends through SMTP)."""

import io
import re
from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from appraisals import cycles, workflow
from appraisals.models import Appraisal, ReminderDigest, Stage
from competency.models import OutboundMail
from tests import factories
from tests.appraisals.helpers import reminder_mails
from tests.cast import person, take_to

pytestmark = pytest.mark.django_db

CLOSES = date(2025, 6, 30)


def run(day):
    call_command("send_reminders", date=day.isoformat(), stdout=io.StringIO())


def sent():
    """{address: the mail's text}, of what went out."""
    found = {}
    for message in reminder_mails():
        (address,) = message.to
        assert address not in found, f"two mails to {address}"
        found[address] = message.body
    return found


def links(text):
    return re.findall(r"http://testserver(/\S+)", text)


@pytest.fixture(autouse=True)
def site(settings):
    settings.SITE_URL = "http://testserver"
    settings.REMINDERS_HR_EMAIL = ""


def test_a_week_before_closing_the_manager_is_reminded_to_open_the_draft(cast, appraisal):
    run(CLOSES - timedelta(days=7))
    assert list(sent()) == ["mo@example.org"]
    text = sent()["mo@example.org"]
    assert "Open Sam’s appraisal for self-assessment" in text
    assert "Due 30 Jun 2025" in text
    (link,) = [path for path in links(text) if "/appraisals/" in path]
    assert link == reverse("appraisals:detail", args=[appraisal.pk])
    # The link opens the appraisal for Mo, and for nobody outside Sam's line.
    assert cast.client("manager").get(link).status_code == 200
    assert cast.client("other_manager").get(link).status_code == 404


def test_the_html_part_links_to_the_same_page(cast, appraisal):
    run(CLOSES - timedelta(days=1))
    (message,) = reminder_mails()
    html, kind = message.alternatives[0]
    assert kind == "text/html"
    assert f'href="http://testserver/appraisals/{appraisal.pk}/"' in html


def test_on_a_day_not_in_the_schedule_nobody_is_reminded(cast, appraisal):
    for days in (8, 6, 2, 0):
        run(CLOSES - timedelta(days=days))
    assert reminder_mails() == []


def test_the_reminder_days_are_the_cycles_own(cast, appraisal):
    appraisal.cycle.remind_days_before = "3"
    appraisal.cycle.save()
    run(CLOSES - timedelta(days=7))
    assert reminder_mails() == []
    run(CLOSES - timedelta(days=3))
    assert list(sent()) == ["mo@example.org"]


def test_each_stage_reminds_whoever_it_waits_for(cast, appraisal):
    expected = {
        Stage.SELF_ASSESSMENT: ("sam@example.org", "submit your self-assessment"),
        Stage.MANAGER_REVIEW: ("mo@example.org", "Write and share Sam’s review"),
        Stage.REVIEW_SHARED: ("sam@example.org", "Answer Mo’s review"),
    }
    for day, (stage, (address, words)) in enumerate(expected.items()):
        take_to(appraisal, stage)
        mail.outbox = []
        run(CLOSES + timedelta(days=1 + 7 * day))  # overdue, on the weekly rhythm
        assert list(sent()) == [address], stage
        assert words in sent()[address]


def test_a_shared_review_reminds_whoever_still_has_something_to_do(cast, appraisal):
    # The rules of everyone's "Waiting for you" list (waiting.py): the
    # person while anything is unanswered, the manager while a
    # disagreement is not settled.
    shared = take_to(appraisal, Stage.REVIEW_SHARED)
    first, second, *rest = shared.review_items.values_list("pk", flat=True)
    answers = {pk: {"answer": "agreed"} for pk in rest}
    answers[first] = {"answer": "disagreed", "comment": "I led that migration."}
    workflow.answer_review(
        appraisal=shared,
        by=cast.user("person"),
        confirmed_stage=Stage.REVIEW_SHARED,
        answers=answers,
    )
    run(CLOSES - timedelta(days=1))
    texts = sent()
    assert set(texts) == {"sam@example.org", "mo@example.org"}
    assert "Answer Mo’s review" in texts["sam@example.org"]
    assert "Settle 1 disagreement with Sam" in texts["mo@example.org"]

    # Everything answered, one disagreement left: only Mo has a step.
    workflow.answer_review(
        appraisal=shared,
        by=cast.user("person"),
        confirmed_stage=Stage.REVIEW_SHARED,
        answers={second: {"answer": "agreed"}},
    )
    mail.outbox = []
    run(CLOSES + timedelta(days=1))
    assert list(sent()) == ["mo@example.org"]


def test_when_agreed_each_side_that_has_not_signed_is_reminded(cast, appraisal):
    take_to(appraisal, Stage.AGREED)
    run(CLOSES - timedelta(days=1))
    texts = sent()
    assert set(texts) == {"sam@example.org", "mo@example.org"}
    assert "Sign your appraisal" in texts["sam@example.org"]
    assert "Sign Sam’s appraisal" in texts["mo@example.org"]


def test_signed_off_appraisals_remind_nobody(cast, appraisal):
    take_to(appraisal, Stage.SIGNED_OFF)
    run(CLOSES + timedelta(days=1))
    assert reminder_mails() == []


def test_running_twice_on_one_day_sends_each_mail_once(cast, appraisal):
    run(CLOSES - timedelta(days=1))
    run(CLOSES - timedelta(days=1))
    assert list(sent()) == ["mo@example.org"]
    (claim,) = ReminderDigest.objects.all()
    assert claim.items == 1
    assert (
        OutboundMail.objects.filter(
            key__startswith="reminders:", state=OutboundMail.State.SENT
        ).count()
        == 1
    )


def test_several_things_due_go_in_one_mail(cast, appraisal):
    # Mo manages two people, in two cycles closing on the same day.
    zoe = person("Zoe", cast.manager, cast.manager.role_profile)
    other = factories.CycleFactory(name="Mid-year 2025", kind="mid_year", closes_on=CLOSES)
    cycles.open_cycle(cycle=other, scope=cycles.Scope.team(cast.manager), overlapping=cycles.ADD)
    assert Appraisal.objects.filter(manager=cast.manager).count() == 3
    run(CLOSES - timedelta(days=7))
    text = sent()["mo@example.org"]
    assert text.count("Open Sam’s appraisal") == 2
    assert text.count("Open Zoe’s appraisal") == 1
    assert zoe.email not in sent()


def test_the_overdue_reminder_comes_on_the_first_day_late_and_then_weekly(cast, appraisal):
    for days in range(1, 16):
        run(CLOSES + timedelta(days=days))
    reminded_on = sorted(
        ReminderDigest.objects.filter(address="mo@example.org").values_list("sent_on", flat=True)
    )
    assert reminded_on == [CLOSES + timedelta(days=d) for d in (1, 8, 15)]


def test_lateness_escalates_to_the_managers_manager_then_hr(cast, appraisal):
    take_to(appraisal, Stage.MANAGER_REVIEW)
    cycle = appraisal.cycle
    cycle.escalate_after_days, cycle.hr_after_days, cycle.overdue_every_days = 3, 5, 1
    cycle.save()

    def on(days):
        mail.outbox = []
        run(CLOSES + timedelta(days=days))
        return sent()

    assert set(on(1)) == {"mo@example.org"}
    assert set(on(3)) == {"mo@example.org", "bea@example.org"}
    bea = on(4)["bea@example.org"]
    assert "Sam's appraisal, managed by Mo, is late: it waits for Mo" in bea
    assert reverse("appraisals:detail", args=[appraisal.pk]) in links(bea)
    texts = on(5)
    assert set(texts) == {"mo@example.org", "bea@example.org", "harriet@example.org"}
    hr = texts["harriet@example.org"]
    assert "1 appraisal in Annual review 2025 is 5 days late" in hr
    # HR hear how many, with a link to the cycle's overdue list; no names.
    assert "Sam" not in hr
    assert reverse("appraisals:cycle", args=[cycle.pk]) + "?overdue=on" in links(hr)


def test_hr_escalations_go_to_the_shared_mailbox_when_one_is_set(cast, appraisal, settings):
    settings.REMINDERS_HR_EMAIL = "hr-team@example.org"
    cycle = appraisal.cycle
    cycle.hr_after_days = cycle.escalate_after_days = 7
    cycle.save()
    run(CLOSES + timedelta(days=7))
    assert "hr-team@example.org" in sent()
    assert "harriet@example.org" not in sent()


def test_leavers_and_people_without_an_email_get_nothing(cast, appraisal):
    take_to(appraisal, Stage.SELF_ASSESSMENT)
    type(cast.person).objects.filter(pk=cast.person.pk).update(email="")
    run(CLOSES - timedelta(days=1))
    assert reminder_mails() == []
    type(cast.person).objects.filter(pk=cast.person.pk).update(
        email="sam@example.org", leaving_date=CLOSES - timedelta(days=30)
    )
    run(CLOSES - timedelta(days=7))
    assert reminder_mails() == []


def test_a_person_who_turned_reminders_off_gets_none_but_lateness_still_escalates(cast, appraisal):
    take_to(appraisal, Stage.SELF_ASSESSMENT)
    response = cast.client("person").post(reverse("appraisals:my_reminders"), {"reminders": "off"})
    assert response.status_code == 302
    home = cast.client("person").get(reverse("home")).content.decode()
    assert "Your reminders are off" in home
    run(CLOSES - timedelta(days=1))
    assert reminder_mails() == []
    run(CLOSES + timedelta(days=7))  # the manager's manager hears of it
    assert list(sent()) == ["bea@example.org"]
    # Turned on again, they are reminded again.
    cast.client("person").post(reverse("appraisals:my_reminders"), {"reminders": "on"})
    run(CLOSES + timedelta(days=8))
    assert "sam@example.org" in sent()


def test_turning_reminders_off_needs_a_person_and_a_post(cast, hr, client):
    url = reverse("appraisals:my_reminders")
    assert hr.post(url, {"reminders": "off"}).status_code == 404  # HR has no Person
    assert cast.client("anonymous").post(url, {"reminders": "off"}).status_code == 404
    assert cast.client("person").get(url).status_code == 405


def test_hr_see_who_turned_reminders_off_and_nobody_else_does(cast, appraisal):
    cast.client("person").post(reverse("appraisals:my_reminders"), {"reminders": "off"})
    person_page = reverse("appraisals:person", args=[cast.person.pk])
    assert "Turned off on" in cast.client("hr").get(person_page).content.decode()
    assert "Turned off on" not in cast.client("manager").get(person_page).content.decode()
    cycle_page = cast.client("hr").get(reverse("appraisals:cycle", args=[appraisal.cycle_id]))
    text = cycle_page.content.decode()
    assert "1 person in this cycle turned reminders off" in text
    assert "Reminders off</strong>" in text
    # The cycle's setting ("7,1" by default) in words.
    assert "the others are reminded 7 and 1 days before" in text


def test_a_bad_date_is_refused_and_a_dry_run_sends_nothing(cast, appraisal, capsys):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="not a date"):
        call_command("send_reminders", date="30/06/2025")
    call_command("send_reminders", date=(CLOSES - timedelta(days=1)).isoformat(), dry_run=True)
    assert "mo@example.org: 1 item(s)" in capsys.readouterr().out
    assert reminder_mails() == [] and not ReminderDigest.objects.exists()


def test_claims_older_than_a_month_are_pruned(cast, appraisal):
    run(CLOSES - timedelta(days=7))
    run(CLOSES + timedelta(days=57))  # late, on the weekly rhythm
    assert list(ReminderDigest.objects.values_list("sent_on", flat=True)) == [
        CLOSES + timedelta(days=57)
    ]


def test_working_out_who_is_due_what_reads_a_fixed_number_of_queries(cast, appraisal):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from appraisals import reminders

    def queries():
        with CaptureQueriesContext(connection) as captured:
            planned = reminders.plan(CLOSES + timedelta(days=14))  # late, escalated to HR
        return len(captured), len(planned.digests)

    appraisal.cycle.overdue_every_days = 1  # reminded, escalated and told HR on one day
    appraisal.cycle.save()
    few = queries()
    for n in range(5):
        person(f"Extra{n}", cast.manager, cast.manager.role_profile)
    cycles.open_cycle(cycle=appraisal.cycle, scope=cycles.Scope.team(cast.manager))
    many = queries()
    assert few[0] == many[0]
    assert many[1] == 3  # every draft waits for Mo; Bea hears, and Harriet (HR)


def test_the_daily_run_is_on_the_beat_schedule(settings):
    from competency.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["send-reminders"]
    app.loader.import_default_modules()
    assert entry["task"] in app.tasks
