"""HR's cycle page: "Remind everyone who is late" (a preview of who gets
what, then a confirmation), the export of the cycle's progress as CSV and
XLSX (formulas made safe), and the cycle's reminder settings. HR only:
anyone else 404, and their posts send and write nothing."""

import csv
import io
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from appraisals import cycles
from appraisals.models import Cycle, ReminderDigest, Stage
from tests import factories
from tests.appraisals.helpers import reminder_mails
from tests.cast import take_to

pytestmark = pytest.mark.django_db

OTHERS = ["manager", "head", "person", "other_manager", "other_person"]
CLOSES = date(2025, 6, 30)  # long past: Sam's appraisal is late


@pytest.fixture(autouse=True)
def site(settings):
    settings.SITE_URL = "http://testserver"


def urls(cycle):
    return {
        name: reverse(f"appraisals:{name}", args=[cycle.pk])
        for name in ("remind_late", "progress_csv", "progress_xlsx")
    }


# --- who may ---------------------------------------------------------------------------


@pytest.mark.parametrize("role", OTHERS)
def test_every_page_is_404_to_all_but_hr_and_their_posts_send_nothing(cast, appraisal, role):
    client = cast.client(role)
    for name, url in urls(appraisal.cycle).items():
        assert client.get(url).status_code == 404, name
        assert client.post(url, {"confirmed": "1"}).status_code == 404, name
    assert reminder_mails() == [] and not ReminderDigest.objects.exists()


def test_anonymous_people_are_sent_to_sign_in(cast, appraisal, settings):
    client = cast.client("anonymous")
    for name, url in urls(appraisal.cycle).items():
        response = client.get(url)
        assert response.status_code == 302, name
        assert response["Location"].startswith(reverse(settings.LOGIN_URL)), name


def test_a_guessed_cycle_is_404_even_to_hr(cast, appraisal):
    for name, url in urls(Cycle(pk=appraisal.cycle.pk + 999)).items():
        assert cast.client("hr").get(url).status_code == 404, name


# --- remind everyone who is late -------------------------------------------------------


def test_hr_preview_who_is_late_then_confirm_and_each_gets_one_mail(
    cast, appraisal, django_capture_on_commit_callbacks
):
    take_to(appraisal, Stage.SELF_ASSESSMENT)
    hr = cast.client("hr")
    cycle_page = hr.get(reverse("appraisals:cycle", args=[appraisal.cycle_id])).content.decode()
    assert "Remind everyone who is late" in cycle_page
    url = urls(appraisal.cycle)["remind_late"]
    preview = hr.get(url).content.decode()
    assert "1 person to remind" in preview
    assert "Rate yourself and submit your self-assessment" in preview
    assert reminder_mails() == []  # a preview sends nothing
    with django_capture_on_commit_callbacks(execute=True):
        response = hr.post(url, {"confirmed": "1"})
    assert response.status_code == 302
    (message,) = reminder_mails()
    assert message.to == ["sam@example.org"]
    assert f"http://testserver/appraisals/{appraisal.pk}/" in message.body
    # Once reminded today, a second go finds nobody left to remind.
    assert "Nobody is left to remind" in hr.get(url).content.decode()
    assert "had a reminder today already" in hr.get(url).content.decode()
    hr.post(url, {"confirmed": "0"})
    assert len(reminder_mails()) == 1


def test_a_confirmation_that_no_longer_matches_sends_nothing(cast, appraisal):
    url = urls(appraisal.cycle)["remind_late"]
    response = cast.client("hr").post(url, {"confirmed": "7"})
    assert response.status_code == 200
    assert "changed since you looked" in response.content.decode()
    assert reminder_mails() == []


def test_the_preview_names_who_turned_reminders_off_or_has_no_address(cast, appraisal):
    take_to(appraisal, Stage.AGREED)  # waits for both signatures
    cast.client("person").post(reverse("appraisals:my_reminders"), {"reminders": "off"})
    type(cast.manager).objects.filter(pk=cast.manager.pk).update(email="")
    preview = cast.client("hr").get(urls(appraisal.cycle)["remind_late"]).content.decode()
    assert "turned reminders off: Sam" in preview
    assert "no email address: Mo" in preview
    assert "Nobody is left to remind" in preview


def test_a_cycle_not_yet_late_has_nobody_to_remind(cast, appraisal):
    Cycle.objects.filter(pk=appraisal.cycle_id).update(closes_on=date.today() + timedelta(days=3))
    hr = cast.client("hr")
    response = hr.get(urls(appraisal.cycle)["remind_late"])
    assert response.status_code == 302
    assert hr.post(urls(appraisal.cycle)["remind_late"], {"confirmed": "1"}).status_code == 302
    assert reminder_mails() == []


# --- the export ------------------------------------------------------------------------


HOSTILE = {
    "name": '=HYPERLINK("http://evil.example","Sam")',
    "job_title": "@SUM(1+1)*cmd|' /C calc'!A0",
    "employee_id": "-2+3",
}


