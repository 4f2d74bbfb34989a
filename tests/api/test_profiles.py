"""Role profiles over the API: who sees what, ETags and If-Match, the
transitions, import and export, idempotency, query counts."""

import base64
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from profiles.documents import profile_document
from profiles.models import ProfileVersion, RoleProfile
from tests import factories
from tests.api.helpers import assert_problem, document

URL = "/api/v1/profiles/"


def etag_of(client, slug):
    response = client.get(f"{URL}{slug}/")
    assert response.status_code == 200
    return response["ETag"]


# --- Reading ------------------------------------------------------------------


def test_hr_list_the_working_copies_and_readers_the_versions_in_force(
    hr_api, staff_api, published, draft_only
):
    published.title = "Data Engineer (renamed in the draft)"
    published.status = RoleProfile.Status.DRAFT
    published.save()
    hr_rows = hr_api.get(URL).json()["results"]
    assert [row["title"] for row in hr_rows] == [
        "Data Engineer (renamed in the draft)",
        "Payroll Officer",
    ]
    reader_rows = staff_api.get(URL).json()["results"]
    # The version in force's words, never the draft's; no draft-only profile.
    assert [(row["slug"], row["title"], row["version"]) for row in reader_rows] == [
        ("data-engineer", "Data Engineer", 1)
    ]


def test_a_job_family_is_read_as_it_is_written_and_filtered(hr_api, staff_api, published):
    """By its slug (its name beside it, to read): what a row says is what a
    filter and a write take."""
    for api in (hr_api, staff_api):
        (row,) = api.get(URL).json()["results"]
        assert (row["job_family"], row["job_family_name"]) == ("data", "Data")
        (found,) = api.get(URL, {"job_family": row["job_family"]}).json()["results"]
        assert found["slug"] == published.slug
    other = factories.JobFamilyFactory(name="Analysis", slug="analysis")
    created = hr_api.post(
        URL,
        {"title": "Analyst", "slug": "analyst", "job_family": other.slug},
        format="json",
    )
    assert created.status_code == 201, created.content
    rows = {row["slug"]: row for row in hr_api.get(URL).json()["results"]}
    assert rows["analyst"]["job_family"] == "analysis"
    # Readers read the family of the version in force, not of the draft.
    RoleProfile.objects.filter(pk=published.pk).update(job_family=other)
    assert hr_api.get(URL, {"q": "Data"}).json()["results"][0]["job_family"] == "analysis"
    assert staff_api.get(URL).json()["results"][0]["job_family"] == "data"


@pytest.mark.parametrize("who", ["staff_api", "manager_api"])
def test_a_reader_asking_for_a_draft_only_profile_gets_404(who, request, draft_only):
    api = request.getfixturevalue(who)
    for path in ("", "export/", "versions/", "versions/1/"):
        assert_problem(api.get(f"{URL}{draft_only.slug}/{path}"), 404)


def test_a_filter_naming_a_hidden_family_reveals_nothing(staff_api, published, draft_only):
    hidden = staff_api.get(URL, {"job_family": "secret-plans"})
    unknown = staff_api.get(URL, {"job_family": "no-such-family"})
    body = assert_problem(hidden, 400)
    # The same answer as for a family that does not exist.
    assert body == assert_problem(unknown, 400)
    assert body["errors"][0]["pointer"] == "#/job_family"
    # A search for the draft's own words finds nothing for a reader.
    assert staff_api.get(URL, {"q": "Payroll"}).json()["results"] == []


def test_anonymous_and_bad_tokens_get_401(anonymous_api, revoked_api, expired_api, published):
    for api in (anonymous_api, revoked_api, expired_api):
        body = assert_problem(api.get(URL), 401)
        assert "Token" in (api.get(URL)["WWW-Authenticate"] or "")
        assert body["type"] == "about:blank"


