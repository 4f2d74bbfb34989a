"""Leavers lose access: from their leaving date (set by HR's form, the API
or the import, or reached by the calendar) their account cannot sign in,
their open sessions end on the next request, their API tokens are 401, and
so every write they try is refused. One rule (appraisals/accounts.py),
asked by the backend that reads every session's and token's user.

The cast (tests/cast.py):
Bea (head) ── Mo (manager) ── Sam (person)
           └─ Olu (other manager) ── Tia (other person);  Harriet: HR.
"""

from datetime import timedelta

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from appraisals import accounts
from appraisals.models import CheckIn, Person, Stage
from competency.roles import Backend
from competency.sessions import SIGNED_OUT
from tests.api.helpers import assert_problem
from tests.appraisals.helpers import shown_data
from tests.cast import issue, take_to, with_token
from tests.markup import parse, text

pytestmark = pytest.mark.django_db

PASSWORD = "a long and unguessable password"


def today():
    return timezone.localdate()


def leaves(person, on):
    """The leaving date written straight to the table, as a date arriving
    would find it: no service, no signal, nothing told."""
    Person.objects.filter(pk=person.pk).update(leaving_date=on)


def sign_in(username, password=PASSWORD):
    client = Client()
    response = client.post(reverse("login"), {"username": username, "password": password})
    return client, response


def refusal(response):
    """The sign-in page's one message of the whole form."""
    assert response.status_code == 200
    (message,) = response.context["form"].non_field_errors()
    return message


@pytest.fixture
def mo(cast):
    """Mo, the manager, with a password to sign in with."""
    cast.manager.account.set_password(PASSWORD)
    cast.manager.account.save()
    return cast.manager


# --- The rule --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "days, closed", [(None, False), (1, False), (0, True), (-30, True)], ids=str
)
def test_an_account_closes_on_the_leaving_date_read_either_way(cast, days, closed):
    leaves(cast.manager, None if days is None else today() + timedelta(days=days))
    user = cast.manager.account
    assert accounts.is_closed(user) is closed
    # The column read with the user on every request says the same.
    assert (Backend().get_user(user.pk) is None) is closed


def test_an_account_with_no_person_is_not_closed(cast):
    assert Backend().get_user(cast.hr.pk) == cast.hr


# --- Signing in ------------------------------------------------------------------------


def test_a_leaver_is_told_what_a_wrong_password_is_told(mo):
    wrong = refusal(sign_in("mo", "not the password")[1])
    leaves(mo, today())
    client, response = sign_in("mo")
    # Nothing says the password was right: the one message covers both.
    assert refusal(response) == wrong
    assert "leaving date" in wrong
    assert SESSION_KEY not in client.session
    assert client.get(reverse("home")).status_code == 302


def test_someone_leaving_tomorrow_still_signs_in(mo):
    leaves(mo, today() + timedelta(days=1))
    client, response = sign_in("mo")
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200


# --- Sessions --------------------------------------------------------------------------


def test_a_session_ends_when_the_leaving_date_arrives(mo):
    client, response = sign_in("mo")
    assert client.get(reverse("home")).status_code == 200
    leaves(mo, today())
    response = client.get(reverse("home"), follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("login"))
    # Ended, not merely unread: the session's key is gone.
    assert SESSION_KEY not in client.session
    banner = parse(response).find(".//p[@class='govuk-notification-banner__heading']")
    assert text(banner) == SIGNED_OUT
    # The message is said once.
    assert SIGNED_OUT not in client.get(reverse("login")).content.decode()


def test_a_leavers_page_write_is_refused(cast, mo):
    client, _ = sign_in("mo")
    leaves(mo, today())
    response = client.post(
        reverse("appraisals:check_ins", args=[cast.person.pk]),
        {"held_on": today().isoformat(), "notes": "After leaving"},
    )
    # A POST from nobody is refused as the pages refuse any (404).
    assert response.status_code == 404
    assert SESSION_KEY not in client.session
    assert not CheckIn.objects.exists()


def test_a_session_on_the_api_ends_too(cast):
    api = cast.api("manager")
    assert api.get("/api/v1/people/").status_code == 200
    leaves(cast.manager, today())
    assert_problem(api.get("/api/v1/people/"), 401)


# --- Tokens and writes over the API ----------------------------------------------------


def ratings(appraisal):
    return f"/api/v1/appraisals/{appraisal.pk}/ratings/"


