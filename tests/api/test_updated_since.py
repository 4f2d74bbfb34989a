"""`updated_since`: a nightly sync reads only what changed since it last
asked, oldest change first, leavers and archived profiles among the
changes, in the same number of queries however many rows changed."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from appraisals.models import Appraisal, Person
from competency.models import Skill
from profiles import lifecycle
from profiles.models import RoleProfile
from tests import factories
from tests.api.helpers import assert_problem

pytestmark = pytest.mark.django_db

LONG_AGO = datetime(2020, 1, 1, tzinfo=UTC)
CUT = datetime(2024, 1, 1, tzinfo=UTC)


def at(model, moment, **which):
    model.objects.filter(**which).update(updated_at=moment)


def listed(api, path, since, key):
    response = api.get(path, {"updated_since": since.isoformat()})
    assert response.status_code == 200, response.content
    return [row[key] for row in response.json()["results"]]


def test_hr_read_the_profiles_changed_since_oldest_change_first(hr_api):
    for n, title in enumerate(["Analyst", "Baker", "Chef"]):
        factories.RoleProfileFactory(title=title, slug=title.lower())
        at(RoleProfile, CUT + timedelta(days=3 - n), slug=title.lower())
    at(RoleProfile, LONG_AGO, slug="baker")
    assert listed(hr_api, "/api/v1/profiles/", CUT, "slug") == ["chef", "analyst"]
    # `sort` gives way to the changes' order.
    response = hr_api.get(
        "/api/v1/profiles/", {"updated_since": "2024-01-01T00:00:00Z", "sort": "title"}
    )
    assert [row["slug"] for row in response.json()["results"]] == ["chef", "analyst"]
    assert response.json()["results"][0]["updated_at"].startswith("2024-01-02")


def test_an_archived_profile_is_a_change(hr_api, published):
    at(RoleProfile, LONG_AGO)
    lifecycle.archive_profile(profile=published)
    rows = hr_api.get("/api/v1/profiles/", {"updated_since": CUT.isoformat()}).json()["results"]
    assert [(row["slug"], row["status"]) for row in rows] == [("data-engineer", "archived")]


def test_a_leaver_is_a_change_the_people_list_shows(cast, hr_api):
    at(Person, LONG_AGO)
    sam = cast.person
    left = timezone.localdate() - timedelta(days=1)
    # HR record the leaving date as an HR system would: through the API.
    etag = hr_api.get(f"/api/v1/people/{sam.pk}/")["ETag"]
    response = hr_api.patch(
        f"/api/v1/people/{sam.pk}/",
        {"leaving_date": left.isoformat()},
        format="json",
        HTTP_IF_MATCH=etag,
    )
    assert response.status_code == 200, response.content
    rows = hr_api.get("/api/v1/people/", {"updated_since": CUT.isoformat()}).json()["results"]
    assert [(row["id"], row["leaving_date"]) for row in rows] == [(sam.pk, left.isoformat())]
    # Without updated_since, the list is of the people still here.
    everyone = [row["id"] for row in hr_api.get("/api/v1/people/").json()["results"]]
    assert sam.pk not in everyone


def test_a_managers_changes_are_their_reporting_line_only(cast, appraisal):
    at(Appraisal, CUT + timedelta(days=1))
    mine = listed(cast.api("manager"), "/api/v1/appraisals/", CUT, "id")
    assert mine == [appraisal.pk]
    assert listed(cast.api("other_manager"), "/api/v1/appraisals/", CUT, "id") == []
    at(Appraisal, LONG_AGO)
    assert listed(cast.api("manager"), "/api/v1/appraisals/", CUT, "id") == []


def test_versions_and_the_catalogue_sync_too(hr_api, published):
    versions = f"/api/v1/profiles/{published.slug}/versions/"
    assert listed(hr_api, versions, LONG_AGO, "number") == [1]
    assert listed(hr_api, versions, timezone.now() + timedelta(minutes=1), "number") == []
    skill = factories.SkillFactory()
    at(Skill, LONG_AGO)
    Skill.objects.filter(pk=skill.pk).update(description="Changed")  # a bulk change moves it
    assert listed(hr_api, "/api/v1/skills/", CUT, "id") == [skill.pk]


@pytest.mark.parametrize(
    "value",
    [
        "yesterday",
        "2024-01-01",
        "2024-01-01T00:00:00",
        "2024-13-01T00:00:00Z",
        "2024-01-01T00:00:00 01:00",
    ],
)
def test_a_time_that_is_not_iso_8601_with_an_offset_is_refused(hr_api, value):
    body = assert_problem(hr_api.get("/api/v1/people/", {"updated_since": value}), 400)
    assert body["errors"][0]["pointer"] == "#/updated_since"


def test_the_changes_cost_the_same_queries_for_few_rows_as_for_many(hr_api):
    def queries(count):
        for n in range(count):
            factories.RoleProfileFactory(title=f"Role {count}-{n}")
        with CaptureQueriesContext(connection) as done:
            hr_api.get("/api/v1/profiles/", {"updated_since": CUT.isoformat()})
        return len(done)

    assert queries(2) == queries(6)
