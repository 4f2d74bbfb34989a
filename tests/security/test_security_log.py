"""The security log: one JSON object per line (logger competency.security,
its own handler) for each sign-in, failure, lockout and sign-out; each
refusal of a page or API call about people and appraisals; each API token
made, used (first use of the day) and revoked; and HR's changes of people
and of rights. Read here as the configured formatter writes it."""

import json
import logging
from datetime import datetime

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from competency.api.models import ApiToken
from competency.roles import HR
from tests.appraisals.helpers import shown_data
from tests.cast import issue, with_token
from tests.security.helpers import RIGHT

pytestmark = pytest.mark.django_db


def sign_in(client, username, password, **headers):
    return client.post(
        reverse("login"),
        {"username": username, "password": password},
        REMOTE_ADDR="192.0.2.10",
        **headers,
    )


def test_a_sign_in_is_one_json_line_with_who_where_and_the_request_id(staff_user, security_log):
    sign_in(Client(), "sam", RIGHT, HTTP_X_REQUEST_ID="req-42")
    (record,) = security_log.events("sign_in")
    assert record["outcome"] == "success"
    assert record["level"] == "INFO"
    assert record["username"] == "sam"
    assert record["user_id"] == staff_user.pk
    assert record["address"] == "192.0.2.10"
    assert record["request_id"] == "req-42"
    assert (record["method"], record["path"]) == ("POST", reverse("login"))
    assert datetime.fromisoformat(record["time"]).tzinfo is not None


def test_failures_lockout_and_refusals_are_told_apart(staff_user, security_log):
    client = Client()
    for _ in range(6):
        sign_in(client, "sam", "not the password")
    sign_in(client, "sam", RIGHT)
    assert security_log.names() == [
        *["sign_in_failed"] * 4,
        "sign_in_locked_out",
        "sign_in_failed",
        "sign_in_refused",
        "sign_in_refused",
    ]
    failures = [r["failures"] for r in security_log.events("sign_in_failed")]
    assert failures == [1, 2, 3, 4, 5]
    (locked,) = security_log.events("sign_in_locked_out")
    assert (locked["level"], locked["outcome"], locked["username"]) == ("WARNING", "locked", "sam")
    assert all(r["outcome"] == "locked" for r in security_log.events("sign_in_refused"))
    # No password is ever written.
    assert "not the password" not in json.dumps(security_log.records)
    assert RIGHT not in json.dumps(security_log.records)


def test_an_unknown_username_is_logged_as_typed(db, security_log):
    sign_in(Client(), "nobody", "guess")
    (record,) = security_log.events("sign_in_failed")
    assert record["username"] == "nobody"
    assert "user_id" not in record


def test_a_sign_out_is_logged(staff, security_log):
    staff.post(reverse("logout"))
    (record,) = security_log.events("sign_out")
    assert record["username"] == "sam"


def test_a_guessed_appraisal_or_person_is_a_logged_refusal(cast, appraisal, security_log):
    outsider = cast.client("other_person")
    assert outsider.get(reverse("appraisals:detail", args=[appraisal.pk])).status_code == 404
    assert outsider.get(reverse("appraisals:person", args=[cast.person.pk])).status_code == 404
    api = cast.api("other_person")
    assert api.get(f"/api/v1/appraisals/{appraisal.pk}/").status_code == 404
    assert api.get(f"/api/v1/people/{cast.person.pk}/").status_code == 404
    refusals = security_log.events("refused")
    assert [(r["path"], r["status"], r["outcome"]) for r in refusals] == [
        (reverse("appraisals:detail", args=[appraisal.pk]), 404, "not_found"),
        (reverse("appraisals:person", args=[cast.person.pk]), 404, "not_found"),
        (f"/api/v1/appraisals/{appraisal.pk}/", 404, "not_found"),
        (f"/api/v1/people/{cast.person.pk}/", 404, "not_found"),
    ]
    assert all(r["actor"] == "tia" and r["level"] == "WARNING" for r in refusals)


