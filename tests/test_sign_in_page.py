"""The sign-in page when something is wrong: the title says so first, and
the error summary and the field's message say the same thing, the summary's
link leading to that field."""

import re

import pytest
from django.urls import reverse

from tests import factories
from tests.markup import parse, text, title

pytestmark = pytest.mark.django_db


def summary_and_fields(response):
    """The summary's (link target, message) pairs, and each field's message
    as a screen reader reads it after the visually hidden "Error:"."""
    root = parse(response)
    summary = [
        (link.get("href"), text(link))
        for link in root.iterfind(".//div[@class='govuk-error-summary']//a")
    ]
    fields = {
        "#" + message.get("id").removesuffix("-error"): re.sub(r"^Error: ", "", text(message))
        for message in root.iterfind(".//p[@class='govuk-error-message']")
    }
    return summary, fields


@pytest.fixture
def person(db):
    return factories.UserFactory(username="robin")


def test_a_wrong_password_is_named_alike_in_the_summary_and_at_the_field(client, person):
    response = client.post(reverse("login"), {"username": "robin", "password": "wrong"})
    assert title(response) == "Error: Sign in – Competency framework"
    summary, fields = summary_and_fields(response)
    assert len(summary) == 1
    target, message = summary[0]
    assert message.startswith("Please enter a correct username and password.")
    assert target == "#id_username"
    assert fields == {"#id_username": message}
    # The field's message is part of its description.
    username = parse(response).find(".//input[@id='id_username']")
    assert "id_username-error" in username.get("aria-describedby").split()


def test_a_missing_username_is_named_alike_in_the_summary_and_at_the_field(client, person):
    response = client.post(reverse("login"), {"username": "", "password": "something"})
    assert title(response) == "Error: Sign in – Competency framework"
    summary, fields = summary_and_fields(response)
    assert summary == [("#id_username", "This field is required.")]
    assert fields == {"#id_username": "This field is required."}


def test_both_fields_missing_are_each_named_at_their_field(client, person):
    response = client.post(reverse("login"), {"username": "", "password": ""})
    summary, fields = summary_and_fields(response)
    assert summary == [
        ("#id_username", "This field is required."),
        ("#id_password", "This field is required."),
    ]
    assert fields == dict(summary)


def test_the_sign_in_page_without_an_error_shows_none(client, person):
    response = client.get(reverse("login"))
    assert title(response) == "Sign in – Competency framework"
    assert summary_and_fields(response) == ([], {})
