"""The rows of the profile and people lists carry the ETag a GET of the row
gives, so a sync compares without a GET per row and writes with the row's
tag in If-Match; a change to anything the row's own address shows (an
item, a catalogue text, a report joining) changes the row's tag with it."""

import io
import json

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from appraisals import people
from competency.models import Skill
from profiles import lifecycle
from profiles.models import RoleProfile
from tests import factories
from tests.cast import person

pytestmark = pytest.mark.django_db


def row_of(api, path, key, value):
    rows = api.get(path, {"page_size": 100}).json()["results"]
    (row,) = [row for row in rows if row[key] == value]
    return row


def same_as_detail(api, row):
    detail = api.get(row["url"])
    assert detail.status_code == 200, detail.content
    assert detail["ETag"] == row["etag"]
    # Sent back as it is, the row's tag is the current one.
    assert api.get(row["url"], HTTP_IF_NONE_MATCH=row["etag"]).status_code == 304
    return detail


@pytest.fixture
def skilled(cast):
    """A draft with a skill, a job family and a text; and the published profile."""
    family = factories.JobFamilyFactory(name="Platform", slug="platform")
    draft = factories.RoleProfileFactory(title="SRE", slug="sre", job_family=family, summary="S")
    factories.ProfileSkillFactory(profile=draft)
    return draft


@pytest.mark.parametrize("role", ["hr", "person"])
def test_profile_rows_carry_their_detail_etag(cast, skilled, role):
    api = cast.api(role)
    for profile in RoleProfile.objects.visible_to(cast.user(role)):
        if role == "person" and profile.published_version_id is None:
            continue
        same_as_detail(api, row_of(api, "/api/v1/profiles/", "slug", profile.slug))


def test_a_profile_rows_etag_is_if_match_for_a_write_and_changes_with_it(cast, skilled):
    hr = cast.api("hr")
    row = row_of(hr, "/api/v1/profiles/", "slug", skilled.slug)
    changed = hr.patch(row["url"], {"summary": "Now"}, format="json", HTTP_IF_MATCH=row["etag"])
    assert changed.status_code == 200, changed.content
    after = row_of(hr, "/api/v1/profiles/", "slug", skilled.slug)
    assert after["etag"] != row["etag"]
    assert after["etag"] == changed["ETag"]
    same_as_detail(hr, after)
    # The old row's tag no longer writes.
    stale = hr.patch(row["url"], {"summary": "Then"}, format="json", HTTP_IF_MATCH=row["etag"])
    assert stale.status_code == 412


def test_a_profile_rows_etag_follows_its_items_status_and_catalogue(cast, skilled):
    hr = cast.api("hr")
    seen = [row_of(hr, "/api/v1/profiles/", "slug", skilled.slug)["etag"]]

    def check():
        row = row_of(hr, "/api/v1/profiles/", "slug", skilled.slug)
        assert row["etag"] not in seen
        same_as_detail(hr, row)
        seen.append(row["etag"])

    added = hr.post(
        f"/api/v1/profiles/{skilled.slug}/items/work-activities/",
        {"title": "On call", "details": "Nights"},
        format="json",
        HTTP_IF_MATCH=seen[-1],
    )
    assert added.status_code == 201, added.content
    check()
    # Texts the document shows, changed in the catalogue in place.
    skill = Skill.objects.get(uses__profile=skilled)
    skill.name = "Renamed skill"
    skill.save()
    check()
    skilled.job_family.name = "Platform engineering"
    skilled.job_family.save()
    check()
    # A publish leaves the text alone but changes the state.
    lifecycle.publish_profile(profile=RoleProfile.objects.get(pk=skilled.pk))
    check()
    # Readers' rows: the version in force's.
    staff = cast.api("person")
    same_as_detail(staff, row_of(staff, "/api/v1/profiles/", "slug", skilled.slug))


def test_a_framework_import_changes_the_rows_that_show_its_skills(cast, skilled, tmp_path):
    hr = cast.api("hr")
    before = row_of(hr, "/api/v1/profiles/", "slug", skilled.slug)
    skill = Skill.objects.select_related("category__framework").get(uses__profile=skilled)
    exported = hr.get(f"/api/v1/frameworks/{skill.category.framework.slug}/export/")
    assert exported.status_code == 200, exported.content
    document = exported.json()
    changed = []

    def describe_anew(categories):
        for category in categories:
            for each in category.get("skills", []):
                if each["name"] == skill.name:
                    each["description"] = "A new description"
                    changed.append(each)
            describe_anew(category.get("categories", []))

    describe_anew(document["categories"])
    assert changed
    imported = hr.post(
        "/api/v1/frameworks/import/?format=json",
        json.dumps(document),
        content_type="application/json",
    )
    assert imported.status_code in (200, 201), imported.content
    after = row_of(hr, "/api/v1/profiles/", "slug", skilled.slug)
    assert after["etag"] != before["etag"]
    same_as_detail(hr, after)


