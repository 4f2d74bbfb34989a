"""What the schemathesis run (test_contract.py) found, pinned one by one so
that each stays fixed whatever examples a later run draws."""

import json

import pytest

from profiles.models import ProfileVersion, RoleProfile
from tests import factories
from tests.api.helpers import assert_problem, document
from tests.paths import SKILLS


def test_a_framework_layout_named_in_format_is_read_not_a_404(hr_api, db):
    # ?format= was DRF's renderer override: any layout but json was a 404.
    preview = hr_api.post(
        "/api/v1/frameworks/import/preview/?format=skills",
        SKILLS.read_bytes(),
        content_type="text/csv",
    )
    assert preview.status_code == 200, preview.content
    assert preview.json()["lines"]


@pytest.mark.parametrize(
    "query",
    ["page_size=0", "page_size=ten", "page_size=201", "page_size=5&page_size=6"],
)
def test_a_page_size_the_schema_forbids_is_a_400_naming_it(hr_api, db, query):
    body = assert_problem(hr_api.get(f"/api/v1/profiles/?{query}"), 400)
    assert body["errors"][0]["pointer"] == "#/page_size"


def test_a_malformed_page_is_a_400_and_one_past_the_end_a_404(hr_api, db):
    assert assert_problem(hr_api.get("/api/v1/skills/?page=0"), 400)["errors"][0]["pointer"] == (
        "#/page"
    )
    assert_problem(hr_api.get("/api/v1/skills/?page=9"), 404)


def test_flags_and_versions_are_read_strictly(hr_api, staff_api, published):
    body = assert_problem(
        hr_api.post("/api/v1/profiles/import/?publish=yes", b"{}", content_type="application/json"),
        400,
    )
    assert body["errors"][0]["pointer"] == "#/publish"
    body = assert_problem(staff_api.get(f"/api/v1/profiles/{published.slug}/export/?version="), 400)
    assert body["errors"][0]["pointer"] == "#/version"


def test_an_empty_job_family_is_refused_not_read_as_none(hr_api, db):
    body = assert_problem(
        hr_api.post(
            "/api/v1/profiles/", {"title": "T", "slug": "t", "job_family": ""}, format="json"
        ),
        400,
    )
    assert body["errors"][0]["pointer"] == "#/job_family"
    assert not RoleProfile.objects.exists()


def test_an_address_with_a_newline_is_the_apis_404(hr_api, db):
    assert_problem(hr_api.get("/api/v1/profiles/x/items/a%0Ab/1/"), 404)


def test_a_top_category_says_so_with_null(hr_api, ddat):
    factories.CategoryFactory(framework=ddat)
    categories = hr_api.get("/api/v1/frameworks/ddat/").json()["categories"]
    assert categories[0]["parent"] is None


def test_a_status_the_schema_forbids_is_refused_for_readers_too(staff_api, published):
    # Readers' lists are not filtered by status, but a bad value is a 400.
    body = assert_problem(staff_api.get("/api/v1/profiles/?status=AAA"), 400)
    assert body["errors"][0]["pointer"] == "#/status"
    assert staff_api.get("/api/v1/profiles/?status=draft").status_code == 200


def test_the_uses_of_an_item_ignore_the_lists_filters(hr_api, db):
    skill = factories.SkillFactory()
    # They were applied to finding the skill: a huge category id was a 500.
    response = hr_api.get(f"/api/v1/skills/{skill.pk}/uses/?category=-6.2e%2B159&framework=x")
    assert response.status_code == 200, response.content


def test_a_huge_category_filter_is_no_server_error(hr_api, db):
    assert hr_api.get("/api/v1/skills/?category=-6.2e%2B159").status_code < 500


def test_an_idempotency_key_with_another_query_is_another_request(hr_api, db):
    # The query string was not compared: `?publish=true` replayed the
    # answer of the import without it.
    body = json.dumps(document()).encode()
    first = hr_api.post(
        "/api/v1/profiles/import/", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k"
    )
    assert first.status_code == 201, first.content
    assert_problem(
        hr_api.post(
            "/api/v1/profiles/import/?publish=true",
            body,
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY="k",
        ),
        422,
    )
    assert not ProfileVersion.objects.exists()


@pytest.mark.parametrize("path", ["/api/v1/profiles/import/", "/api/v1/frameworks/import/"])
def test_a_large_json_body_with_an_idempotency_key_gets_the_importers_answer(hr_api, db, path):
    # Digesting request.body first refused a body over Django's 2.5 MB
    # DATA_UPLOAD_MAX_MEMORY_SIZE with an HTML page.
    body = json.dumps({"schema": "x", "padding": "a" * 3_000_000}).encode()
    refused = assert_problem(
        hr_api.post(path, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="big"), 400
    )
    assert refused["title"] == "The file cannot be imported"


def test_the_schema_names_the_sections_of_items(anonymous_api, db):
    import yaml

    schema = yaml.safe_load(anonymous_api.get("/api/v1/schema/").content)
    operation = schema["paths"]["/api/v1/profiles/{profile_slug}/items/{section}/"]["get"]
    (section,) = [p for p in operation["parameters"] if p["name"] == "section"]
    assert "skills" in section["schema"]["enum"] and "pattern" not in section["schema"]


def test_a_slug_is_as_role_profile_1_says(hr_api, db):
    # A SlugField took "Data_Engineer"; its document then broke its schema.
    body = assert_problem(
        hr_api.post("/api/v1/profiles/", {"title": "T", "slug": "Data_Engineer"}, format="json"),
        400,
    )
    assert body["errors"][0]["pointer"] == "#/slug"
    made = hr_api.post("/api/v1/profiles/", {"title": "T", "slug": "data-engineer"}, format="json")
    assert made.status_code == 201, made.content
