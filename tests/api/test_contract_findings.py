"""What the schemathesis run (test_contract.py) found, pinned one by one so
that each stays fixed whatever examples a later run draws."""

import pytest

from profiles.models import RoleProfile
from tests.api.conftest import assert_problem
from tests.conftest import ROOT

SKILLS_CSV = ROOT / "tests" / "frameworks" / "data" / "skills.csv"


def test_a_framework_layout_named_in_format_is_read_not_a_404(hr_api, db):
    # ?format= was DRF's renderer override: any layout but json was a 404.
    preview = hr_api.post(
        "/api/v1/frameworks/import/preview/?format=skills",
        SKILLS_CSV.read_bytes(),
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
    from tests import factories

    factories.CategoryFactory(framework=ddat)
    categories = hr_api.get("/api/v1/frameworks/ddat/").json()["categories"]
    assert categories[0]["parent"] is None


def test_a_status_the_schema_forbids_is_refused_for_readers_too(staff_api, published):
    # Readers' lists are not filtered by status, but a bad value is a 400.
    body = assert_problem(staff_api.get("/api/v1/profiles/?status=AAA"), 400)
    assert body["errors"][0]["pointer"] == "#/status"
    assert staff_api.get("/api/v1/profiles/?status=draft").status_code == 200
