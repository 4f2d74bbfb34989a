"""Anonymising leavers past the retention period: the anonymise_leavers
command and HR's button on a leaver's page. Every trace of the leaver's
names, email and employee id goes, from every table; the appraisal, its
ratings and other people's records stay."""

import io
import threading
from datetime import date, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection, connections, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from appraisals import privacy
from appraisals.models import (
    Appraisal,
    AppraisalEvent,
    CheckIn,
    Person,
    Requirement,
    ReviewComment,
    ReviewItem,
    Stage,
)
from competency.api.models import ApiToken
from tests import factories
from tests.appraisals.helpers import shown_data
from tests.appraisals.privacy_cast import (
    EMAIL,
    NAME,
    USERNAME,
    make_samira,
    traces_left,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def samira(cast, appraisal):
    return make_samira(cast, appraisal)


def run(*args):
    out = io.StringIO()
    call_command("anonymise_leavers", *args, stdout=out)
    return out.getvalue()


def snapshot():
    """Everything the command might write, as stored."""
    return (
        list(Person.objects.order_by("pk").values()),
        list(Person.history.order_by("pk").values()),
        list(Requirement.objects.order_by("pk").values()),
        list(Requirement.history.order_by("pk").values()),
        list(Appraisal.objects.order_by("pk").values()),
        list(ReviewComment.objects.order_by("pk").values()),
        list(CheckIn.objects.order_by("pk").values()),
        list(get_user_model().objects.order_by("pk").values()),
        list(ApiToken.objects.order_by("pk").values()),
    )


def the_appraisal_as_it_counts(appraisal):
    """What reports and the other side read of an appraisal: its stage,
    outcome, both sides' ratings, the answers, the moves."""
    return (
        Appraisal.objects.filter(pk=appraisal.pk).values_list("stage", "outcome").get(),
        list(
            Requirement.objects.filter(appraisal=appraisal)
            .order_by("position")
            .values_list("self_rating", "manager_rating", "manager_evidence")
        ),
        list(ReviewItem.objects.filter(appraisal=appraisal).order_by("pk").values_list("answer")),
        list(
            AppraisalEvent.objects.filter(appraisal=appraisal)
            .order_by("pk")
            .values_list("action", "to_stage")
        ),
    )


# --- the command -------------------------------------------------------------------------


def test_before_anonymising_her_traces_are_everywhere(samira):
    """The strong test below would be empty without this: her names are
    found in the person, account, appraisal, thread, check-in, audit, admin
    log and token tables."""
    tables = {table for table, _, _ in traces_left()}
    assert {
        "appraisals_person",
        "appraisals_historicalperson",
        "auth_user",
        "appraisals_requirement",
        "appraisals_historicalrequirement",
        "appraisals_appraisal",
        "appraisals_reviewcomment",
        "appraisals_checkin",
        "django_admin_log",
        "api_apitoken",
    } <= tables


def test_anonymising_leaves_no_trace_of_her_in_any_table(cast, samira):
    person, _ = samira
    output = run()
    assert f"Anonymised Former employee {person.pk}" in output
    assert traces_left() == []


def test_her_row_stays_as_a_placeholder_and_counts(cast, samira):
    person, _ = samira
    people, leavers = Person.objects.count(), Person.objects.left().count()
    run()
    person.refresh_from_db()
    assert person.name == f"Former employee {person.pk}"
    assert person.employee_id == f"former-{person.pk}" and person.email == ""
    assert person.anonymised_at is not None
    assert person.leaving_date is not None and person.role_profile_id is not None
    assert (Person.objects.count(), Person.objects.left().count()) == (people, leavers)


def test_the_appraisal_works_as_before_without_her_words(cast, samira):
    person, appraisal = samira
    counted = the_appraisal_as_it_counts(appraisal)
    run()
    assert the_appraisal_as_it_counts(appraisal) == counted
    appraisal.refresh_from_db()
    assert appraisal.stage == Stage.SIGNED_OFF
    assert appraisal.person_summary == privacy.REMOVED
    # The manager's words are the manager's: they stay, without her name.
    assert (
        appraisal.manager_summary
        == f"Mo's summary: Former employee {person.pk} grew into the role."
    )
    first = appraisal.requirements.order_by("position").first()
    assert first.self_evidence == first.self_comment == privacy.REMOVED
    assert first.manager_evidence == "Mo's own notes on the platform move."
    assert first.manager_comment == (
        f"Former employee {person.pk} did well; ask Former employee {person.pk} for the plan."
    )
    thread = list(
        ReviewComment.objects.filter(item__appraisal=appraisal)
        .order_by("pk")
        .values_list("kind", "text")
    )
    assert thread[:2] == [
        ("disagreed", privacy.REMOVED),
        ("reply", f"Mo's reply: let us talk, Former employee {person.pk}."),
    ]
    # HR and the manager still read it, its summary and its PDF.
    for role in ("hr", "manager"):
        client = cast.client(role)
        for name in ("detail", "summary", "pdf"):
            url = reverse(f"appraisals:{name}", args=[appraisal.pk])
            assert client.get(url).status_code == 200


def test_other_peoples_records_stay_but_for_her_name(cast, samira):
    person, _ = samira
    mo = Person.objects.filter(pk=cast.manager.pk).values().get()
    mo_account = get_user_model().objects.filter(pk=cast.manager.account_id).values().get()
    tia_notes = CheckIn.objects.get(person=cast.other_person).notes
    run()
    assert Person.objects.filter(pk=cast.manager.pk).values().get() == mo
    assert get_user_model().objects.filter(pk=cast.manager.account_id).values().get() == mo_account
    assert CheckIn.objects.get(person=cast.other_person).notes == tia_notes.replace(
        NAME, f"Former employee {person.pk}"
    )
    # Mo still reads the check-ins he held with her, under the placeholder.
    page = cast.client("manager").get(reverse("appraisals:check_ins", args=[person.pk]))
    assert page.status_code == 200
    assert f"Former employee {person.pk} wants to lead." in page.content.decode()


def test_her_account_is_closed_for_good(cast, samira):
    person, _ = samira
    account_id = person.account_id
    run()
    account = get_user_model().objects.get(pk=account_id)
    assert account.username != USERNAME and account.username.startswith("former-")
    assert (account.email, account.first_name, account.last_name) == ("", "", "")
    assert not account.is_active and not account.has_usable_password()
    assert not ApiToken.objects.filter(user_id=account_id).exists()
    # The sign-in page (which counts failures) does not sign her in.
    client = Client()
    client.post("/sign-in/", {"username": USERNAME, "password": "demo"})
    assert "_auth_user_id" not in client.session
    # Audit records by her account still point at it.
    assert Person.objects.get(pk=person.pk).account_id == account_id


def test_the_audit_trail_says_it_happened_without_her_name(cast, samira):
    person, _ = samira
    before = Person.history.filter(id=person.pk).count()
    run()
    records = Person.history.filter(id=person.pk).order_by("history_date", "history_id")
    assert records.count() == before + 1
    assert {r.name for r in records} == {f"Former employee {person.pk}"}
    assert {r.email for r in records} == {""}
    last = records.last()
    assert last.history_change_reason == privacy.ANONYMISED_REASON
    assert last.history_user is None  # the command: no one signed in


def test_a_dry_run_lists_her_and_writes_nothing(cast, samira):
    before = snapshot()
    output = run("--dry-run")
    assert f"Would anonymise {NAME} (QX-7731), left 2015-03-31" in output
    assert "1 leaver(s)" in output and "nothing written" in output
    assert snapshot() == before


def test_running_twice_is_harmless(cast, samira):
    run()
    after_once = snapshot()
    output = run()
    assert "Anonymised 0 leaver(s)" in output
    assert snapshot() == after_once
    assert run("--dry-run").startswith("0 leaver(s)")


def test_leavers_within_retention_and_current_staff_are_left_alone(cast, appraisal):
    person, _ = make_samira(
        cast, appraisal, leaving_date=timezone.localdate() - timedelta(days=400)
    )
    before = snapshot()
    assert "0 leaver(s)" in run("--dry-run")
    assert "Anonymised 0 leaver(s)" in run()
    assert snapshot() == before
    with pytest.raises(privacy.NotDue, match="may be anonymised from"):
        privacy.anonymise(person_id=person.pk)
    with pytest.raises(privacy.NotDue, match="has not left"):
        privacy.anonymise(person_id=cast.other_person.pk)
    assert snapshot() == before


def test_the_retention_period_is_a_setting(cast, samira, settings):
    settings.RETENTION_YEARS = 20
    before = snapshot()
    assert "0 leaver(s)" in run("--dry-run")
    run()
    assert snapshot() == before
    settings.RETENTION_YEARS = 6
    assert "1 leaver(s)" in run("--dry-run")


def test_retention_is_counted_in_whole_years_from_the_leaving_date(settings):
    settings.RETENTION_YEARS = 6
    assert privacy.retention_cutoff(date(2026, 12, 7)) == date(2020, 12, 7)
    assert privacy.retention_cutoff(date(2028, 2, 29)) == date(2022, 2, 28)


# --- HR's button ---------------------------------------------------------------------------


def anonymise_url(person):
    return reverse("appraisals:anonymise", args=[person.pk])


def test_hr_is_offered_it_on_the_leavers_page_and_confirms_it(cast, samira):
    person, _ = samira
    hr = cast.client("hr")
    page = hr.get(reverse("appraisals:person", args=[person.pk])).content.decode()
    assert anonymise_url(person) in page
    confirm = hr.get(anonymise_url(person)).content.decode()
    assert "This cannot be undone" in confirm and f"Anonymise {NAME}" in confirm
    response = hr.post(anonymise_url(person), follow=True)
    assert response.redirect_chain[-1][0] == reverse("appraisals:person", args=[person.pk])
    page = response.content.decode()
    assert f"Former employee {person.pk}" in page and NAME not in page
    assert traces_left() == []
    # The audit record names HR as who did it.
    last = Person.history.filter(id=person.pk).order_by("history_date", "history_id").last()
    assert last.history_user == cast.hr
    # Again: harmless, and said so.
    again = hr.post(anonymise_url(person), follow=True).content.decode()
    assert "already anonymised" in again


def test_hr_is_refused_for_a_leaver_within_retention(cast, appraisal):
    person, _ = make_samira(cast, appraisal, leaving_date=date(2024, 5, 31))
    hr = cast.client("hr")
    page = hr.get(reverse("appraisals:person", args=[person.pk])).content.decode()
    assert anonymise_url(person) not in page
    assert "may be anonymised from 31 May 2030" in page
    before = snapshot()
    response = hr.post(anonymise_url(person), follow=True)
    assert "may be anonymised from 31 May 2030" in response.content.decode()
    assert snapshot() == before


def test_hr_is_refused_for_someone_who_has_not_left(cast):
    hr = cast.client("hr")
    before = snapshot()
    response = hr.post(anonymise_url(cast.other_person), follow=True)
    assert "has not left" in response.content.decode()
    assert snapshot() == before


@pytest.mark.parametrize("role", ["manager", "head", "other_manager", "other_person"])
def test_everyone_else_gets_404_and_writes_nothing(cast, samira, role):
    person, _ = samira
    client = cast.client(role)
    before = snapshot()
    assert client.get(anonymise_url(person)).status_code == 404
    assert client.post(anonymise_url(person)).status_code == 404
    assert snapshot() == before


# --- two runs at once ------------------------------------------------------------------------


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite has no row locks: it runs one writer at a time anyway",
)
@pytest.mark.django_db(transaction=True)
def test_a_run_skips_whom_another_run_is_anonymising():
    person = factories.PersonFactory(name=NAME, employee_id="QX-7731", email=EMAIL)
    Person.objects.filter(pk=person.pk).update(
        start_date=date(2012, 1, 9), leaving_date=date(2015, 3, 31)
    )
    held, release = threading.Event(), threading.Event()

    def other_run():
        # Another run's transaction, holding her row as anonymise() does.
        try:
            with transaction.atomic():
                Person.objects.select_for_update().get(pk=person.pk)
                held.set()
                release.wait(30)
        finally:
            connections.close_all()

    thread = threading.Thread(target=other_run)
    thread.start()
    try:
        assert held.wait(30)
        output = run()
    finally:
        release.set()
        thread.join(30)
    assert f"Skipped person {person.pk}" in output and "Anonymised 0" in output
    assert Person.objects.get(pk=person.pk).name == NAME
    # Once the other run lets go, the next run does it.
    assert "Anonymised 1" in run()
    assert traces_left() == []


def test_an_edit_opened_before_anonymising_cannot_write_her_details_back(cast, samira):
    person, _ = samira
    hr = cast.client("hr")
    form = hr.get(reverse("appraisals:person_edit", args=[person.pk])).context["form"]
    data = shown_data(form)
    assert data["name"] == NAME
    run()
    response = hr.post(reverse("appraisals:person_edit", args=[person.pk]), data)
    assert "can no longer be changed" in response.content.decode()
    assert Person.objects.get(pk=person.pk).name == f"Former employee {person.pk}"
    client = cast.api("hr")
    etag = client.get(f"/api/v1/people/{person.pk}/")["ETag"]
    api = client.patch(
        f"/api/v1/people/{person.pk}/", {"name": NAME}, format="json", HTTP_IF_MATCH=etag
    )
    assert api.status_code == 400
    assert Person.objects.get(pk=person.pk).name == f"Former employee {person.pk}"
    assert traces_left() == []