def test_detail_serves_the_document_with_an_etag_and_304(hr_api, staff_api, published):
    response = staff_api.get(f"{URL}{published.slug}/")
    body = response.json()
    assert body["document"]["title"] == "Data Engineer"
    assert body["version_in_force"] == 1 and body["working_copy"] is False
    again = staff_api.get(f"{URL}{published.slug}/", HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304 and again.content == b""
    hr = hr_api.get(f"{URL}{published.slug}/")
    # HR's ETag is the working copy's fingerprint (what the services confirm).
    from profiles.documents import document_fingerprint

    assert hr["ETag"].strip('"').split(".")[0] == document_fingerprint(profile_document(published))


def test_versions_are_served_as_stored(staff_api, published):
    listed = staff_api.get(f"{URL}{published.slug}/versions/").json()
    assert [(row["number"], row["in_force"], row["change_note"]) for row in listed["results"]] == [
        (1, True, "First")
    ]
    response = staff_api.get(f"{URL}{published.slug}/versions/1/")
    assert response.json() == ProfileVersion.objects.get(profile=published).document
    assert (
        staff_api.get(
            f"{URL}{published.slug}/versions/1/", HTTP_IF_NONE_MATCH=response["ETag"]
        ).status_code
        == 304
    )
    assert_problem(staff_api.get(f"{URL}{published.slug}/versions/2/"), 404)


def test_export_is_the_role_profile_document(staff_api, published):
    response = staff_api.get(f"{URL}{published.slug}/export/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert json.loads(response.content)["version"] == 1


# --- Writing: If-Match --------------------------------------------------------


def test_patch_needs_if_match_and_refuses_a_stale_one(hr_api, draft_only):
    path = f"{URL}{draft_only.slug}/"
    etag = etag_of(hr_api, draft_only.slug)
    assert_problem(hr_api.patch(path, {"summary": "New"}, format="json"), 428)
    changed = hr_api.patch(path, {"summary": "New"}, format="json", HTTP_IF_MATCH=etag)
    assert changed.status_code == 200, changed.content
    assert changed.json()["document"]["summary"] == "New"
    assert changed["ETag"] != etag
    # The old ETag is stale now: nothing is written.
    body = assert_problem(
        hr_api.patch(path, {"summary": "Lost"}, format="json", HTTP_IF_MATCH=etag), 412
    )
    assert "nothing" in body["detail"].lower() or "not saved" in body["detail"]
    draft_only.refresh_from_db()
    assert draft_only.summary == "New"


def test_invalid_input_points_at_the_field(hr_api, draft_only):
    etag = etag_of(hr_api, draft_only.slug)
    body = assert_problem(
        hr_api.patch(
            f"{URL}{draft_only.slug}/",
            {"responsibilities": ["ok", ""], "role_level": "Emperor"},
            format="json",
            HTTP_IF_MATCH=etag,
        ),
        400,
    )
    pointers = {error["pointer"] for error in body["errors"]}
    assert pointers == {"#/responsibilities/1", "#/role_level"}


def test_publish_archive_and_new_draft_call_the_services(hr_api, draft_only):
    path = f"{URL}{draft_only.slug}/"
    assert_problem(hr_api.post(f"{path}publish/", {}, format="json"), 428)
    published = hr_api.post(
        f"{path}publish/",
        {"change_note": "First"},
        format="json",
        HTTP_IF_MATCH=etag_of(hr_api, draft_only.slug),
    )
    assert published.status_code == 200, published.content
    assert published.json()["status"] == "published"
    assert published.json()["version_in_force"] == 1
    # The document did not change, but the ETag did (the state is in it).
    stale = etag_of(hr_api, draft_only.slug)
    archived = hr_api.post(f"{path}archive/", format="json", HTTP_IF_MATCH=stale)
    assert archived.json()["status"] == "archived"
    assert_problem(hr_api.post(f"{path}new-draft/", {}, format="json", HTTP_IF_MATCH=stale), 412)
    again = hr_api.post(
        f"{path}new-draft/",
        {"version": 1},
        format="json",
        HTTP_IF_MATCH=etag_of(hr_api, draft_only.slug),
    )
    assert again.json()["status"] == "draft"
    # A service's refusal is a 409 in the same shape.
    body = assert_problem(
        hr_api.post(
            f"{path}new-draft/", {}, format="json", HTTP_IF_MATCH=etag_of(hr_api, draft_only.slug)
        ),
        409,
    )
    assert "already a draft" in body["detail"]


@pytest.mark.parametrize("who", ["staff_api", "manager_api"])
def test_readers_may_not_write(who, request, published):
    api = request.getfixturevalue(who)
    etag = etag_of(api, published.slug)
    assert_problem(api.post(f"{URL}{published.slug}/archive/", HTTP_IF_MATCH=etag), 403)
    assert_problem(api.post(URL, {"title": "X", "slug": "x"}, format="json"), 403)
    assert RoleProfile.objects.get(pk=published.pk).status == "published"


def test_a_token_acts_as_its_person(hr_token_api, staff_user, published):
    from tests.cast import issue, with_token

    assert hr_token_api.get(URL).status_code == 200
    staff_token = with_token(issue(staff_user)[1])
    # A staff member's token can do what the staff member can, nothing more.
    assert staff_token.get(f"{URL}{published.slug}/").status_code == 200
    assert_problem(staff_token.get("/api/v1/skills/"), 403)


# --- Creating, idempotency ----------------------------------------------------


def test_create_a_draft_once_with_an_idempotency_key(hr_api):
    payload = {"title": "Tester", "slug": "tester"}
    first = hr_api.post(URL, payload, format="json", HTTP_IDEMPOTENCY_KEY="abc-1")
    assert first.status_code == 201, first.content
    assert first["Location"].endswith("/api/v1/profiles/tester/")
    retry = hr_api.post(URL, payload, format="json", HTTP_IDEMPOTENCY_KEY="abc-1")
    assert retry.status_code == 201
    assert retry.json() == first.json()
    assert retry["Idempotent-Replayed"] == "true"
    assert RoleProfile.objects.filter(slug="tester").count() == 1
    # The same key for another request is refused.
    other = hr_api.post(
        URL, {"title": "Other", "slug": "other"}, format="json", HTTP_IDEMPOTENCY_KEY="abc-1"
    )
    assert_problem(other, 422)
    # Without a key a second create is a conflict, in the same shape.
    body = assert_problem(hr_api.post(URL, payload, format="json"), 400)
    assert body["errors"][0]["pointer"] == "#/slug"


def test_a_failed_create_keeps_no_key(hr_api, draft_only):
    taken = {"title": "Payroll", "slug": draft_only.slug}
    assert_problem(hr_api.post(URL, taken, format="json", HTTP_IDEMPOTENCY_KEY="k2"), 400)
    fixed = hr_api.post(
        URL, {"title": "Payroll", "slug": "payroll-2"}, format="json", HTTP_IDEMPOTENCY_KEY="k2"
    )
    # The first attempt failed, so the key was not spent on it... but the
    # body differs: a new request under a key that kept nothing runs.
    assert fixed.status_code == 201


# --- Import -------------------------------------------------------------------


def test_import_preview_writes_nothing_and_import_writes_once(hr_api):
    body = json.dumps(document())
    preview = hr_api.post(f"{URL}import/preview/", body, content_type="application/json")
    assert preview.status_code == 200, preview.content
    assert preview.json()["action"] == "created"
    assert preview.json()["confirmed"] == ""
    assert not RoleProfile.objects.filter(slug="imported-role").exists()
    done = hr_api.post(
        f"{URL}import/?confirmed=",
        body,
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="import-1",
    )
    assert done.status_code == 201, done.content
    retry = hr_api.post(
        f"{URL}import/?confirmed=",
        body,
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="import-1",
    )
    assert retry.json() == done.json() and retry["Idempotent-Replayed"] == "true"
    assert RoleProfile.objects.filter(slug="imported-role").count() == 1
    # A confirmation from before the profile existed is now stale: 409.
    assert_problem(
        hr_api.post(f"{URL}import/?confirmed=", body, content_type="application/json"), 409
    )


def test_import_refuses_bad_files_and_other_media_types(hr_api):
    body = assert_problem(
        hr_api.post(f"{URL}import/", b"{not json", content_type="application/json"), 400
    )
    assert "request body" in body["detail"]
    assert_problem(hr_api.post(f"{URL}import/", b"<x/>", content_type="application/xml"), 415)


# --- Query counts ---------------------------------------------------------------


def _queries(client, path):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured)


@pytest.mark.parametrize("who", ["hr_api", "staff_api"])
def test_the_list_takes_the_same_queries_for_1_and_30_rows(who, request, db):
    from profiles import lifecycle

    api = request.getfixturevalue(who)
    first = factories.RoleProfileFactory()
    lifecycle.publish_profile(profile=first)
    one = _queries(api, URL)
    for _ in range(29):
        lifecycle.publish_profile(profile=factories.RoleProfileFactory())
    assert len(api.get(URL).json()["results"]) == 30
    assert _queries(api, URL) == one
    # Session, user, the permissions (two), the readers' skill menu, the
    # page: none per row.
    assert one <= 6


def test_detail_queries_are_bounded(hr_api, staff_api, published):
    assert _queries(staff_api, f"{URL}{published.slug}/") <= 5
    assert _queries(staff_api, f"{URL}{published.slug}/versions/1/") <= 5
    # HR read the working copy: one query per section of the document.
    assert _queries(hr_api, f"{URL}{published.slug}/") <= 14


@pytest.mark.parametrize("sort", ["family", "updated", "title"])
def test_cursor_pages_walk_every_profile_once_whatever_the_sort(hr_api, db, sort):
    # Ties on the title and profiles without a job family (which a cursor
    # cannot point at as NULL) in every page.
    family = factories.JobFamilyFactory(name="Data", slug="data")
    made = {
        factories.RoleProfileFactory(
            title=f"Analyst {n % 3}", slug=f"analyst-{n}", job_family=family if n % 2 else None
        ).slug
        for n in range(7)
    }
    seen, url = [], f"/api/v1/profiles/?sort={sort}&page_size=2"
    while url:
        response = hr_api.get(url)
        assert response.status_code == 200, response.content
        seen += [row["slug"] for row in response.json()["results"]]
        url = response.json()["next"]
    assert sorted(seen) == sorted(made)


def walk(client, url, link="next"):
    """Every page from `url` on, following `link`: a list of pages of slugs."""
    pages = []
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.content
        pages.append([row["slug"] for row in response.json()["results"]])
        url = response.json()[link]
    return pages, response.json()


@pytest.mark.parametrize("sort", ["family", "updated", "title"])
def test_previous_pages_are_the_same_pages_walked_back(hr_api, db, sort):
    from django.utils import timezone

    family = factories.JobFamilyFactory(name="Data", slug="data")
    for n in range(9):
        factories.RoleProfileFactory(
            title=f"Analyst {n % 2}", slug=f"analyst-{n}", job_family=family if n % 3 else None
        )
    # Ties on the date too, as a batch import makes them.
    RoleProfile.objects.update(updated_at=timezone.now())
    forward, last = walk(hr_api, f"{URL}?sort={sort}&page_size=2")
    assert [len(page) for page in forward] == [2, 2, 2, 2, 1]
    assert len({slug for page in forward for slug in page}) == 9
    back, first = walk(hr_api, last["previous"], link="previous")
    assert back == forward[-2::-1]
    assert first["previous"] is None and first["next"] is not None


@pytest.mark.parametrize("who", ["hr_api", "staff_api"])
def test_pages_of_a_search_by_relevance_walk_every_match_once(who, request, db):
    # Ranks tie (same words) and differ (the word in the title or not); on
    # PostgreSQL the rank is a `real`, which the cursor must compare exactly.
    from profiles import lifecycle

    client = request.getfixturevalue(who)
    for n in range(7):
        title = f"Pipeline engineer {n}" if n % 2 else f"Data engineer {n}"
        profile = factories.RoleProfileFactory(
            title=title, slug=f"engineer-{n}", summary="Builds data pipelines. " * (n % 3 + 1)
        )
        lifecycle.publish_profile(profile=profile)
    pages, _ = walk(client, f"{URL}?q=pipelines&page_size=2")
    found = [slug for page in pages for slug in page]
    assert sorted(found) == [f"engineer-{n}" for n in range(7)]


def test_a_deep_page_is_a_range_read_not_an_offset(hr_api, db):
    family = factories.JobFamilyFactory(name="Data", slug="data")
    RoleProfile.objects.bulk_create(
        RoleProfile(title="Analyst", slug=f"analyst-{n:03}", job_family=family) for n in range(30)
    )
    url = f"{URL}?sort=family&page_size=5"
    for _ in range(4):
        url = hr_api.get(url).json()["next"]
    with CaptureQueriesContext(connection) as captured:
        page = hr_api.get(url).json()
    assert [row["slug"] for row in page["results"]] == [f"analyst-{n:03}" for n in range(20, 25)]
    assert not any("OFFSET" in query["sql"].upper() for query in captured)


def made_cursor(order, at, back=False):
    """A cursor written by hand, in the shape the list gives them."""
    text = json.dumps({"order": order, "at": at, "back": back})
    return base64.urlsafe_b64encode(text.encode()).decode()


TITLE = ["title", "slug"]
UPDATED = ["-updated_at", "title", "slug"]


@pytest.mark.parametrize(
    "sort, cursor",
    [
        ("title", "not-ours"),
        ("title", "W10="),  # []
        ("title", made_cursor(TITLE, ["A"])),  # one value short
        ("title", made_cursor(TITLE, ["A", "a", "b"])),  # one too many
        ("title", made_cursor(UPDATED, ["2025-01-01T00:00:00+00:00", "A", "a"])),  # another sort
        ("title", made_cursor(["-title", "slug"], ["A", "a"])),  # the other direction
        ("title", made_cursor(TITLE, [5, "a"])),  # a number for a title
        ("title", made_cursor(TITLE, ["A\u0000B", "a"])),  # a NUL, which no text holds
        ("title", made_cursor(TITLE, ["A", "a"], back="yes")),
        ("updated", made_cursor(UPDATED, [5, "A", "a"])),  # a number for a date
        ("updated", made_cursor(UPDATED, ["abc", "A", "a"])),
        ("updated", made_cursor(UPDATED, ["2025-01-01T00:00:00", "A", "a"])),  # no time zone
        ("updated", made_cursor(UPDATED, ["2025-01-01", "A", "a"])),  # a day, not a time
        ("updated", made_cursor(UPDATED, ["0001-01-01T00:00:00+05:00", "A", "a"])),  # before UTC
        ("updated", made_cursor(UPDATED, ["9999-12-31T23:00:00-05:00", "A", "a"])),  # after it
        ("title", "W" * 8_500),
    ],
)
def test_a_cursor_the_list_did_not_give_is_a_400(hr_api, published, sort, cursor):
    body = assert_problem(hr_api.get(URL, {"sort": sort, "cursor": cursor}), 400)
    assert body["errors"][0]["pointer"] == "#/cursor"


def test_a_cursor_of_long_titles_in_any_script_is_followed(hr_api, db):
    # 200 characters of Cyrillic in the title, the slug as long, a family
    # name of 100: the longest values a family sort's cursor holds.
    family = factories.JobFamilyFactory(name="Д" * 100, slug="d")
    for n in range(3):
        factories.RoleProfileFactory(
            title="Инженер" * 28 + f"{n:04}", slug=f"{'s' * 190}-{n}", job_family=family
        )
    pages, _ = walk(hr_api, f"{URL}?sort=family&page_size=1")
    assert len(pages) == 3 and len({page[0] for page in pages}) == 3


def test_cursor_pages_step_past_more_than_a_thousand_ties(hr_api, db):
    # 1,250 profiles in one family: DRF's cursor steps over rows sharing the
    # first sort field's value by an offset it capped at 1,000.
    from profiles.models import RoleProfile

    family = factories.JobFamilyFactory(name="Data", slug="data")
    RoleProfile.objects.bulk_create(
        RoleProfile(title=f"Analyst {n:04}", slug=f"analyst-{n:04}", job_family=family)
        for n in range(1_250)
    )
    seen, url = [], "/api/v1/profiles/?sort=family&page_size=200"
    while url and len(seen) <= 1_300:
        response = hr_api.get(url)
        assert response.status_code == 200, response.content
        seen += [row["slug"] for row in response.json()["results"]]
        url = response.json()["next"]
    assert len(seen) == len(set(seen)) == 1_250