def test_a_forbidden_page_is_a_logged_refusal(cast, security_log):
    assert cast.client("person").get(reverse("api_tokens:list")).status_code == 403
    (record,) = security_log.events("refused")
    assert (record["status"], record["outcome"], record["actor"]) == (403, "forbidden", "sam")


def test_a_missing_profile_is_not_a_security_event(cast, security_log):
    assert cast.client("person").get("/profiles/no-such-profile/").status_code == 404
    assert security_log.events("refused") == []


def test_a_token_made_used_and_revoked_by_hr(cast, security_log):
    hr = cast.client("hr")
    response = hr.post(
        reverse("api_tokens:list"),
        {"name": "HR system", "user": cast.hr.pk, "days": 30, "scopes": ["profiles:read"]},
    )
    raw = response.context["new_token"]
    token = ApiToken.objects.get()
    (made,) = security_log.events("api_token_created")
    assert made["actor"] == "harriet"
    assert made["username"] == "harriet"
    assert made["token_id"] == token.pk
    assert made["token_name"] == "HR system"

    client = with_token(raw)
    assert client.get("/api/v1/profiles/").status_code == 200
    assert client.get("/api/v1/profiles/").status_code == 200
    # The first use of the day only, at INFO.
    (used,) = security_log.events("api_token_used")
    assert (used["token_id"], used["first_use_today"], used["username"]) == (
        token.pk,
        True,
        "harriet",
    )

    hr.post(reverse("api_tokens:revoke", args=[token.pk]))
    (revoked,) = security_log.events("api_token_revoked")
    assert (revoked["actor"], revoked["token_id"]) == ("harriet", token.pk)
    assert client.get("/api/v1/profiles/").status_code == 401
    (refused,) = security_log.events("api_token_refused")
    assert refused["token_id"] == token.pk
    assert raw not in json.dumps(security_log.records)


def test_every_use_of_a_token_at_debug(hr_user, security_log):
    logger = logging.getLogger("competency.security")
    level = logger.level
    logger.setLevel(logging.DEBUG)
    try:
        client = with_token(issue(hr_user)[1])
        for _ in range(3):
            client.get("/api/v1/profiles/")
    finally:
        logger.setLevel(level)
    uses = security_log.events("api_token_used")
    assert [(u["level"], u["first_use_today"]) for u in uses] == [
        ("INFO", True),
        ("DEBUG", False),
        ("DEBUG", False),
    ]


def test_an_unknown_token_is_logged_without_its_value(db, security_log):
    assert with_token("cfk_guessed").get("/api/v1/profiles/").status_code == 401
    (record,) = security_log.events("api_token_refused")
    assert "token_id" in record and record["token_id"] is None
    assert "cfk_guessed" not in json.dumps(security_log.records)


def test_hr_changing_a_person_is_logged_with_the_fields_changed(cast, security_log):
    hr = cast.client("hr")
    url = reverse("appraisals:person_edit", kwargs={"pk": cast.person.pk})
    data = shown_data(hr.get(url).context["form"])
    data["job_title"] = "Senior platform engineer"
    assert hr.post(url, data).status_code == 302
    (record,) = security_log.events("person_changed")
    assert record["actor"] == "harriet"
    assert record["person_id"] == cast.person.pk
    assert record["changed"] == ["job_title"]
    assert "Senior platform engineer" not in json.dumps(record)


def test_giving_and_taking_hr_rights_is_logged(cast, security_log):
    hr_group = Group.objects.get(name=HR)
    account = cast.person.account
    account.groups.add(hr_group)
    account.groups.remove(hr_group)
    added, removed = security_log.events("rights_changed")
    assert (added["username"], added["change"], added["hr_groups"]) == ("sam", "added", [HR])
    assert (removed["change"], removed["groups"]) == ("removed", [HR])
