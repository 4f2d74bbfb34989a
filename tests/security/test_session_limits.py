"""A session ends after SESSION_IDLE_MINUTES without a request and
SESSION_MAX_HOURS after signing in: the person is sent to sign in and told
why. Time passing is written into the session, as it would find it. API
tokens have no session and are not affected."""

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client, override_settings
from django.urls import reverse

from competency.sessions import ENDED, IDLE, SEEN_AT, SIGNED_IN_AT, TOO_LONG
from tests.cast import issue, with_token
from tests.markup import parse, text
from tests.security.helpers import RIGHT

pytestmark = pytest.mark.django_db


def minutes_pass(client, minutes, *, since_sign_in=None):
    """`minutes` pass without a request (and `since_sign_in` minutes since
    signing in, if given)."""
    session = client.session
    session[SEEN_AT] -= minutes * 60
    session[SIGNED_IN_AT] -= (since_sign_in if since_sign_in is not None else minutes) * 60
    session.save()


def followed(client, url):
    response = client.get(url, follow=True)
    return response, text(parse(response).find(".//main"))


def sent_to_sign_in(response, url):
    final = response.redirect_chain[-1][0] if response.redirect_chain else None
    return final == f"{reverse('login')}?next={url}"


def test_thirty_one_idle_minutes_end_the_session_and_say_why(staff, security_log):
    url = reverse("profiles:list")
    minutes_pass(staff, 31)
    response, said = followed(staff, url)
    assert sent_to_sign_in(response, url)
    assert IDLE.format(minutes=30) in said
    assert SESSION_KEY not in staff.session
    (ended,) = security_log.events("session_ended")
    assert ended["reason"] == "idle"
    assert ended["username"] == "sam"
    assert ended["outcome"] == "ended"


def test_twenty_nine_idle_minutes_do_not_and_the_clock_starts_again(staff):
    minutes_pass(staff, 29)
    assert staff.get(reverse("profiles:list")).status_code == 200
    # Using the service counts as activity: 29 more minutes are fine too.
    minutes_pass(staff, 29, since_sign_in=0)
    assert staff.get(reverse("profiles:list")).status_code == 200


def test_twelve_hours_after_signing_in_the_session_ends_however_busy(staff, security_log):
    minutes_pass(staff, 1, since_sign_in=12 * 60 + 1)
    response, said = followed(staff, reverse("profiles:list"))
    assert sent_to_sign_in(response, reverse("profiles:list"))
    assert TOO_LONG.format(hours=12) in said
    assert [r["reason"] for r in security_log.events("session_ended")] == ["too_long"]


@override_settings(SESSION_IDLE_MINUTES=5, SESSION_MAX_HOURS=1)
def test_both_limits_are_settings(staff, manager_user):
    minutes_pass(staff, 6)
    _response, said = followed(staff, reverse("profiles:list"))
    assert IDLE.format(minutes=5) in said
    mo = Client()
    mo.force_login(manager_user)
    minutes_pass(mo, 1, since_sign_in=61)
    _response, said = followed(mo, reverse("profiles:list"))
    assert TOO_LONG.format(hours=1) in said


def test_signing_in_again_starts_a_new_session(staff_user):
    client = Client()
    client.post(reverse("login"), {"username": "sam", "password": RIGHT})
    minutes_pass(client, 31)
    followed(client, reverse("profiles:list"))
    client.post(reverse("login"), {"username": "sam", "password": RIGHT})
    assert client.get(reverse("profiles:list")).status_code == 200


def test_an_idle_api_session_is_signed_out_and_a_token_is_not(staff_api, staff_user):
    minutes_pass(staff_api, 31)
    response = staff_api.get("/api/v1/appraisals/")
    assert response.status_code in (401, 403)
    assert response["Content-Type"].startswith("application/problem+json")
    # A token is not a session: no time limit applies to it (it expires).
    _token, raw = issue(staff_user)
    assert with_token(raw).get("/api/v1/appraisals/").status_code == 200


@override_settings(SESSION_ENGINE="django.contrib.sessions.backends.cache")
def test_with_sessions_in_the_cache_sign_out_everywhere_and_limits_work(cast):
    phone, laptop = cast.client("person"), cast.client("person")
    assert phone.get(reverse("profiles:list")).status_code == 200
    minutes_pass(laptop, 31)
    assert IDLE.format(minutes=30) in followed(laptop, reverse("profiles:list"))[1]
    cast.client("hr").post(reverse("appraisals:person_sign_out_everywhere", args=[cast.person.pk]))
    assert ENDED in followed(phone, reverse("profiles:list"))[1]
