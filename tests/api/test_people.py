"""People, check-ins and probation over the API: who sees and does what
(HR, the manager, the manager's manager, the report, another manager,
other staff, anonymous, revoked and expired tokens), filters and sorting
that must not reveal anyone hidden, If-Match, loops refused, the import's
preview and errors, and query counts.

The cast (tests/cast.py):
Bea (head) ── Mo (manager) ── Sam (person)
           └─ Olu (other manager) ── Tia (other person);  Harriet: HR.
"""

import io
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from appraisals import probation
from appraisals.models import CheckIn, Person, ProbationCheckpoint, ProbationDecision
from tests import factories
from tests.api.helpers import assert_problem
from tests.cast import ROLES, SIGNED_OUT

pytestmark = pytest.mark.django_db

URL = "/api/v1/people/"
# The import of a whole organisation's file, previewed and done.
PREVIEW = f"{URL}import/preview/?mode=whole_organisation"
IMPORT = f"{URL}import/?mode=whole_organisation"
EVERYONE = {"Bea", "Mo", "Olu", "Sam", "Tia"}
# Whom each of the cast lists (themself and their reporting line; HR all).
LISTED = {
    "hr": EVERYONE,
    "head": EVERYONE,
    "manager": {"Mo", "Sam"},
    "person": {"Sam"},
    "other_manager": {"Olu", "Tia"},
    "other_person": {"Tia"},
}


def names(response):
    assert response.status_code == 200, response.content
    return [row["name"] for row in response.json()["results"]]


def detail(person):
    return f"{URL}{person.pk}/"


# --- Reading ---------------------------------------------------------------------------


@pytest.mark.parametrize("role", [*LISTED, *SIGNED_OUT])
def test_each_lists_the_people_they_may_see(cast, role):
    response = cast.api(role).get(URL)
    if role in SIGNED_OUT:
        assert_problem(response, 401)
        return
    assert set(names(response)) == LISTED[role]


# Who reads Sam: himself, his managers up the line and HR; anyone else 404.
SAM_READERS = {"hr", "head", "manager", "person"}


@pytest.mark.parametrize("role", [*ROLES, "revoked", "expired"])
def test_who_reads_a_person(cast, role):
    response = cast.api(role).get(detail(cast.person))
    if role in SIGNED_OUT:
        assert_problem(response, 401)
    elif role in SAM_READERS:
        assert response.status_code == 200 and response.json()["name"] == "Sam"
    else:
        hidden = assert_problem(response, 404)
        # The same answer as for an id that does not exist.
        assert hidden == assert_problem(cast.api(role).get(f"{URL}999999/"), 404)


def test_a_person_shows_their_line_and_reports(cast):
    body = cast.api("manager").get(detail(cast.manager)).json()
    assert (body["line_manager"], body["line_manager_name"]) == (cast.head.employee_id, "Bea")
    assert [p["name"] for p in body["managers_above"]] == ["Bea"]
    assert [p["name"] for p in body["reports"]] == ["Sam"]
    assert body["role_profile"] == cast.manager.role_profile.slug
    sam = cast.api("person").get(detail(cast.person)).json()
    assert [p["name"] for p in sam["managers_above"]] == ["Bea", "Mo"]
    assert sam["links"]["check_ins"].endswith(f"/people/{cast.person.pk}/check-ins/")
    # The manager's manager reads Sam but not his 1:1 notes.
    head = cast.api("head").get(detail(cast.person)).json()
    assert head["links"]["check_ins"] is None


