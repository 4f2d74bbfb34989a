"""HR's export of everything held about one person (a subject access
request): JSON and PDF from the person page, JSON from the API; 404 to
everyone else; read in the same number of queries however many appraisals."""

import io
import json
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from appraisals import cycles
from appraisals.models import Person
from competency.api.models import ApiToken
from tests import factories
from tests.appraisals.privacy_cast import EMAIL, NAME, USERNAME, make_samira
from tests.cast import issue, with_token

pytestmark = pytest.mark.django_db

PAGES = ["personal_data_json", "personal_data_pdf"]


@pytest.fixture
def samira(cast, appraisal):
    return make_samira(cast, appraisal, leaving_date=None)


def url(name, person):
    return reverse(f"appraisals:{name}", args=[person.pk])


def test_the_person_page_offers_hr_both_downloads(cast, samira):
    person, _ = samira
    page = cast.client("hr").get(url("person", person)).content.decode()
    assert url("personal_data_json", person) in page
    assert url("personal_data_pdf", person) in page


@pytest.mark.parametrize("role", ["manager", "head", "person", "other_manager", "other_person"])
def test_everyone_but_hr_is_refused_the_export_and_not_offered_it(cast, samira, role):
    person, _ = samira
    client = cast.client(role)
    for name in PAGES:
        assert client.get(url(name, person)).status_code == 404
    api = cast.api(role).get(f"/api/v1/people/{person.pk}/export/")
    assert api.status_code == 404
    assert api["Content-Type"].startswith("application/problem+json")
    assert b"Samira" not in api.content
    if role in ("manager", "head"):  # they read her page, without the links
        page = client.get(url("person", person)).content.decode()
        assert "personal-data" not in page


def test_anonymous_people_are_sent_to_sign_in(cast):
    for name in PAGES:
        response = cast.client("anonymous").get(url(name, cast.person))
        assert response.status_code == 302 and response["Location"].startswith("/sign-in/")


def test_a_guessed_id_is_404_to_hr_too(cast):
    assert (
        cast.client("hr").get(reverse("appraisals:personal_data_json", args=[999999])).status_code
        == 404
    )


def test_the_json_holds_everything_about_her_and_no_secret(cast, samira):
    person, _ = samira
    response = cast.client("hr").get(url("personal_data_json", person))
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    assert "attachment" in response["Content-Disposition"]
    text = response.content.decode()
    data = json.loads(text)
    assert data["format"] == "subject-access/1"
    assert data["person"]["name"] == NAME and data["person"]["email"] == EMAIL
    assert data["account"]["username"] == USERNAME
    # No password hash, no token secret or digest.
    account = person.account
    assert "password" not in data["account"]
    assert account.password not in text
    token = ApiToken.objects.get(user=account)
    assert token.digest not in text and token.prefix not in text
    assert [t["name"] for t in data["api_tokens"]] == ["Samira's laptop"]

    (mine,) = data["appraisals"]
    assert mine["cycle"]["name"] == "Annual review 2025" and mine["stage"] == "Signed off"
    assert mine["person_summary"] == "A good year for Samira (QX-7731)."
    assert mine["manager_summary"].startswith("Mo's summary")
    rated = mine["requirements"][0]
    assert rated["self_evidence"].startswith("Samira Quartermain led")
    assert rated["manager_comment"].startswith("Samira did well")
    assert rated["self_rating"]["rank"] and rated["manager_rating"]["rank"]
    thread = next(t for t in mine["review_threads"] if t["comments"])
    assert [c["text"] for c in thread["comments"]][:2] == [
        "I, Samira, disagree.",
        "Mo's reply: let us talk, Samira.",
    ]
    assert thread["comments"][0]["by"] == "you" and thread["comments"][1]["by"] == "Mo"
    assert [o["title"] for o in mine["objectives"]] == ["Mentor Tia through her first year"]
    assert {e["action"] for e in mine["events"]} >= {
        "Created",
        "Review shared",
        "Signed off by both",
    }
    assert data["check_ins"][0]["notes"] == "Samira Quartermain wants to lead."
    assert data["check_ins"][0]["with"] == "Mo"
    tables = {row["table"] for row in data["audit_history"]}
    assert {"person", "appraisal", "requirement"} <= tables
    assert any(row["values"].get("name") == NAME for row in data["audit_history"])