def test_a_stored_fingerprint_not_known_is_built_once(cast, skilled):
    hr = cast.api("hr")
    RoleProfile.objects.update(working_fingerprint="")
    same_as_detail(hr, row_of(hr, "/api/v1/profiles/", "slug", skilled.slug))
    assert not RoleProfile.objects.filter(working_fingerprint="").exists()


def test_the_hr_profile_list_takes_the_same_queries_for_1_and_100_changed_rows(hr_api, db):
    """Rows changed since they were last read have their documents built
    together (and stored): as many queries for 100 of them as for one, and
    fewer again once they are known."""

    def listing():
        with CaptureQueriesContext(connection) as captured:
            response = hr_api.get("/api/v1/profiles/?page_size=100")
        assert response.status_code == 200
        assert len(response.json()["results"]) == RoleProfile.objects.count()
        return len(captured)

    factories.ProfileSkillFactory(profile=factories.RoleProfileFactory())
    RoleProfile.objects.update(working_fingerprint="")
    one = listing()
    known = listing()
    for _ in range(99):
        factories.ProfileWorkActivityFactory(profile=factories.RoleProfileFactory())
    RoleProfile.objects.update(working_fingerprint="")
    assert listing() == one
    assert listing() == known < one


@pytest.mark.parametrize("role", ["hr", "manager"])
def test_people_rows_carry_their_detail_etag(cast, role):
    api = cast.api(role)
    rows = api.get("/api/v1/people/", {"page_size": 100}).json()["results"]
    assert len(rows) > 1
    for row in rows:
        detail = same_as_detail(api, row)
        assert detail.json()["etag"] == row["etag"]


def test_a_person_rows_etag_is_if_match_and_follows_their_line(cast):
    hr = cast.api("hr")
    row = row_of(hr, "/api/v1/people/", "id", cast.manager.pk)
    changed = hr.patch(row["url"], {"job_title": "Lead"}, format="json", HTTP_IF_MATCH=row["etag"])
    assert changed.status_code == 200, changed.content
    after = row_of(hr, "/api/v1/people/", "id", cast.manager.pk)
    assert after["etag"] not in (row["etag"],)
    assert after["etag"] == changed["ETag"]
    # A new report shows on the manager's page, so their tag changes too;
    # and a manager above renamed shows on everyone's below.
    people.set_manager(person=person("Zoe"), manager=cast.manager)
    later = row_of(hr, "/api/v1/people/", "id", cast.manager.pk)
    assert later["etag"] != after["etag"]
    same_as_detail(hr, later)
    below = row_of(hr, "/api/v1/people/", "id", cast.person.pk)
    cast.head.name = "Beatrice"
    cast.head.save()
    renamed = row_of(hr, "/api/v1/people/", "id", cast.person.pk)
    assert renamed["etag"] != below["etag"]
    same_as_detail(hr, renamed)


def test_the_people_list_takes_the_same_queries_for_1_and_100_rows(cast):
    hr = cast.api("hr")

    def listing():
        with CaptureQueriesContext(connection) as captured:
            response = hr.get("/api/v1/people/?page_size=100")
        assert response.status_code == 200
        return len(captured), len(response.json()["results"])

    few, count = listing()
    for n in range(100 - count):
        factories.PersonFactory(name=f"Extra {n}", line_manager=cast.manager)
    many, count = listing()
    assert count == 100
    assert many == few


def test_building_a_rows_etag_is_no_change_to_a_sync(hr_api, db):
    profile = factories.RoleProfileFactory()
    RoleProfile.objects.update(working_fingerprint="")
    before = RoleProfile.objects.get(pk=profile.pk).updated_at
    hr_api.get("/api/v1/profiles/")
    stored = RoleProfile.objects.get(pk=profile.pk)
    assert stored.working_fingerprint and stored.updated_at == before


def test_refresh_fingerprints_mends_what_an_older_release_left_stale(cast, skilled):
    # During an upgrade the previous release edits without clearing the
    # stored fingerprints, and publishes without storing them.
    RoleProfile.objects.update(working_fingerprint="0" * 16, published_fingerprint="1" * 16)
    out = io.StringIO()
    call_command("refresh_fingerprints", stdout=out)
    assert "published fingerprints corrected" in out.getvalue()
    for role in ("hr", "person"):
        api = cast.api(role)
        for profile in RoleProfile.objects.visible_to(cast.user(role)):
            if role == "person" and profile.published_version_id is None:
                continue
            same_as_detail(api, row_of(api, "/api/v1/profiles/", "slug", profile.slug))