def hostile_sam(cast):
    type(cast.person).objects.filter(pk=cast.person.pk).update(**HOSTILE)


def read_csv(response):
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body)))


def read_xlsx(response):
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    sheet = book["Progress"]
    return [[cell for cell in row] for row in sheet.iter_rows(max_col=11)]


def test_hr_export_the_progress_as_csv(cast, appraisal):
    response = cast.client("hr").get(urls(appraisal.cycle)["progress_csv"])
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="annual-review-2025-progress.csv"' in response["Content-Disposition"]
    header, row = read_csv(response)
    assert header[:6] == ["Employee id", "Person", "Job title", "Manager", "Stage", "Waiting for"]
    assert row[1] == "Sam" and row[3] == "Mo" and row[4] == "Draft" and row[5] == "Mo"
    assert row[6] == "2025-06-30" and int(row[7]) > 0 and row[10] == "no"


def test_csv_cells_that_would_run_as_formulas_are_made_safe(cast, appraisal):
    hostile_sam(cast)
    _, row = read_csv(cast.client("hr").get(urls(appraisal.cycle)["progress_csv"]))
    assert row[0] == "'" + HOSTILE["employee_id"]
    assert row[1] == "'" + HOSTILE["name"]
    assert row[2] == "'" + HOSTILE["job_title"]


def test_xlsx_cells_that_would_run_as_formulas_are_text(cast, appraisal):
    hostile_sam(cast)
    type(cast.manager).objects.filter(pk=cast.manager.pk).update(name="\tMo\x07")
    response = cast.client("hr").get(urls(appraisal.cycle)["progress_xlsx"])
    assert response.status_code == 200
    assert 'filename="annual-review-2025-progress.xlsx"' in response["Content-Disposition"]
    header, row = read_xlsx(response)
    assert header[1].value == "Person"
    for cell, value in zip(row[:3], ("employee_id", "name", "job_title"), strict=True):
        assert cell.data_type == "s" and cell.value == "'" + HOSTILE[value]
    assert row[3].value == "'\tMo"  # a tab first made safe; a bell dropped


def test_the_export_reads_a_fixed_number_of_queries_however_many_people(cast, appraisal):
    def count(client, url):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
            b"".join(response.streaming_content)
        return len(queries)

    hr = cast.client("hr")
    before = {
        name: count(hr, url) for name, url in urls(appraisal.cycle).items() if "progress" in name
    }
    for n in range(5):
        factories.PersonFactory(
            name=f"New {n}", line_manager=cast.manager, role_profile=cast.manager.role_profile
        )
    cycles.open_cycle(cycle=appraisal.cycle, scope=cycles.Scope.team(cast.manager))
    after = {
        name: count(hr, url) for name, url in urls(appraisal.cycle).items() if "progress" in name
    }
    assert after == before


# --- the cycle's reminder settings -----------------------------------------------------


def test_hr_set_a_cycles_reminder_days(cast, appraisal):
    url = reverse("appraisals:cycle_edit", args=[appraisal.cycle_id])
    data = {
        "name": "Annual review 2025",
        "kind": "annual",
        "opens_on": "2025-04-01",
        "closes_on": "2025-06-30",
        "remind_days_before": "14, 3",
        "overdue_every_days": "2",
        "escalate_after_days": "4",
        "hr_after_days": "10",
    }
    assert cast.client("hr").post(url, data).status_code == 302
    cycle = Cycle.objects.get(pk=appraisal.cycle_id)
    assert (cycle.remind_days_before, cycle.overdue_every_days) == ("14, 3", 2)
    assert (cycle.escalate_after_days, cycle.hr_after_days) == (4, 10)


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("remind_days_before", "7; 1", "separated by commas"),
        ("hr_after_days", "2", "no sooner than the manager"),
        ("overdue_every_days", "0", "greater than or equal to 1"),
    ],
)
def test_bad_reminder_settings_are_refused_and_nothing_changes(
    cast, appraisal, field, value, words
):
    url = reverse("appraisals:cycle_edit", args=[appraisal.cycle_id])
    data = {
        "name": "Annual review 2025",
        "kind": "annual",
        "opens_on": "2025-04-01",
        "closes_on": "2025-06-30",
        field: value,
    }
    response = cast.client("hr").post(url, data)
    assert response.status_code == 200
    assert words in response.content.decode()
    cycle = Cycle.objects.get(pk=appraisal.cycle_id)
    assert (cycle.remind_days_before, cycle.overdue_every_days, cycle.hr_after_days) == (
        "7,1",
        7,
        14,
    )


def test_the_preview_names_those_whose_address_was_refused(cast, appraisal):
    take_to(appraisal, Stage.SELF_ASSESSMENT)
    type(cast.person).objects.filter(pk=cast.person.pk).update(
        email_refused="sam@example.org", email_refused_reason="550 No such user"
    )
    preview = cast.client("hr").get(urls(appraisal.cycle)["remind_late"]).content.decode()
    assert "the mail server refused their address: Sam" in preview
    assert "Nobody is left to remind" in preview
