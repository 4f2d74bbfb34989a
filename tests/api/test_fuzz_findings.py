"""What fuzzing the API from outside found (issue 22), each answered as the
schema says: JSON of the wrong type is a 400 naming the field, the right to
act is asked before the body is read, booleans are never null, every 5xx
under /api/ is problem details, and a random binary file is refused, not a
crash, by the command, the page and the API."""

import json
from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import CommandError
from django.db import connection
from django.test import Client
from django.urls import path, reverse
from django.utils import timezone

from appraisals import probation
from appraisals.models import CheckIn, Person, ProbationDecision
from profiles import lifecycle
from profiles.models import ProfileVersion, RoleProfile
from tests import factories
from tests.api.helpers import PROBLEM, SCHEMA, assert_problem, document
from tests.cast import with_token
from tests.profiles.helpers import run

pytestmark = pytest.mark.django_db

# Bytes that are no role profile: a carriage return inside the first "line"
# (what made the CSV sniffing raise _csv.Error), then noise.
BINARY = b"\x89GIF\rsome\x1a\x07bytes\n" + bytes(range(1, 256)) * 4


def check_ins(person):
    return f"/api/v1/people/{person.pk}/check-ins/"


@pytest.fixture
def on_probation(cast):
    today = timezone.localdate()
    Person.objects.filter(pk=cast.person.pk).update(
        start_date=today - timedelta(days=100), probation_end_date=today + timedelta(days=90)
    )
    probation.schedule_checkpoints(Person.objects.filter(pk=cast.person.pk))
    return cast.person


# --- Bodies of the wrong JSON type ----------------------------------------------------


@pytest.mark.parametrize("held_on", [20250501, ["2025-05-01"], {"y": 2025}, True])
def test_a_check_in_date_that_is_not_text_is_a_400_naming_it(cast, held_on):
    response = cast.api("manager").post(check_ins(cast.person), {"held_on": held_on}, format="json")
    assert assert_problem(response, 400)["errors"][0]["pointer"] == "#/held_on"
    assert not CheckIn.objects.exists()


def test_a_check_in_change_with_a_date_or_notes_of_the_wrong_type_is_a_400(cast):
    mo = cast.api("manager")
    created = mo.post(check_ins(cast.person), {"held_on": "2025-05-01"}, format="json")
    assert created.status_code == 201
    where, etag = created["Location"], created["ETag"]
    for body, field in (({"held_on": 1}, "held_on"), ({"notes": True}, "notes")):
        refused = assert_problem(mo.patch(where, body, format="json", HTTP_IF_MATCH=etag), 400)
        assert refused["errors"][0]["pointer"] == f"#/{field}"
    assert CheckIn.objects.get().notes == ""


def test_notes_sent_as_true_are_refused_not_stored_as_the_text_true(cast):
    response = cast.api("manager").post(
        check_ins(cast.person), {"held_on": "2025-05-01", "notes": True}, format="json"
    )
    assert assert_problem(response, 400)["errors"][0]["pointer"] == "#/notes"
    assert not CheckIn.objects.exists()


@pytest.mark.parametrize("extended_to", [20251231, ["2025-12-31"]])
def test_a_probation_end_that_is_not_text_is_a_400(cast, on_probation, extended_to):
    response = cast.api("manager").post(
        f"/api/v1/people/{on_probation.pk}/probation-decisions/",
        {"outcome": "extended", "extended_to": extended_to},
        format="json",
    )
    assert assert_problem(response, 400)["errors"][0]["pointer"] == "#/extended_to"
    assert not ProbationDecision.objects.exists()


# --- The right before the body -----------------------------------------------------------


def test_staff_are_refused_a_check_in_whatever_body_they_send(cast):
    # Sam reads his check-ins but may not record one: 403, not the body's 400.
    for body in ({"held_on": 1}, {"held_on": ["x"]}, {}):
        assert_problem(cast.api("person").post(check_ins(cast.person), body, format="json"), 403)


def test_staff_are_refused_a_check_in_change_whatever_body_they_send(cast):
    check_in = CheckIn.objects.create(
        person=cast.person, manager=cast.manager, held_on=date(2025, 5, 1)
    )
    sam = cast.api("person")
    where = f"{check_ins(cast.person)}{check_in.pk}/"
    refused = sam.patch(where, {"held_on": 5}, format="json", HTTP_IF_MATCH=sam.get(where)["ETag"])
    assert_problem(refused, 403)


def test_a_reader_who_may_not_decide_probation_is_refused_before_the_body(cast, on_probation):
    response = cast.api("person").post(
        f"/api/v1/people/{on_probation.pk}/probation-decisions/",
        {"outcome": "extended", "extended_to": [1]},
        format="json",
    )
    assert_problem(response, 403)


# --- Profiles ------------------------------------------------------------------------------


def test_an_archived_profiles_versions_are_not_in_force_never_null(hr_api, published):
    lifecycle.archive_profile(profile=published)
    rows = hr_api.get(f"/api/v1/profiles/{published.slug}/versions/").json()["results"]
    assert [row["in_force"] for row in rows] == [False]


def test_importing_onto_an_existing_draft_answers_200_as_the_schema_lists(hr_api, db):
    body = json.dumps(document()).encode()
    first = hr_api.post("/api/v1/profiles/import/", body, content_type="application/json")
    assert first.status_code == 201, first.content
    again = hr_api.post("/api/v1/profiles/import/", body, content_type="application/json")
    assert again.status_code == 200 and again.json()["action"] != "created"
    listed = SCHEMA["paths"]["/api/v1/profiles/import/"]["post"]["responses"]
    assert {"200", "201"} <= set(listed)