def test_a_leavers_token_is_401_and_their_writes_change_nothing(cast, appraisal):
    appraisal = take_to(appraisal, Stage.MANAGER_REVIEW)
    requirement = appraisal.requirements.order_by("pk").first()
    api = with_token(issue(cast.manager.account)[1])
    read = api.get(f"/api/v1/appraisals/{appraisal.pk}/")
    assert read.status_code == 200
    leaves(cast.manager, today() - timedelta(days=30))

    problem = assert_problem(
        api.patch(
            ratings(appraisal),
            {"ratings": [{"requirement": requirement.pk, "rating": 3}]},
            format="json",
            HTTP_IF_MATCH=read["ETag"],
        ),
        401,
    )
    assert "can no longer be used" in problem["detail"]
    assert_problem(
        api.post(
            f"/api/v1/people/{cast.person.pk}/check-ins/",
            {"held_on": today().isoformat(), "notes": "After leaving"},
            format="json",
        ),
        401,
    )
    requirement.refresh_from_db()
    assert requirement.manager_rating is None
    assert not CheckIn.objects.exists()


# --- However the leaving date is set ----------------------------------------------------


def set_by_form(cast, person):
    response = cast.client("hr").get(reverse("appraisals:person_edit", args=[person.pk]))
    data = shown_data(response.context["form"])
    day = today()
    data |= {
        "leaving_date-day": day.day,
        "leaving_date-month": day.month,
        "leaving_date-year": day.year,
    }
    saved = cast.client("hr").post(reverse("appraisals:person_edit", args=[person.pk]), data)
    assert saved.status_code == 302, saved.context["form"].errors


def set_by_api(cast, person):
    url = f"/api/v1/people/{person.pk}/"
    hr = cast.api("hr")
    response = hr.patch(
        url,
        {"leaving_date": today().isoformat()},
        format="json",
        HTTP_IF_MATCH=hr.get(url)["ETag"],
    )
    assert response.status_code == 200, response.content


@pytest.mark.parametrize("set_leaving_date", [set_by_form, set_by_api])
def test_a_leaving_date_set_by_hr_closes_the_account_at_once(cast, set_leaving_date):
    token = with_token(issue(cast.manager.account)[1])
    session = cast.client("manager")
    set_leaving_date(cast, cast.manager)
    assert_problem(token.get("/api/v1/people/"), 401)
    assert session.get(reverse("home")).status_code == 302


# --- What they managed, for HR to reassign ---------------------------------------------


def test_hr_find_the_open_appraisals_a_leaver_manages(cast, appraisal):
    hr, api = cast.client("hr"), cast.api("hr")
    cycle_page = reverse("appraisals:cycle", args=[appraisal.cycle_id])
    listed = "/api/v1/appraisals/"
    assert "managed by someone who has left" not in hr.get(cycle_page).content.decode()
    assert api.get(listed, {"manager_has_left": "true"}).json()["results"] == []
    leaves(cast.manager, today())

    page = hr.get(cycle_page)
    html = page.content.decode()
    assert "1 open appraisal is managed by someone who has left" in html
    filtered = hr.get(cycle_page, {"manager_has_left": "on"})
    assert [row.person for row, _ in filtered.context["rows"]] == [cast.person]
    reassign = reverse("appraisals:reassign", args=[appraisal.cycle_id, appraisal.pk])
    person_page = hr.get(reverse("appraisals:person", args=[cast.manager.pk])).content.decode()
    assert "still manages 1 open appraisal" in person_page and reassign in person_page
    rows = api.get(listed, {"manager_has_left": "true"}).json()["results"]
    assert [row["id"] for row in rows] == [appraisal.pk]
    assert_problem(api.get(listed, {"manager_has_left": "perhaps"}), 400)
    # Once reassigned, nothing is left to do.
    take_to(appraisal, Stage.SIGNED_OFF)
    assert api.get(listed, {"manager_has_left": "true"}).json()["results"] == []


def test_only_hr_are_shown_what_a_leaver_managed(cast, appraisal):
    leaves(cast.manager, today())
    page = cast.client("head").get(reverse("appraisals:person", args=[cast.manager.pk]))
    assert page.status_code == 200
    assert "still manages" not in page.content.decode()


def test_a_whole_organisation_import_without_them_closes_their_account(cast):
    from appraisals import importing

    token = with_token(issue(cast.manager.account)[1])
    others = [cast.head, cast.other_manager, cast.other_person]
    rows = [
        f"{p.employee_id},{p.name},{p.email},"
        f"{p.line_manager.employee_id if p.line_manager else ''},,,,"
        for p in others
    ]
    header = (
        "employee id,name,email,manager's employee id,profile slug,job title,start date,"
        "probation end date"
    )
    data = ("\n".join([header, *rows]) + "\n").encode()
    # Sam still reports to Mo, who leaves: the import says so by leaving
    # Sam out too (both marked as left today).
    plan = importing.apply_import(data, "people.csv", mode=importing.Mode.WHOLE_ORGANISATION)
    assert {p.name for p in plan.leavers} == {"Mo", "Sam"}
    assert_problem(token.get("/api/v1/people/"), 401)
