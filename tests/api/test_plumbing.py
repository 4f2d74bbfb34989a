"""The API's shared behaviour: one problem shape for every status, throttles
with Retry-After, tokens (their page, hashing, expiry, revocation), the
schema and its documentation pages."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.utils import timezone

from competency.api import throttling
from competency.api.models import SCOPES, ApiToken, token_digest
from tests import factories
from tests.api.helpers import assert_problem
from tests.cast import issue, with_token
from tests.paths import ROOT

# --- Problem details, status by status ----------------------------------------


def test_every_error_is_problem_details(hr_api, staff_api, anonymous_api, published):
    slug = published.slug
    path = f"/api/v1/profiles/{slug}/"
    etag = hr_api.get(path)["ETag"]
    assert_problem(hr_api.post("/api/v1/profiles/", {}, format="json"), 400)
    assert_problem(anonymous_api.get("/api/v1/profiles/"), 401)
    assert_problem(staff_api.get("/api/v1/frameworks/"), 403)
    assert_problem(hr_api.get("/api/v1/profiles/no-such/"), 404)
    assert_problem(hr_api.get("/api/v1/no/such/address/"), 404)
    assert_problem(hr_api.delete(path, HTTP_IF_MATCH=etag), 405)
    # Publishing what is not a draft: the service's ValidationError.
    body = assert_problem(hr_api.post(f"{path}publish/", HTTP_IF_MATCH=etag), 409)
    assert body["type"] == "urn:competency:problem:state-conflict"
    assert_problem(hr_api.post(f"{path}archive/", HTTP_IF_MATCH='"0000.draft.0"'), 412)
    assert_problem(
        hr_api.patch(path, b"<xml/>", content_type="application/xml", HTTP_IF_MATCH=etag), 415
    )
    assert_problem(hr_api.post(f"{path}archive/"), 428)


def test_throttled_callers_get_429_with_retry_after(monkeypatch, staff_api, anonymous_api, db):
    monkeypatch.setattr(
        throttling.CallerThrottle, "THROTTLE_RATES", {"caller": "2/min", "anonymous": "1/min"}
    )
    monkeypatch.setattr(
        throttling.AnonymousThrottle, "THROTTLE_RATES", {"caller": "2/min", "anonymous": "1/min"}
    )
    for _ in range(2):
        assert staff_api.get("/api/v1/profiles/").status_code == 200
    response = staff_api.get("/api/v1/profiles/")
    assert_problem(response, 429)
    assert 0 < int(response["Retry-After"]) <= 60
    assert_problem(anonymous_api.get("/api/v1/profiles/"), 401)
    anonymous = anonymous_api.get("/api/v1/profiles/")
    assert_problem(anonymous, 429)
    assert anonymous["Retry-After"]
    # Guessing tokens counts against the address too.
    assert_problem(with_token("cfk_guess").get("/api/v1/profiles/"), 429)


def test_each_token_has_its_own_budget(monkeypatch, staff_user):
    monkeypatch.setattr(throttling.CallerThrottle, "THROTTLE_RATES", {"caller": "1/min"})
    monkeypatch.setattr(throttling.AnonymousThrottle, "THROTTLE_RATES", {"anonymous": "9/min"})
    first, second = (with_token(issue(staff_user)[1]) for _ in range(2))
    assert first.get("/api/v1/profiles/").status_code == 200
    assert second.get("/api/v1/profiles/").status_code == 200
    assert_problem(first.get("/api/v1/profiles/"), 429)


# --- Tokens -------------------------------------------------------------------


def test_tokens_are_stored_hashed_and_record_their_last_use(staff_user):
    token, raw = issue(staff_user)
    assert raw not in {token.digest, token.prefix} and token.digest == token_digest(raw)
    assert token.last_used_at is None
    assert with_token(raw).get("/api/v1/profiles/").status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_revoked_expired_and_unknown_tokens_get_401(staff_user, db):
    revoked = with_token(issue(staff_user, revoked_at=timezone.now())[1])
    expired = with_token(issue(staff_user, days=-1)[1])
    for api in (revoked, expired, with_token("cfk_made-up")):
        body = assert_problem(api.get("/api/v1/profiles/"), 401)
        assert "expired or revoked" in body["detail"]
    inactive_person = factories.UserFactory(is_active=False)
    assert_problem(with_token(issue(inactive_person)[1]).get("/api/v1/profiles/"), 401)


def test_a_token_of_someone_who_may_no_longer_sign_in_gets_401(staff_user, db):
    token = with_token(issue(staff_user)[1])
    assert token.get("/api/v1/profiles/").status_code == 200
    staff_user.is_active = False
    staff_user.save()
    assert_problem(token.get("/api/v1/profiles/"), 401)


def pages_of(queryset, size):
    """Every page of `queryset` by cursor, as the API's lists are paged."""
    from rest_framework.request import Request
    from rest_framework.test import APIRequestFactory

    from competency.api.pagination import OrderedCursorPagination

    pages, url = [], f"/?page_size={size}"
    while url:
        paginator = OrderedCursorPagination()
        request = Request(APIRequestFactory().get(url))
        pages.append([row.slug for row in paginator.paginate_queryset(queryset, request)])
        url = paginator.get_next_link()
    return pages


