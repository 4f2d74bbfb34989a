"""A profile's audit trail through the API: HR only, the same entries as
the history page, newest first, by cursor, and a cursor that stays put when
newer changes are recorded."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from profiles.models import RoleProfile
from tests.api.helpers import assert_problem
from tests.cast import issue, with_token
from tests.paths import DATA
from tests.profiles.helpers import every_entry, make_changes, run

LEAD = DATA / "lead-data-engineer-technical.txt"
URL = "/api/v1/profiles/lead-data-engineer-technical/history/"


@pytest.fixture
def lead(ddat):
    # Imported: each section's links are written in bulk, so many records
    # share one date, which the cursor must still step through one by one.
    run("import_profile", str(LEAD), "--publish")
    return RoleProfile.objects.get(slug="lead-data-engineer-technical")


def walk(client, page_size):
    """Every entry, page by page through `next`."""
    entries, url, pages = [], f"{URL}?page_size={page_size}", 0
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.content
        body = response.json()
        entries += body["results"]
        url, pages = body["next"], pages + 1
    return entries, pages


def as_page_shows(entry):
    return {
        "who": entry["who"].get_username() if entry["who"] else None,
        "type": entry["type"],
        "what": entry["what"],
        "changed": entry["changed"],
    }


@pytest.mark.parametrize("page_size", [1, 7, 200])
def test_hr_read_every_entry_once_newest_first_whatever_the_page_size(hr_api, lead, page_size):
    make_changes(lead, 3)
    expected = every_entry(lead)
    entries, pages = walk(hr_api, page_size)
    assert len(entries) == len(expected) > 20
    assert pages == -(-len(expected) // page_size)
    assert [entry["when"] for entry in entries] == sorted(
        (entry["when"] for entry in entries), reverse=True
    )
    # The same entries as the page's reference (ties on a date in any order).
    key = lambda entry: (entry["type"], entry["what"], tuple(entry["changed"]))  # noqa: E731
    assert sorted(map(key, entries)) == sorted(key(as_page_shows(entry)) for entry in expected)
    # make_changes changed the summary: a change of the profile that says so.
    assert any(
        entry["type"] == "Changed" and entry["what"] == "Profile" and "summary" in entry["changed"]
        for entry in entries
    )


def test_a_cursor_stays_put_when_newer_changes_come(hr_api, lead):
    first = hr_api.get(f"{URL}?page_size=5").json()
    rest, _ = walk(hr_api, 200)
    make_changes(lead, 2)  # newer entries, before the first page
    following = hr_api.get(first["next"]).json()
    assert following["results"] == rest[5:10]


def test_a_page_costs_the_same_queries_however_long_the_history(hr_api, lead):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert hr_api.get(f"{URL}?page_size=10").status_code == 200
        return len(captured)

    short = queries()
    make_changes(lead, 20)
    assert queries() == short


@pytest.mark.parametrize(
    "query, pointer",
    [
        ("cursor=not-ours", "#/cursor"),
        ("cursor=WzEsMiwzXQ==", "#/cursor"),  # base64 JSON of another shape
        ("page_size=0", "#/page_size"),
        ("page_size=201", "#/page_size"),
        ("cursor=a&cursor=b", "#/cursor"),
        ("cursor=" + "W" * 1_500, "#/cursor"),  # ["[[[…"-like, far longer than ours
        # ["0001-01-01T00:00:00+05:00", 0, 1, 1]: a date before any in UTC
        ("cursor=WyIwMDAxLTAxLTAxVDAwOjAwOjAwKzA1OjAwIiwgMCwgMSwgMV0=", "#/cursor"),
    ],
)
def test_a_cursor_or_page_size_it_did_not_give_is_a_400(hr_api, lead, query, pointer):
    body = assert_problem(hr_api.get(f"{URL}?{query}"), 400)
    assert body["errors"][0]["pointer"] == pointer


def test_only_hr_read_it(staff_api, manager_api, anonymous_api, staff_user, hr_user, lead):
    for client in (staff_api, manager_api, with_token(issue(staff_user)[1])):
        assert_problem(client.get(URL), 403)
    assert_problem(anonymous_api.get(URL), 401)
    revoked = with_token(issue(hr_user, revoked_at=lead.created_at)[1])
    assert_problem(revoked.get(URL), 401)
    # HR with a token reads it; an unknown profile is a 404 for them.
    hr_token = with_token(issue(hr_user)[1])
    assert hr_token.get(URL).status_code == 200
    assert_problem(hr_token.get("/api/v1/profiles/nobody/history/"), 404)
