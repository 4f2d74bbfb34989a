"""HR see on a person's page that their account is locked out, and unlock
it; HR, and the person themselves, sign them out everywhere: every session
of theirs ends on its next request, on any device, and their API tokens go
on working. Nobody else may do either.

The cast (tests/cast.py):
Bea (head) ── Mo (manager) ── Sam (person)
           └─ Olu (other manager) ── Tia (other person);  Harriet: HR.
"""

import re

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse

from competency.models import AccountSessions
from competency.sessions import ENDED
from tests.cast import issue, with_token
from tests.markup import parse, text
from tests.security.helpers import RIGHT

pytestmark = pytest.mark.django_db


def lock_out(username):
    client = Client()
    for _ in range(5):
        client.post(reverse("login"), {"username": username, "password": "wrong"})
    response = client.post(reverse("login"), {"username": username, "password": RIGHT})
    assert response.status_code == 429


def signing_in(response):
    """The person page's "Signing in" rows and the buttons on the page (as
    seen), or None when the page has no such section."""
    root = parse(response)
    details = root.find(".//dl[@id='signing-in-details']")
    if details is None:
        return None
    rows = {text(row.find("dt")): text(row.find("dd")) for row in details}
    buttons = [text(button, visible_only=True) for button in root.iterfind(".//main//button")]
    return rows, buttons


def test_hr_see_that_a_person_is_locked_out_and_unlock_them(cast, security_log):
    lock_out("sam")
    hr = cast.client("hr")
    page = hr.get(reverse("appraisals:person", args=[cast.person.pk]))
    rows, buttons = signing_in(page)
    assert rows["Username"] == "sam"
    assert re.fullmatch(
        r"Locked out until \d\d:\d\d, after too many failed attempts to sign in",
        rows["Locked out"],
    )
    assert buttons == ["Unlock signing in", "Sign out everywhere"]

    response = hr.post(reverse("appraisals:person_unlock", args=[cast.person.pk]), follow=True)
    assert "Sam can sign in again." in text(parse(response).find(".//main"))
    rows, buttons = signing_in(response)
    assert rows["Locked out"] == "No"
    assert buttons == ["Sign out everywhere"]

    sam = Client()
    response = sam.post(reverse("login"), {"username": "sam", "password": RIGHT})
    assert response.status_code == 302

    (unlocked,) = security_log.events("sign_in_unlocked")
    assert unlocked["username"] == "sam"
    assert unlocked["actor"] == "harriet"
    assert unlocked["outcome"] == "success"


def test_a_person_not_locked_out_shows_no_unlock_button(cast):
    page = cast.client("hr").get(reverse("appraisals:person", args=[cast.person.pk]))
    rows, buttons = signing_in(page)
    assert rows == {"Username": "sam", "Locked out": "No"}
    assert buttons == ["Sign out everywhere"]


@pytest.mark.parametrize("role", ["manager", "head", "person", "other_manager"])
def test_only_hr_see_the_signing_in_section(cast, role):
    page = cast.client(role).get(reverse("appraisals:person", args=[cast.person.pk]))
    if page.status_code == 200:
        assert signing_in(page) is None


@pytest.mark.parametrize("role", ["manager", "person", "other_manager", "other_person"])
def test_nobody_but_hr_unlocks_or_signs_out_someone(cast, role):
    lock_out("sam")
    for name in ("appraisals:person_unlock", "appraisals:person_sign_out_everywhere"):
        response = cast.client(role).post(reverse(name, args=[cast.person.pk]))
        assert response.status_code == 404
    assert AccountSessions.objects.count() == 0
    assert (
        Client().post(reverse("login"), {"username": "sam", "password": RIGHT}).status_code == 429
    )


def test_anonymous_people_are_sent_to_sign_in(cast):
    response = Client().post(reverse("appraisals:person_unlock", args=[cast.person.pk]))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_unlock_is_a_post(cast):
    response = cast.client("hr").get(reverse("appraisals:person_unlock", args=[cast.person.pk]))
    assert response.status_code == 405


def test_hr_sign_a_person_out_everywhere(cast, security_log):
    laptop, phone = cast.client("person"), cast.client("person")
    _token, raw = issue(cast.person.account)
    assert laptop.get(reverse("home")).status_code == 200

    response = cast.client("hr").post(
        reverse("appraisals:person_sign_out_everywhere", args=[cast.person.pk]), follow=True
    )
    assert "Sam has been signed out everywhere" in text(parse(response).find(".//main"))

    for device in (laptop, phone):
        response = device.get(reverse("home"), follow=True)
        assert response.redirect_chain[-1][0].startswith(reverse("login"))
        assert ENDED in text(parse(response).find(".//main"))
        assert SESSION_KEY not in device.session
    # Signing in again works, and that session lasts.
    again = Client()
    again.post(reverse("login"), {"username": "sam", "password": RIGHT})
    assert again.get(reverse("home")).status_code == 200
    assert again.get(reverse("home")).status_code == 200
    # The API's tokens are not sessions.
    assert with_token(raw).get("/api/v1/appraisals/").status_code == 200

    (ended,) = security_log.events("sign_out_everywhere")
    assert ended["username"] == "sam"
    assert ended["actor"] == "harriet"
    assert ended["by_self"] is False
    reasons = [record["reason"] for record in security_log.events("session_ended")]
    assert reasons == ["signed_out_everywhere", "signed_out_everywhere"]


def test_other_peoples_sessions_go_on(cast):
    mo = cast.client("manager")
    cast.client("hr").post(reverse("appraisals:person_sign_out_everywhere", args=[cast.person.pk]))
    assert mo.get(reverse("home")).status_code == 200
    assert SESSION_KEY in mo.session


def test_a_person_signs_themselves_out_everywhere(cast, security_log):
    laptop, phone = cast.client("person"), cast.client("person")
    page = laptop.get(reverse("account"))
    assert page.status_code == 200
    assert "Sign out everywhere" in text(parse(page).find(".//main"))

    response = laptop.post(reverse("account"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("login")
    assert "You have been signed out everywhere" in text(parse(response).find(".//main"))
    assert SESSION_KEY not in laptop.session
    response = phone.get(reverse("home"), follow=True)
    assert ENDED in text(parse(response).find(".//main"))

    (ended,) = security_log.events("sign_out_everywhere")
    assert ended["username"] == "sam"
    assert ended["actor"] == "sam"
    assert ended["by_self"] is True


def test_the_account_page_is_for_signed_in_people(db):
    response = Client().get(reverse("account"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_every_page_links_to_the_account_page(cast):
    page = cast.client("person").get(reverse("home"))
    assert parse(page).find(f".//a[@href='{reverse('account')}']") is not None
