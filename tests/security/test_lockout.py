"""Signing in is paused after repeated failures: for the username (from
any address) and, separately, for the address (whatever usernames it
tries), on the pages' sign-in and the admin's, until the cool-off has
passed or HR unlock the person. A refused attempt is never checked against
the password, so it costs no hash."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import SESSION_KEY
from django.db.models import F
from django.test import Client, override_settings
from django.urls import reverse

from tests import factories
from tests.markup import parse, text, title
from tests.security.helpers import COUNTING, RIGHT, CountingHasher

pytestmark = pytest.mark.django_db

LIMIT = 5  # settings.AXES_FAILURE_LIMIT's default, for a username
ADDRESS_LIMIT = 20  # settings.SIGN_IN_ADDRESS_FAILURE_LIMIT's default


@pytest.fixture
def counted_hashes():
    CountingHasher.hashes = 0
    with override_settings(PASSWORD_HASHERS=COUNTING):
        yield CountingHasher


@pytest.fixture
def robin(db):
    return factories.UserFactory(username="robin")


def sign_in(client, username, password, *, url=None, address="192.0.2.10"):
    return client.post(
        url or reverse("login"),
        {"username": username, "password": password},
        REMOTE_ADDR=address,
    )


def signed_in(client):
    return SESSION_KEY in client.session


def main_text(response):
    return text(parse(response).find(".//main"))


def test_four_wrong_passwords_then_the_right_one_signs_in(client, robin):
    for _ in range(LIMIT - 1):
        assert sign_in(client, "robin", "wrong").status_code == 200
    response = sign_in(client, "robin", RIGHT)
    assert response.status_code == 302
    assert signed_in(client)


def test_the_fifth_wrong_password_locks_the_account_and_says_until_when(client, robin):
    for _ in range(LIMIT - 1):
        sign_in(client, "robin", "wrong")
    response = sign_in(client, "robin", "wrong")
    assert response.status_code == 429
    assert title(response) == "Error: Sign in – Competency framework"
    said = main_text(response)
    assert "too many failed attempts to sign in to this account" in said
    assert "signing in is paused until" in said
    assert "in 15 minutes" in said
    # The username is kept in its box, and the password is not.
    assert 'value="robin"' in response.content.decode()


def test_a_locked_out_account_is_refused_with_the_right_password(client, robin):
    for _ in range(LIMIT):
        sign_in(client, "robin", "wrong")
    response = sign_in(client, "robin", RIGHT)
    assert response.status_code == 429
    assert "signing in is paused" in main_text(response)
    assert not signed_in(client)


def test_the_account_stays_locked_from_another_address(client, robin):
    for _ in range(LIMIT):
        sign_in(client, "robin", "wrong", address="192.0.2.10")
    elsewhere = Client()
    response = sign_in(elsewhere, "robin", RIGHT, address="198.51.100.7")
    assert response.status_code == 429
    assert not signed_in(elsewhere)


def test_an_address_trying_many_usernames_is_locked_for_every_one(client, robin):
    for number in range(ADDRESS_LIMIT - 1):
        sign_in(client, f"guess{number}", "wrong", address="192.0.2.66")
    # An office shares its address: a few people's typing mistakes lock nobody.
    colleague = Client()
    assert sign_in(colleague, "robin", RIGHT, address="192.0.2.66").status_code == 302
    sign_in(client, "one-more-guess", "wrong", address="192.0.2.66")
    response = sign_in(client, "robin", RIGHT, address="192.0.2.66")
    assert response.status_code == 429
    assert "from your network address" in main_text(response)
    # Robin, from their own address, is not locked out by it.
    own = Client()
    assert sign_in(own, "robin", RIGHT, address="192.0.2.10").status_code == 302


def test_after_the_cool_off_the_right_password_signs_in(client, robin):
    for _ in range(LIMIT):
        sign_in(client, "robin", "wrong")
    # Sixteen minutes pass.
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(minutes=16))
    response = sign_in(client, "robin", RIGHT)
    assert response.status_code == 302
    assert signed_in(client)


def test_attempts_while_locked_out_do_not_extend_the_lockout(client, robin):
    for _ in range(LIMIT):
        sign_in(client, "robin", "wrong")
    locked_at = AccessAttempt.objects.get().attempt_time
    for _ in range(10):
        sign_in(client, "robin", "wrong")
    attempt = AccessAttempt.objects.get()
    assert attempt.attempt_time == locked_at
    assert attempt.failures_since_start == LIMIT


def test_a_refused_attempt_costs_no_password_hash(client, robin, counted_hashes):
    for _ in range(LIMIT):
        sign_in(client, "robin", "wrong")
    assert counted_hashes.hashes == LIMIT
    for _ in range(20):
        sign_in(client, "robin", "wrong")
    sign_in(client, "robin", RIGHT, address="198.51.100.7")
    assert counted_hashes.hashes == LIMIT


@override_settings(
    AXES_FAILURE_LIMIT=3,
    SIGN_IN_ADDRESS_FAILURE_LIMIT=4,
    AXES_COOLOFF_TIME=timedelta(minutes=2),
)
def test_the_limits_and_the_cool_off_are_settings(client, robin):
    for _ in range(3):
        sign_in(client, "robin", "wrong")
    response = sign_in(client, "robin", RIGHT)
    assert response.status_code == 429
    assert "in 2 minutes" in main_text(response)
    factories.UserFactory(username="casey")
    for number in range(4):
        sign_in(client, f"guess{number}", "wrong", address="192.0.2.99")
    response = sign_in(client, "casey", RIGHT, address="192.0.2.99")
    assert "from your network address" in main_text(response)


def test_the_admin_sign_in_is_locked_out_too(client, db):
    factories.UserFactory(username="root", is_staff=True, is_superuser=True)
    admin_login = reverse("admin:login")
    for _ in range(LIMIT - 1):
        assert sign_in(client, "root", "wrong", url=admin_login).status_code == 200
    response = sign_in(client, "root", "wrong", url=admin_login)
    assert response.status_code == 429
    response = sign_in(client, "root", RIGHT, url=admin_login)
    assert response.status_code == 429
    assert "signing in is paused" in main_text(response)
    assert not signed_in(client)


def test_failures_at_the_admin_and_the_pages_add_up(client, robin):
    for _ in range(3):
        sign_in(client, "robin", "wrong", url=reverse("admin:login"))
    for _ in range(2):
        sign_in(client, "robin", "wrong")
    assert sign_in(client, "robin", RIGHT).status_code == 429


def test_a_forwarded_for_header_is_ignored_unless_proxies_are_trusted(client, robin):
    for number in range(ADDRESS_LIMIT):
        client.post(
            reverse("login"),
            {"username": f"guess{number}", "password": "wrong"},
            REMOTE_ADDR="192.0.2.66",
            HTTP_X_FORWARDED_FOR=f"203.0.113.{number}",
        )
    # Each guess claimed another address; all came from 192.0.2.66.
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"192.0.2.66"}
    assert sign_in(client, "robin", RIGHT, address="192.0.2.66").status_code == 429


@override_settings(TRUSTED_PROXIES=1)
def test_behind_a_trusted_proxy_the_address_it_forwarded_is_counted(client, robin):
    for number in range(ADDRESS_LIMIT):
        client.post(
            reverse("login"),
            {"username": f"guess{number}", "password": "wrong"},
            REMOTE_ADDR="10.0.0.2",  # the proxy
            # What the client made up, then what the proxy saw.
            HTTP_X_FORWARDED_FOR=f"203.0.113.{number}, 198.51.100.23",
        )
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"198.51.100.23"}
    # Another client behind the same proxy signs in.
    other = Client()
    response = other.post(
        reverse("login"),
        {"username": "robin", "password": RIGHT},
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="192.0.2.10",
    )
    assert response.status_code == 302