def test_cursor_pages_of_a_list_with_no_order_or_ties_in_its_last_field_walk_it_once(db):
    from profiles.models import RoleProfile

    for n in range(7):
        factories.RoleProfileFactory(title=f"Analyst {n % 2}", slug=f"analyst-{n}")
    everyone = sorted(RoleProfile.objects.values_list("slug", flat=True))
    for queryset in (RoleProfile.objects.order_by(), RoleProfile.objects.order_by("title")):
        walked = [slug for page in pages_of(queryset, 2) for slug in page]
        assert sorted(walked) == everyone


def test_hr_make_a_token_shown_once_and_revoke_it(hr_api, staff_user):
    page = hr_api.post(
        "/api/tokens/",
        {"name": "Learning platform", "user": staff_user.pk, "days": 30, "scopes": SCOPES},
    )
    assert page.status_code == 200
    token = ApiToken.objects.get(name="Learning platform")
    raw = page.content.decode().split('<code class="app-token">')[1].split("</code>")[0]
    assert token.digest == token_digest(raw) and token.user == staff_user
    assert page["Cache-Control"].startswith("max-age=0")
    # Shown once: the list does not show it again.
    assert raw not in hr_api.get("/api/tokens/").content.decode()
    response = hr_api.post(f"/api/tokens/{token.pk}/revoke/")
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert_problem(with_token(raw).get("/api/v1/profiles/"), 401)


def test_the_token_page_is_hr_only(staff_api, manager_api, anonymous_api, hr_user):
    token, _ = issue(hr_user)
    for api in (staff_api, manager_api):
        assert api.get("/api/tokens/").status_code == 403
        assert api.post(f"/api/tokens/{token.pk}/revoke/").status_code == 403
    assert anonymous_api.get("/api/tokens/").status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is None


def test_the_token_form_keeps_what_was_typed_on_error(hr_api):
    page = hr_api.post("/api/tokens/", {"name": "Payroll feed", "days": 30})
    text = page.content.decode()
    assert "Error: API tokens" in text and 'value="Payroll feed"' in text
    assert not ApiToken.objects.exists()


# --- The catalogue --------------------------------------------------------------


def test_the_catalogue_is_for_hr(hr_api, staff_api, manager_api, anonymous_api, ddat):
    skill = factories.SkillFactory(category=factories.CategoryFactory(framework=ddat))
    for path in ("frameworks/", "frameworks/ddat/", "skills/", f"skills/{skill.pk}/"):
        assert hr_api.get(f"/api/v1/{path}").status_code == 200, path
        assert_problem(staff_api.get(f"/api/v1/{path}"), 403)
        assert_problem(manager_api.get(f"/api/v1/{path}"), 403)
        assert_problem(anonymous_api.get(f"/api/v1/{path}"), 401)
    framework = hr_api.get("/api/v1/frameworks/ddat/").json()
    assert [level["name"] for level in framework["levels"]] == [
        "Awareness",
        "Working",
        "Practitioner",
        "Expert",
    ]
    assert framework["categories"][0]["depth"] == 0


def test_components_list_search_and_uses(hr_api, published):
    item = factories.WorkActivityFactory(title="Run the pipeline")
    factories.WorkActivityFactory(title="Something else")
    factories.ProfileWorkActivityFactory(profile=published, activity=item)
    found = hr_api.get("/api/v1/work-activities/", {"q": "pipeline"}).json()
    assert [row["title"] for row in found["results"]] == ["Run the pipeline"]
    uses = hr_api.get(f"/api/v1/work-activities/{item.pk}/uses/").json()["results"]
    assert [use["profile"] for use in uses] == [published.slug]
    for path in (
        "knowledge",
        "training",
        "pdas",
        "qualifications",
        "awarding-bodies",
        "job-families",
    ):
        assert hr_api.get(f"/api/v1/{path}/").status_code == 200, path


# --- The schema and its pages -----------------------------------------------------