def test_a_publish_is_answered_from_what_it_committed(hr_api, transactional_db):
    profile = factories.RoleProfileFactory(title="Tester", slug="tester")
    where = f"/api/v1/profiles/{profile.slug}/"
    etag = hr_api.get(where)["ETag"]
    # Any query after the commit fails, as a killed connection would: the
    # answer must already have been built.
    committed = []

    def fail_after_commit(execute, sql, params, many, context):
        if committed and not connection.in_atomic_block:
            raise RuntimeError("the connection was killed after the commit")
        if sql.startswith('INSERT INTO "profiles_profileversion"'):
            committed.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(fail_after_commit):
        publish = hr_api.post(
            f"{where}publish/", {"change_note": "First"}, format="json", HTTP_IF_MATCH=etag
        )
    assert publish.status_code == 200, publish.content
    assert committed and publish.json()["version_in_force"] == 1


def test_a_publish_retried_with_its_idempotency_key_replays_the_answer(hr_api, db):
    profile = factories.RoleProfileFactory(title="Tester", slug="tester")
    where = f"/api/v1/profiles/{profile.slug}/publish/"
    etag = hr_api.get(f"/api/v1/profiles/{profile.slug}/")["ETag"]
    sent = {"change_note": "First"}
    first = hr_api.post(where, sent, format="json", HTTP_IF_MATCH=etag, HTTP_IDEMPOTENCY_KEY="p1")
    assert first.status_code == 200, first.content
    again = hr_api.post(where, sent, format="json", HTTP_IF_MATCH=etag, HTTP_IDEMPOTENCY_KEY="p1")
    assert again.status_code == 200 and again["Idempotent-Replayed"] == "true"
    assert again["ETag"] == first["ETag"] and again.json() == first.json()
    assert ProfileVersion.objects.filter(profile=profile).count() == 1
    # Without the key, the retry is refused: the profile changed since.
    stale = hr_api.post(where, sent, format="json", HTTP_IF_MATCH=etag)
    assert_problem(stale, 412)
    assert stale["ETag"] == first["ETag"]  # what is current, to read and retry with
    assert ProfileVersion.objects.filter(profile=profile).count() == 1


# --- A random binary file to the profile import ----------------------------------------------


def test_a_binary_file_is_refused_by_the_api(hr_api, db):
    response = hr_api.post("/api/v1/profiles/import/", BINARY, content_type="text/plain")
    assert "not UTF-8 text" in assert_problem(response, 400)["detail"]
    assert not RoleProfile.objects.exists()


def test_a_binary_file_is_refused_by_the_command(tmp_path, db):
    junk = tmp_path / "junk.txt"
    junk.write_bytes(BINARY)
    with pytest.raises(CommandError, match="not UTF-8 text"):
        run("import_profile", str(junk))
    assert not RoleProfile.objects.exists()


def test_a_binary_file_is_refused_by_the_page(hr, db):
    response = hr.post(reverse("imports:profile"), {"file": SimpleUploadedFile("x.txt", BINARY)})
    assert response.status_code == 200
    assert "not UTF-8 text" in response.content.decode()
    assert not RoleProfile.objects.exists()


# --- DDaT role levels whose titles slug alike -------------------------------------------------

HEADER = (
    "Role family,Role,Role description,Role level,Role level description,Skill name,"
    "Skill description,Skill level,Skill level description\n"
)


def test_role_levels_whose_titles_slug_alike_get_a_slug_each(tmp_path, ddat):
    table = tmp_path / "roles.csv"
    rows = [
        f"Data,Data role,About it,{title},What it does,Data engineering,Build pipelines,"
        "Awareness,You know what a pipeline is\n"
        for title in ("Level 0 role 1.10", "Level 0 role 11.0")
    ]
    table.write_text(HEADER + "".join(rows), encoding="utf-8")
    run("import_framework", str(table), "--format", "ddat-roles")
    run("import_framework", str(table), "--format", "ddat-roles")  # the same slugs again
    slugs = dict(RoleProfile.objects.values_list("title", "slug"))
    assert slugs == {
        "Level 0 role 1.10": "level-0-role-110",
        "Level 0 role 11.0": "level-0-role-110-2",
    }


# --- Server errors and unknown paths -----------------------------------------------------------


class Boom(Exception):
    pass


def boom(request):
    raise Boom("a view that fails")


urlpatterns = [path("api/v1/boom/", boom), path("boom/", boom)]
handler500 = "competency.api.views.server_error"


@pytest.mark.urls("tests.api.test_fuzz_findings")
def test_a_server_error_under_the_api_is_problem_details_and_a_page_elsewhere(db):
    client = Client(raise_request_exception=False)
    failed = client.get("/api/v1/boom/")
    assert failed.status_code == 500 and failed["Content-Type"] == PROBLEM
    assert failed.json()["status"] == 500
    page = client.get("/boom/")
    assert page.status_code == 500 and page["Content-Type"].startswith("text/html")


def test_a_signed_in_caller_is_not_refused_for_the_addresss_anonymous_budget(
    settings, monkeypatch, staff_user, anonymous_api
):
    from competency.api import throttling
    from tests.cast import issue

    monkeypatch.setattr(throttling.AnonymousThrottle, "THROTTLE_RATES", {"anonymous": "1/min"})
    assert_problem(anonymous_api.get("/api/v1/nowhere/"), 404)
    assert_problem(anonymous_api.get("/api/v1/nowhere/"), 429)
    token = with_token(issue(staff_user)[1])
    for _ in range(3):
        assert_problem(token.get("/api/v1/nowhere/"), 404)