def test_a_person_has_an_etag_and_answers_304(cast):
    api = cast.api("manager")
    response = api.get(detail(cast.person))
    again = api.get(detail(cast.person), HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304 and again.content == b""


def test_filters_naming_hidden_people_reveal_nothing(cast):
    api = cast.api("manager")
    hidden = assert_problem(api.get(URL, {"manager": cast.other_manager.employee_id}), 400)
    unknown = assert_problem(api.get(URL, {"manager": "NOBODY"}), 400)
    assert hidden == unknown and hidden["errors"][0]["pointer"] == "#/manager"
    # A search for someone outside the line finds nobody, by name or id.
    assert names(api.get(URL, {"q": "Tia"})) == []
    assert names(api.get(URL, {"q": cast.other_person.employee_id})) == []
    assert names(api.get(URL, {"q": cast.person.employee_id})) == ["Sam"]


def test_a_person_is_found_by_exact_employee_id_even_after_leaving(cast):
    hr = cast.api("hr")
    sam = cast.person.employee_id
    assert names(hr.get(URL, {"employee_id": sam})) == ["Sam"]
    # Exactly: not another case, nor a part of it.
    assert names(hr.get(URL, {"employee_id": sam.lower()})) == []
    assert names(hr.get(URL, {"employee_id": sam[:-1]})) == []
    Person.objects.filter(pk=cast.person.pk).update(leaving_date=timezone.localdate())
    assert names(hr.get(URL, {"employee_id": sam})) == ["Sam"]
    assert names(hr.get(URL, {"employee_id": sam, "status": "current"})) == []
    # Outside the reader's line, nobody.
    assert names(cast.api("other_manager").get(URL, {"employee_id": sam})) == []


def test_what_is_read_is_what_is_written(cast):
    """A person's line manager and role profile are read as they are
    written: a PUT of what a GET gave changes nothing."""
    hr = cast.api("hr")
    path = detail(cast.person)
    read = hr.get(path)
    body = read.json()
    assert body["line_manager"] == cast.manager.employee_id
    assert body["role_profile"] == cast.person.role_profile.slug
    again = hr.put(path, body, format="json", HTTP_IF_MATCH=read["ETag"])
    assert again.status_code == 200, again.content
    # Only the time of the write moves (every save is a change for a sync).
    written = {key: value for key, value in again.json().items() if key != "updated_at"}
    assert written == {key: value for key, value in body.items() if key != "updated_at"}
    assert again["ETag"] == read["ETag"]


def test_the_manager_filter_is_a_whole_reporting_line(cast):
    assert set(names(cast.api("hr").get(URL, {"manager": cast.head.employee_id}))) == {
        "Mo",
        "Olu",
        "Sam",
        "Tia",
    }
    assert names(cast.api("head").get(URL, {"manager": cast.other_manager.employee_id})) == ["Tia"]


def test_only_safe_sort_orders_are_offered(cast):
    api = cast.api("manager")
    # Ordering by what is above or beside them would show where hidden rows fall.
    for order in ("line_manager__name", "-line_manager__name", "account__username"):
        body = assert_problem(api.get(URL, {"sort": order}), 400)
        assert body["errors"][0]["pointer"] == "#/sort"
    # DRF's own `ordering` parameter is not read at all.
    assert names(api.get(URL, {"ordering": "-line_manager__name"})) == ["Mo", "Sam"]
    hr = cast.api("hr")
    by_id = [row["employee_id"] for row in hr.get(URL, {"sort": "employee_id"}).json()["results"]]
    assert by_id == sorted(by_id)


def test_hidden_profiles_and_families_are_as_unknown_as_missing_ones(cast):
    family = factories.JobFamilyFactory(name="Secret", slug="secret")
    draft = factories.RoleProfileFactory(title="Hidden", slug="hidden", job_family=family)
    api = cast.api("manager")
    for name, hidden in (("role_profile", draft.slug), ("job_family", family.slug)):
        body = assert_problem(api.get(URL, {name: hidden}), 400)
        assert body == assert_problem(api.get(URL, {name: "no-such"}), 400)
    assert names(api.get(URL, {"role_profile": cast.person.role_profile.slug})) == ["Mo", "Sam"]


def test_leavers_and_probation_filters(cast):
    Person.objects.filter(pk=cast.other_person.pk).update(
        leaving_date=timezone.localdate() - timedelta(days=1)
    )
    Person.objects.filter(pk=cast.person.pk).update(
        probation_end_date=timezone.localdate() + timedelta(days=30)
    )
    hr = cast.api("hr")
    assert "Tia" not in names(hr.get(URL))
    assert names(hr.get(URL, {"status": "left"})) == ["Tia"]
    assert set(names(hr.get(URL, {"status": "all"}))) == EVERYONE
    assert names(hr.get(URL, {"on_probation": "true"})) == ["Sam"]
    assert "Sam" not in names(hr.get(URL, {"on_probation": "false"}))
    # Anything but true or false is named, not read as "no filter".
    for value in ("null", "yes", "1"):
        refused = assert_problem(hr.get(URL, {"on_probation": value}), 400)
        assert refused["errors"][0]["pointer"] == "#/on_probation"


def test_the_list_pages_by_cursor(cast):
    hr = cast.api("hr")
    first = hr.get(URL, {"page_size": 2}).json()
    second = hr.get(first["next"]).json()
    third = hr.get(second["next"]).json()
    seen = [row["name"] for page in (first, second, third) for row in page["results"]]
    assert seen == sorted(EVERYONE) and third["next"] is None


# --- Writing ------------------------------------------------------------------------------


NEW = {
    "employee_id": "E900",
    "name": "Ada",
    "email": "ada@example.org",
    "job_title": "Engineer",
    "line_manager": None,
    "start_date": "2025-04-01",
    "probation_end_date": "2025-10-31",
}


@pytest.mark.parametrize("role", ["head", "manager", "person", "other_manager", "other_person"])
def test_only_hr_write_people(cast, role):
    api = cast.api(role)
    assert_problem(api.post(URL, NEW, format="json"), 403)
    etag = cast.api("hr").get(detail(cast.person))["ETag"]
    # A person they may read or not: 403 either way, before any lookup.
    for person in (cast.person, cast.other_person):
        response = api.patch(detail(person), {"name": "X"}, format="json", HTTP_IF_MATCH=etag)
        assert_problem(response, 403)
    assert_problem(api.post(PREVIEW, b"x", content_type="text/csv"), 403)
    assert not Person.objects.filter(name="X").exists()


@pytest.mark.parametrize("role", SIGNED_OUT)
def test_signed_out_callers_write_nothing(cast, role):
    assert_problem(cast.api(role).post(URL, NEW, format="json"), 401)
    assert not Person.objects.filter(employee_id="E900").exists()


def test_hr_add_a_person_once_with_an_idempotency_key(cast):
    hr = cast.api("hr")
    given = {
        **NEW,
        "line_manager": cast.manager.employee_id,
        "role_profile": cast.person.role_profile.slug,
    }
    first = hr.post(URL, given, format="json", HTTP_IDEMPOTENCY_KEY="new-ada")
    assert first.status_code == 201, first.content
    body = first.json()
    assert (body["line_manager"], body["line_manager_name"]) == (cast.manager.employee_id, "Mo")
    assert body["role_profile"] == cast.person.role_profile.slug
    assert first["Location"].endswith(body["url"][-12:])
    assert first["ETag"]
    again = hr.post(URL, given, format="json", HTTP_IDEMPOTENCY_KEY="new-ada")
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert Person.objects.filter(employee_id="E900").count() == 1
    # The dates placed the probation checkpoints, as the person form does.
    assert ProbationCheckpoint.objects.filter(person__employee_id="E900").count() == 3


def test_bad_input_points_at_the_field_and_writes_nothing(cast):
    hr = cast.api("hr")
    cases = [
        ({**NEW, "name": ""}, "#/name"),
        ({**NEW, "line_manager": "NOBODY"}, "#/line_manager"),
        ({**NEW, "probation_end_date": "2025-01-01"}, "#/probation_end_date"),
        ({**NEW, "email": cast.person.email}, "#/email"),
        ({**NEW, "start_date": "1 April"}, "#/start_date"),
        ({**NEW, "role_profile": "no-such"}, "#/role_profile"),
    ]
    for given, pointer in cases:
        body = assert_problem(hr.post(URL, given, format="json"), 400)
        assert pointer in [error["pointer"] for error in body["errors"]], body
    assert_problem(hr.post(URL, [1, 2], format="json"), 400)
    assert not Person.objects.filter(employee_id="E900").exists()


def test_changes_need_if_match_checked_under_the_lock(cast):
    hr = cast.api("hr")
    path = detail(cast.person)
    etag = hr.get(path)["ETag"]
    assert_problem(hr.patch(path, {"job_title": "Lead"}, format="json"), 428)
    changed = hr.patch(path, {"job_title": "Lead"}, format="json", HTTP_IF_MATCH=etag)
    assert changed.status_code == 200, changed.content
    assert changed.json()["job_title"] == "Lead" and changed["ETag"] != etag
    # Nothing else changed: PATCH keeps what it was not sent.
    assert changed.json()["line_manager"] == cast.manager.employee_id
    stale = hr.patch(path, {"job_title": "Lost"}, format="json", HTTP_IF_MATCH=etag)
    assert_problem(stale, 412)
    assert Person.objects.get(pk=cast.person.pk).job_title == "Lead"


def test_put_replaces_the_details(cast):
    hr = cast.api("hr")
    path = detail(cast.person)
    etag = hr.get(path)["ETag"]
    given = {"employee_id": cast.person.employee_id, "name": "Samuel"}
    response = hr.put(path, given, format="json", HTTP_IF_MATCH=etag)
    assert response.status_code == 200, response.content
    body = response.json()
    # Left out: cleared, the line manager too.
    assert (body["name"], body["email"], body["line_manager"]) == ("Samuel", "", None)


def test_a_new_line_manager_goes_through_the_loop_check(cast):
    hr = cast.api("hr")
    path = detail(cast.head)
    etag = hr.get(path)["ETag"]
    # Bea under Sam, who reports to Mo, who reports to Bea: a loop.
    response = hr.patch(
        path, {"line_manager": cast.person.employee_id}, format="json", HTTP_IF_MATCH=etag
    )
    body = assert_problem(response, 400)
    assert body["errors"][0]["pointer"] == "#/line_manager"
    assert "loop" in body["detail"]
    own = hr.patch(path, {"line_manager": cast.head.employee_id}, format="json", HTTP_IF_MATCH=etag)
    assert "own line manager" in assert_problem(own, 400)["detail"]
    assert Person.objects.get(pk=cast.head.pk).line_manager is None
    # A move that makes no loop is saved.
    moved = hr.patch(
        detail(cast.person),
        {"line_manager": cast.other_manager.employee_id},
        format="json",
        HTTP_IF_MATCH=hr.get(detail(cast.person))["ETag"],
    )
    assert moved.status_code == 200, moved.content
    assert (moved.json()["line_manager"], moved.json()["line_manager_name"]) == (
        cast.other_manager.employee_id,
        "Olu",
    )


# --- The import --------------------------------------------------------------------------

HEADER = (
    "employee id,name,email,manager's employee id,profile slug,job title,start date,"
    "probation end date\n"
)


def table(cast, *extra):
    """The cast as a people table, plus extra rows."""
    rows = [
        f"{p.employee_id},{p.name},{p.email},"
        f"{p.line_manager.employee_id if p.line_manager else ''},,{p.job_title},2024-01-15,"
        for p in (cast.head, cast.manager, cast.person, cast.other_manager, cast.other_person)
    ]
    return (HEADER + "\n".join([*rows, *extra]) + "\n").encode()


def test_the_preview_writes_nothing(cast):
    hr = cast.api("hr")
    data = table(cast, "E901,Ada,ada@example.org,E_MISSING,,Engineer,2025-04-01,")
    body = assert_problem(hr.post(PREVIEW, data, content_type="text/csv"), 400)
    error = body["errors"][0]
    assert error["pointer"] == "#/file/rows/7/manager"
    assert error["detail"].startswith("Row 7, column D (manager)")
    data = table(cast, f"E901,Ada,ada@example.org,{cast.manager.employee_id},,Engineer,,")
    before = Person.objects.count()
    response = hr.post(PREVIEW, data, content_type="text/csv")
    assert response.status_code == 200, response.content
    plan = response.json()
    assert [row["employee_id"] for row in plan["created"]] == ["E901"]
    assert plan["unchanged"] + len(plan["updated"]) + len(plan["moved"]) == 5
    assert Person.objects.count() == before


def test_import_with_the_previews_fingerprint_once(cast):
    hr = cast.api("hr")
    data = table(cast, f"E901,Ada,ada@example.org,{cast.manager.employee_id},,Engineer,,")
    confirmed = hr.post(PREVIEW, data, content_type="text/csv").json()["confirmed"]
    path = f"{IMPORT}&confirmed={confirmed}"
    first = hr.post(path, data, content_type="text/csv", HTTP_IDEMPOTENCY_KEY="import-1")
    assert first.status_code == 200, first.content
    ada = Person.objects.get(employee_id="E901")
    assert first.json()["created"] == [{"id": ada.pk, "employee_id": "E901", "name": "Ada"}]
    assert ada.line_manager == cast.manager
    again = hr.post(path, data, content_type="text/csv", HTTP_IDEMPOTENCY_KEY="import-1")
    assert again["Idempotent-Replayed"] == "true"
    # Without the key, the same fingerprint is stale now: Ada exists.
    assert_problem(hr.post(path, data, content_type="text/csv"), 409)


def test_import_refuses_a_file_with_a_loop_and_a_multipart_upload_works(cast):
    hr = cast.api("hr")
    looped = table(cast).replace(
        f"{cast.head.employee_id},Bea,bea@example.org,,".encode(),
        f"{cast.head.employee_id},Bea,bea@example.org,{cast.person.employee_id},".encode(),
    )
    upload = io.BytesIO(looped)
    upload.name = "people.csv"
    body = assert_problem(hr.post(IMPORT, {"file": upload}, format="multipart"), 400)
    assert "loop" in body["detail"] and body["errors"][0]["pointer"].endswith("/manager")
    assert Person.objects.get(pk=cast.head.pk).line_manager is None
    not_a_table = assert_problem(hr.post(PREVIEW, b"\x00\x01", content_type="text/csv"), 400)
    assert not_a_table["errors"][0]["pointer"] == "#/file"
    # Titled as the profile and framework importers' refusals are.
    assert not_a_table["title"] == body["title"] == "The file cannot be imported"
    nothing = assert_problem(hr.post(PREVIEW, {}, format="multipart"), 400)
    assert "as `file`" in nothing["detail"]


def test_the_mode_is_always_given_and_adding_marks_nobody_as_left(cast):
    hr = cast.api("hr")
    starter = f"E901,Ada,ada@example.org,{cast.manager.employee_id},,Engineer,,"
    data = (HEADER + starter + "\n").encode()
    for query in ("", "?mode=", "?mode=everyone"):
        body = assert_problem(hr.post(f"{URL}import/{query}", data, content_type="text/csv"), 400)
        assert body["errors"][0]["pointer"] == "#/mode"
    assert_problem(hr.post(PREVIEW, data, content_type="text/csv"), 400)
    done = hr.post(f"{URL}import/?mode=add_and_update", data, content_type="text/csv")
    assert done.status_code == 200, done.content
    body = done.json()
    assert body["mode"] == "add_and_update" and body["leavers"] == []
    assert Person.objects.get(employee_id="E901").line_manager == cast.manager
    assert Person.objects.current().count() == 6


def test_an_xlsx_table_is_read_too(cast):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    for line in table(cast).decode().splitlines():
        sheet.append(line.split(","))
    data = io.BytesIO()
    book.save(data)
    response = cast.api("hr").post(
        PREVIEW,
        data.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    assert response.status_code == 200, response.content
    assert response.json()["rows"] == 5


# --- Check-ins ----------------------------------------------------------------------------


def check_ins(person):
    return f"{URL}{person.pk}/check-ins/"


# Sam's 1:1s: Sam, Mo and HR; not Mo's manager, nor anyone outside.
CHECK_IN_READERS = {"hr", "manager", "person"}


@pytest.mark.parametrize("role", [*ROLES, "revoked", "expired"])
def test_who_reads_check_ins(cast, role):
    CheckIn.objects.create(
        person=cast.person, manager=cast.manager, held_on=date(2025, 5, 1), notes="Fine"
    )
    response = cast.api(role).get(check_ins(cast.person))
    if role in SIGNED_OUT:
        assert_problem(response, 401)
    elif role in CHECK_IN_READERS:
        assert [row["notes"] for row in response.json()["results"]] == ["Fine"]
    else:
        assert_problem(response, 404)


@pytest.mark.parametrize("role", ["hr", "head", "person", "other_manager", "other_person"])
def test_only_the_line_manager_records_a_check_in(cast, role):
    response = cast.api(role).post(
        check_ins(cast.person), {"held_on": "2025-05-01", "notes": "X"}, format="json"
    )
    # Those who read them are refused (403); the rest never see them (404).
    assert_problem(response, 403 if role in CHECK_IN_READERS else 404)
    assert not CheckIn.objects.exists()


def test_the_manager_records_and_changes_a_check_in(cast):
    mo = cast.api("manager")
    bad = assert_problem(mo.post(check_ins(cast.person), {"notes": "X"}, format="json"), 400)
    assert bad["errors"][0]["pointer"] == "#/held_on"
    created = mo.post(
        check_ins(cast.person),
        {"held_on": "2025-05-01", "notes": "Going well"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="c1",
    )
    assert created.status_code == 201, created.content
    path = created["Location"]
    etag = created["ETag"]
    assert_problem(mo.patch(path, {"notes": "Edited"}, format="json"), 428)
    changed = mo.patch(path, {"notes": "Edited"}, format="json", HTTP_IF_MATCH=etag)
    assert changed.status_code == 200 and changed.json()["notes"] == "Edited"
    assert changed.json()["held_on"] == "2025-05-01"
    assert_problem(mo.patch(path, {"notes": "Lost"}, format="json", HTTP_IF_MATCH=etag), 412)
    # Sam reads it but may not change it.
    sam = cast.api("person")
    fresh = sam.get(path)
    assert fresh.status_code == 200
    refused = sam.patch(path, {"notes": "Mine"}, format="json", HTTP_IF_MATCH=fresh["ETag"])
    assert_problem(refused, 403)
    assert CheckIn.objects.get().notes == "Edited"


def test_a_check_in_of_someone_else_is_404_under_another_person(cast):
    check_in = CheckIn.objects.create(
        person=cast.person, manager=cast.manager, held_on=date(2025, 5, 1)
    )
    assert_problem(cast.api("hr").get(f"{check_ins(cast.manager)}{check_in.pk}/"), 404)


# --- Probation -----------------------------------------------------------------------------


@pytest.fixture
def on_probation(cast):
    today = timezone.localdate()
    Person.objects.filter(pk=cast.person.pk).update(
        start_date=today - timedelta(days=100), probation_end_date=today + timedelta(days=90)
    )
    probation.schedule_checkpoints(Person.objects.filter(pk=cast.person.pk))
    return cast.person


def checkpoints(person):
    return f"{URL}{person.pk}/probation-checkpoints/"


def decisions(person):
    return f"{URL}{person.pk}/probation-decisions/"


@pytest.mark.parametrize("role", [*ROLES, "revoked", "expired"])
def test_who_reads_probation(cast, on_probation, role):
    api = cast.api(role)
    for path in (checkpoints(on_probation), decisions(on_probation)):
        response = api.get(path)
        if role in SIGNED_OUT:
            assert_problem(response, 401)
        elif role in SAM_READERS:
            assert response.status_code == 200
        else:
            assert_problem(response, 404)
    if role in SAM_READERS:
        rows = api.get(checkpoints(on_probation)).json()
        assert [row["months"] for row in rows] == [1, 3, 6]
        assert rows[0]["overdue"] is True


@pytest.mark.parametrize("role", ["head", "person"])
def test_readers_who_may_not_act_are_refused(cast, on_probation, role):
    api = cast.api(role)
    first = ProbationCheckpoint.objects.filter(person=on_probation).earliest("due_on")
    path = f"{checkpoints(on_probation)}{first.pk}/"
    done = api.post(
        f"{path}complete/", {"notes": "x"}, format="json", HTTP_IF_MATCH=api.get(path)["ETag"]
    )
    assert_problem(done, 403)
    assert_problem(api.post(decisions(on_probation), {"outcome": "passed"}, format="json"), 403)
    assert not ProbationDecision.objects.exists()
    assert ProbationCheckpoint.objects.get(pk=first.pk).completed_on is None


def test_the_line_manager_completes_a_checkpoint_under_if_match(cast, on_probation):
    mo = cast.api("manager")
    first = ProbationCheckpoint.objects.filter(person=on_probation).earliest("due_on")
    path = f"{checkpoints(on_probation)}{first.pk}/"
    etag = mo.get(path)["ETag"]
    assert_problem(mo.post(f"{path}complete/", {"notes": "x"}, format="json"), 428)
    assert_problem(
        mo.post(f"{path}complete/", {"notes": "x"}, format="json", HTTP_IF_MATCH='"stale"'), 412
    )
    other = CheckIn.objects.create(
        person=cast.other_person, manager=cast.other_manager, held_on=date(2025, 5, 1)
    )
    hidden = mo.post(f"{path}complete/", {"check_in": other.pk}, format="json", HTTP_IF_MATCH=etag)
    assert assert_problem(hidden, 400)["errors"][0]["pointer"] == "#/check_in"
    done = mo.post(f"{path}complete/", {"notes": "On track"}, format="json", HTTP_IF_MATCH=etag)
    assert done.status_code == 200, done.content
    assert done.json()["completed_on"] == timezone.localdate().isoformat()
    # Done already: the service says so.
    again = mo.post(f"{path}complete/", {}, format="json", HTTP_IF_MATCH=done["ETag"])
    assert "completed" in assert_problem(again, 409)["detail"]


def test_hr_and_the_manager_decide_through_the_service(cast, on_probation):
    mo = cast.api("manager")
    no_date = mo.post(decisions(on_probation), {"outcome": "extended"}, format="json")
    assert "new end date" in assert_problem(no_date, 409)["detail"]
    bad = assert_problem(mo.post(decisions(on_probation), {"outcome": "maybe"}, format="json"), 400)
    assert bad["errors"][0]["pointer"] == "#/outcome"
    later = (timezone.localdate() + timedelta(days=200)).isoformat()
    given = {"outcome": "extended", "extended_to": later, "notes": "More time"}
    first = mo.post(decisions(on_probation), given, format="json", HTTP_IDEMPOTENCY_KEY="d1")
    assert first.status_code == 201, first.content
    assert first.json()["decided_by"] == "mo"
    again = mo.post(decisions(on_probation), given, format="json", HTTP_IDEMPOTENCY_KEY="d1")
    assert again["Idempotent-Replayed"] == "true"
    assert ProbationDecision.objects.count() == 1
    assert Person.objects.get(pk=on_probation.pk).probation_end_date.isoformat() == later
    passed = cast.api("hr").post(decisions(on_probation), {"outcome": "passed"}, format="json")
    assert passed.status_code == 201
    not_on = cast.api("hr").post(decisions(cast.manager), {"outcome": "passed"}, format="json")
    assert "not on probation" in assert_problem(not_on, 409)["detail"]


# --- Query counts ----------------------------------------------------------------------------


def _queries(client, path, **params):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path, params)
        assert response.status_code == 200, response.content
    return len(captured)


def _team(cast, count):
    for n in range(count):
        factories.PersonFactory(
            name=f"Report {n:03}", line_manager=cast.manager, role_profile=cast.person.role_profile
        )


@pytest.mark.parametrize("role", ["hr", "manager"])
def test_the_list_takes_the_same_queries_for_1_and_100_rows(cast, role):
    api = cast.api(role)
    params = {"manager": cast.manager.employee_id, "page_size": 200}
    assert names(api.get(URL, params)) == ["Sam"]
    one = _queries(api, URL, **params)
    _team(cast, 99)
    assert len(names(api.get(URL, params))) == 100
    assert _queries(api, URL, **params) == one
    # Session, user, permissions (two), the manager chosen, the page; and
    # for the rows' ETags, the page's lines above and their reports.
    assert one == 6


def test_details_take_a_fixed_number_of_queries(cast, on_probation):
    mo = cast.api("manager")
    small = _queries(mo, detail(cast.manager))
    _team(cast, 30)
    # Session, user, permissions (two), the person, their line above, their reports.
    assert _queries(mo, detail(cast.manager)) == small == 5
    assert _queries(mo, checkpoints(on_probation)) <= 6
    assert _queries(mo, decisions(on_probation)) <= 6


def test_check_ins_take_the_same_queries_for_1_and_100_rows(cast):
    mo = cast.api("manager")
    CheckIn.objects.create(person=cast.person, manager=cast.manager, held_on=date(2025, 1, 1))
    one = _queries(mo, check_ins(cast.person), page_size=200)
    CheckIn.objects.bulk_create(
        CheckIn(person=cast.person, manager=cast.manager, held_on=date(2025, 1, 2) + timedelta(n))
        for n in range(99)
    )
    assert len(mo.get(check_ins(cast.person), {"page_size": 200}).json()["results"]) == 100
    # Session, user, permissions (two), the person, the count, the page.
    assert _queries(mo, check_ins(cast.person), page_size=200) == one == 5


# --- Two writers at once (PostgreSQL's locks, real threads) ---------------------------------


def _hr_may_write(cast):
    """A transactional test starts without the migrations' groups: give HR's
    permission to HR's account itself."""
    from django.contrib.auth.models import Permission

    cast.hr.user_permissions.add(
        Permission.objects.get(content_type__app_label="profiles", codename="change_roleprofile")
    )


@pytest.mark.parametrize("round_", range(3))
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="lock races need PostgreSQL")
def test_two_edits_from_the_same_read_let_one_through(cast, round_):
    from tests.threads import in_threads

    _hr_may_write(cast)
    first, second = cast.api("hr"), cast.api("hr")
    path = detail(cast.person)
    etag = first.get(path)["ETag"]
    outcomes = in_threads(
        lambda: first.patch(path, {"job_title": "One"}, format="json", HTTP_IF_MATCH=etag),
        lambda: second.patch(path, {"job_title": "Two"}, format="json", HTTP_IF_MATCH=etag),
    )
    codes = sorted(response.status_code for response in outcomes)
    assert codes == [200, 412], outcomes
    winner = next(r for r in outcomes if r.status_code == 200).json()["job_title"]
    assert Person.objects.get(pk=cast.person.pk).job_title == winner


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="lock races need PostgreSQL")
def test_two_edits_of_a_check_in_from_the_same_read_let_one_through(cast):
    from tests.threads import in_threads

    check_in = CheckIn.objects.create(
        person=cast.person, manager=cast.manager, held_on=date(2025, 5, 1)
    )
    first, second = cast.api("manager"), cast.api("manager")
    path = f"{check_ins(cast.person)}{check_in.pk}/"
    etag = first.get(path)["ETag"]
    outcomes = in_threads(
        lambda: first.patch(path, {"notes": "One"}, format="json", HTTP_IF_MATCH=etag),
        lambda: second.patch(path, {"notes": "Two"}, format="json", HTTP_IF_MATCH=etag),
    )
    assert sorted(response.status_code for response in outcomes) == [200, 412], outcomes


def test_a_large_table_imports_with_an_idempotency_key(cast):
    """Larger than Django's in-memory limit for a request body (2.5 MB), so
    the key's digest must not read the body as request.body would."""
    hr = cast.api("hr")
    # Spaces around a cell are not part of it: 3 MB of twenty-five people.
    pad = " " * 30_000
    data = table(
        cast,
        *(f"N{n},New {n}{pad},{pad},{pad},{pad},Engineer{pad},{pad},{pad}" for n in range(20)),
    )
    assert len(data) > 3_000_000
    first = hr.post(IMPORT, data, content_type="text/csv", HTTP_IDEMPOTENCY_KEY="big")
    assert first.status_code == 200, first.content[:300]
    again = hr.post(IMPORT, data, content_type="text/csv", HTTP_IDEMPOTENCY_KEY="big")
    assert again["Idempotent-Replayed"] == "true"
