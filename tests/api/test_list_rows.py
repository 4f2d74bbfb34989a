"""The profile list writes its rows from values (no model instance and no
field object per row, for speed at 20,000 profiles). Its body is byte for
byte what the rows are as read from each profile's model instance with
DRF's own fields, with every optional field of a row filled and empty:
a family or none, a role level or none, a summary or none, versions or
none, a draft open over the version in force."""

import pytest
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer

from profiles import drafts, lifecycle
from profiles.models import JobFamily, RoleProfile
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def profiles(db):
    """A profile of each shape a row can take."""
    family = factories.JobFamilyFactory(name="Data & insight", slug="data-insight")
    full = factories.RoleProfileFactory(
        title="Data Engineer ✓", slug="data-engineer", job_family=family, role_level="Senior"
    )
    lifecycle.publish_profile(profile=full, change_note="First")
    # A draft open over version 1: HR's row says the draft, readers' the version.
    full = lifecycle.start_draft(profile=full)
    base = drafts.field_values(full)
    drafts.update_profile(
        profile=full,
        values={**base, "title": "Data Engineer II", "role_level": "Lead", "job_family": None},
        base=base,
    )
    bare = factories.RoleProfileFactory(
        title="Analyst", slug="analyst", job_family=None, role_level="", summary=""
    )
    lifecycle.publish_profile(profile=bare, change_note="")
    factories.RoleProfileFactory(title="Unpublished", slug="unpublished")
    return RoleProfile.objects.order_by("title", "slug")


def updated_at(profile):
    return serializers.DateTimeField().to_representation(profile.updated_at)


def hr_row(profile, api):
    latest = profile.versions.order_by("-number").first()
    return {
        "slug": profile.slug,
        "title": profile.title,
        "status": profile.status,
        "job_family": profile.job_family.slug if profile.job_family else None,
        "job_family_name": profile.job_family.name if profile.job_family else None,
        "role_level": profile.role_level or None,
        "summary": profile.summary,
        "version": latest.number if latest else None,
        "updated_at": updated_at(profile),
        "url": f"http://testserver/api/v1/profiles/{profile.slug}/",
        # What a GET of the profile gives (tests/api/test_row_etags.py).
        "etag": api.get(f"/api/v1/profiles/{profile.slug}/")["ETag"],
    }


def reader_row(profile, api):
    family = JobFamily.objects.filter(name=profile.published_family).first()
    return {
        "slug": profile.slug,
        "title": profile.published_title,
        "status": profile.status,
        "job_family": family.slug if family else None,
        "job_family_name": profile.published_family or None,
        "role_level": profile.published_role_level or None,
        "summary": profile.published_summary,
        "version": profile.published_version.number,
        "updated_at": updated_at(profile),
        "url": f"http://testserver/api/v1/profiles/{profile.slug}/",
        "etag": api.get(f"/api/v1/profiles/{profile.slug}/")["ETag"],
    }


@pytest.mark.parametrize("role", ["hr", "person"])
def test_the_profile_list_is_byte_for_byte_its_rows_read_from_model_instances(cast, profiles, role):
    api = cast.api(role)
    if role == "hr":
        expected = [hr_row(profile, api) for profile in profiles]
    else:
        expected = [
            reader_row(profile, api)
            for profile in profiles.order_by("published_title", "slug")
            if profile.published_version_id
        ]
    # Every optional field of a row both filled and empty among them.
    for name in ["job_family", "job_family_name", "role_level", "version"]:
        assert {row[name] is None for row in expected} == (
            {True, False} if role == "hr" or name != "version" else {False}
        ), name
    assert {bool(row["summary"]) for row in expected} == {True, False}
    body = JSONRenderer().render({"next": None, "previous": None, "results": expected})
    assert api.get("/api/v1/profiles/").content == body