def test_as_a_manager_only_what_they_wrote_is_theirs(cast, samira):
    """Mo's export holds Mo's ratings, comments and moves in Samira's
    appraisal, and nothing of Samira's: not her name, nor her words."""
    _, appraisal = samira
    mo = Person.objects.get(pk=cast.manager.pk)
    text = cast.client("hr").get(url("personal_data_json", mo)).content.decode()
    data = json.loads(text)
    (managed,) = data["appraisals_as_manager"]
    assert managed["id"] == appraisal.pk
    assert managed["manager_summary"].startswith("Mo's summary")
    assert [c["text"] for c in managed["comments"]] == ["Mo's reply: let us talk, Samira."]
    assert {m["action"] for m in managed["moves"]} >= {"Review shared"}
    assert "Samira Quartermain led" not in text  # her evidence
    assert "I, Samira, disagree." not in text  # her answer
    assert "A good year" not in text  # her summary
    assert EMAIL not in text.replace(
        "ask samira.quartermain@example.org", ""
    )  # only where Mo wrote it himself
    assert data["check_ins"][0]["role"] == "manager" and data["check_ins"][0]["with"] is None


def test_the_pdf_reads_as_her_record(cast, samira):
    person, _ = samira
    response = cast.client("hr").get(url("personal_data_pdf", person))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "private, no-store"
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert f"Everything held about {NAME}" in text
    assert "Annual review 2025" in text
    assert "Samira Quartermain led the move" in text
    assert "Audit trail" in text


def test_hr_reads_the_same_export_from_the_api_with_a_token(cast, samira):
    person, _ = samira
    response = with_token(issue(cast.hr)[1]).get(f"/api/v1/people/{person.pk}/export/")
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    page = cast.client("hr").get(url("personal_data_json", person)).json()
    body = response.json()
    for data in (body, page):
        data.pop("exported_at")
    assert body == page


def test_a_guessed_id_is_a_problem_404_from_the_api(cast):
    response = cast.api("hr").get("/api/v1/people/999999/export/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/problem+json")


def _queries(client, person):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url("personal_data_json", person)).status_code == 200
    return len(queries)


def test_the_export_takes_as_many_queries_for_many_appraisals_as_for_one(cast, samira):
    person, _ = samira
    client = cast.client("hr")
    one = _queries(client, person)
    for year in (2021, 2022, 2023, 2024):
        cycle = factories.CycleFactory(
            name=f"Annual review {year}",
            opens_on=date(year, 1, 1),
            closes_on=date(year, 12, 31),
        )
        cycles.open_cycle(
            cycle=cycle, scope=cycles.Scope.team(cast.manager), overlapping=cycles.ADD
        )
    assert person.appraisals.count() == 5
    assert _queries(client, person) == one


def test_what_the_mail_keeps_about_her_is_in_the_export(cast, samira):
    """Her choice to turn reminders off, and an address the mail server
    refused, are data held about her too."""
    person, _ = samira
    when = timezone.now()
    Person.objects.filter(pk=person.pk).update(
        reminders_off_at=when,
        email_refused=EMAIL,
        email_refused_at=when,
        email_refused_reason="550 No such mailbox",
    )
    data = cast.client("hr").get(url("personal_data_json", person)).json()
    assert data["person"]["reminders_off_at"] is not None
    assert data["person"]["email_refused"] == EMAIL
    assert data["person"]["email_refused_reason"] == "550 No such mailbox"
