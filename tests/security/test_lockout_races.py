"""Many wrong passwords at once, from several threads (each its own
database connection, as gunicorn's workers are): the count is shared, so
the account is locked all the same and the right password is refused, and
only a few attempts past the limit ever reach a password hash."""

import pytest
from django.db import connection
from django.test import Client, override_settings
from django.urls import reverse

from tests import factories
from tests.security.helpers import COUNTING, RIGHT, CountingHasher
from tests.threads import in_threads

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="races need PostgreSQL"),
]

THREADS, EACH = 4, 25


def test_a_hundred_wrong_passwords_from_four_threads_then_the_right_one(db):
    factories.UserFactory(username="hr-officer")
    CountingHasher.hashes = 0

    def guesses():
        client = Client()
        statuses = []
        for number in range(EACH):
            response = client.post(
                reverse("login"),
                {"username": "hr-officer", "password": f"guess {number}"},
                REMOTE_ADDR="192.0.2.10",
            )
            statuses.append(response.status_code)
        return statuses

    with override_settings(PASSWORD_HASHERS=COUNTING):
        outcomes = in_threads(*[guesses] * THREADS)
        statuses = [status for outcome in outcomes for status in outcome]
        assert len(statuses) == THREADS * EACH
        hashed = CountingHasher.hashes
        print(f"{hashed} of {THREADS * EACH} wrong passwords were hashed")
        client = Client()
        response = client.post(
            reverse("login"),
            {"username": "hr-officer", "password": RIGHT},
            REMOTE_ADDR="198.51.100.7",
        )
    assert response.status_code == 429
    # At most one attempt per thread got past the check while the fifth
    # failure was being counted.
    assert 5 <= hashed <= 5 + THREADS - 1
    assert statuses.count(429) >= THREADS * EACH - hashed
    assert CountingHasher.hashes == hashed  # the right password was not hashed either