def test_the_committed_schema_matches_the_code(tmp_path):
    generated = tmp_path / "openapi.yaml"
    subprocess.run(
        [
            sys.executable,
            "manage.py",
            "spectacular",
            "--validate",
            "--fail-on-warn",
            "--file",
            str(generated),
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
        # On the database this run uses (DATABASE_URL passed on): the schema
        # is the same on PostgreSQL and SQLite (integer limits are
        # PostgreSQL's on both, competency.numbers.portable_range).
        env={**os.environ, "DEBUG": "true"},
    )
    committed = Path(ROOT / "openapi.yaml").read_text(encoding="utf-8")
    assert generated.read_text(encoding="utf-8") == committed, (
        "openapi.yaml is out of date: run `make schema`"
    )


def test_the_schema_embeds_the_role_profile_schema(anonymous_api, db):
    import yaml

    schema = yaml.safe_load(anonymous_api.get("/api/v1/schema/").content)
    components = schema["components"]["schemas"]
    document = components["RoleProfileDocument"]
    assert document["properties"]["schema"]["const"] == "role-profile/1"
    version = schema["paths"]["/api/v1/profiles/{profile_slug}/versions/{number}/"]["get"]
    assert version["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/RoleProfileDocument"
    }
    patch = schema["paths"]["/api/v1/profiles/{slug}/"]["patch"]
    assert {"412", "428", "400", "401", "403", "404", "429"} <= set(patch["responses"])
    assert patch["responses"]["412"]["content"]["application/problem+json"]["schema"] == {
        "$ref": "#/components/schemas/Problem"
    }


@pytest.mark.parametrize("path", ["/api/v1/docs/", "/api/v1/redoc/"])
def test_the_documentation_pages_use_the_sidecars_files(anonymous_api, db, path):
    page = anonymous_api.get(path).content.decode()
    assert "/static/drf_spectacular_sidecar/" in page
    assert "cdn" not in page.lower()


def test_the_footer_links_the_api(hr_api, staff_api, published):
    hr_page = hr_api.get("/profiles/").content.decode()
    assert 'href="/api/v1/docs/"' in hr_page and 'href="/api/tokens/"' in hr_page
    staff_page = staff_api.get("/profiles/").content.decode()
    assert 'href="/api/v1/redoc/"' in staff_page and 'href="/api/tokens/"' not in staff_page


def test_a_browser_session_must_send_the_csrf_token(hr_user, draft_only):
    from rest_framework.test import APIClient

    browser = APIClient(enforce_csrf_checks=True)
    browser.force_login(hr_user)
    etag = browser.get(f"/api/v1/profiles/{draft_only.slug}/")["ETag"]
    body = assert_problem(
        browser.patch(
            f"/api/v1/profiles/{draft_only.slug}/",
            {"summary": "x"},
            format="json",
            HTTP_IF_MATCH=etag,
        ),
        403,
    )
    assert "CSRF" in body["detail"]


# --- Framework import and export ----------------------------------------------------

FRAMEWORK_FILE = ROOT / "fixtures" / "frameworks" / "ddat.json"


def test_framework_preview_writes_nothing_and_import_writes_once(hr_api, db):
    from competency.models import Framework

    body = FRAMEWORK_FILE.read_bytes()
    preview = hr_api.post(
        "/api/v1/frameworks/import/preview/", body, content_type="application/json"
    )
    assert preview.status_code == 200, preview.content
    assert preview.json()["lines"][0].startswith("Framework ")
    assert not Framework.objects.exists()
    confirmed = preview.json()["confirmed"]
    url = f"/api/v1/frameworks/import/?confirmed={confirmed}"
    done = hr_api.post(url, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="f1")
    assert done.status_code == 200, done.content
    again = hr_api.post(url, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="f1")
    assert again["Idempotent-Replayed"] == "true" and again.json() == done.json()
    framework = Framework.objects.get()
    exported = hr_api.get(f"/api/v1/frameworks/{framework.slug}/export/")
    assert exported.status_code == 200
    assert exported.json()["name"] == framework.name
    # The preview's confirmation no longer holds: the catalogue changed.
    assert_problem(hr_api.post(url, body, content_type="application/json"), 409)


def test_framework_import_refuses_bad_files_and_readers(hr_api, staff_api, db):
    body = assert_problem(
        hr_api.post("/api/v1/frameworks/import/", b"{}", content_type="application/json"), 400
    )
    assert "request body" in body["detail"]
    assert_problem(hr_api.post("/api/v1/frameworks/import/", b"a,b", content_type="text/csv"), 400)
    assert_problem(
        staff_api.post(
            "/api/v1/frameworks/import/",
            FRAMEWORK_FILE.read_bytes(),
            content_type="application/json",
        ),
        403,
    )
