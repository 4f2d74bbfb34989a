"""The lists write their rows from values (no model instance and no field
object per row, for speed at 20,000 profiles). The profile list's body is byte for
byte what the rows are as read from each profile's model instance with
DRF's own fields, with every optional field of a row filled and empty:
a family or none, a role level or none, a summary or none, versions or
none, a draft open over the version in force. The appraisals list's rows
are byte for byte the same fields of each appraisal's own body."""

import pytest
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer

from appraisals import cycles, workflow
from appraisals.models import Appraisal, Stage
from profiles import drafts, lifecycle
from profiles.models import JobFamily, RoleProfile
from tests import factories
from tests.cast import take_to

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


# --- The appraisals list ---------------------------------------------------------------


@pytest.fixture
def appraisals(cast, cycle):
    """Sam's appraisal signed off with an outcome (every field of its row
    filled), Mo's at review with an outcome proposed, Tia's in draft
    (none filled)."""
    opening = cycles.open_cycle(cycle=cycle, scope=cycles.Scope.everyone())
    by_name = {appraisal.person.name: appraisal for appraisal in opening.created}
    for name, stage in [("Sam", Stage.AGREED), ("Mo", Stage.MANAGER_REVIEW)]:
        appraisal = take_to(by_name[name], Stage.MANAGER_REVIEW)
        workflow.set_outcome(
            appraisal=appraisal,
            by=appraisal.manager.account,
            confirmed_stage=appraisal.stage,
            outcome=Appraisal.Outcome.values[0],
        )
        take_to(appraisal, stage)
    take_to(by_name["Sam"], Stage.SIGNED_OFF)
    return by_name


@pytest.mark.parametrize("role", ["hr", "manager", "head", "person"])
def test_the_appraisals_list_rows_are_their_appraisals_as_one_reads_them(cast, appraisals, role):
    """Each row (read as values) is byte for byte the same fields of the
    appraisal's own body (read from its model instances), and what each
    caller may see of the outcome."""
    api = cast.api(role)
    listed = api.get("/api/v1/appraisals/", {"page_size": 100}).json()["results"]
    assert listed
    for row in listed:
        detail = api.get(row["url"]).json()
        assert JSONRenderer().render(row) == JSONRenderer().render(
            {name: detail[name] for name in row}
        )
    if role in ("hr", "manager"):
        for name in ["outcome", "person_signed_at", "manager_signed_at"]:
            assert {row[name] is None for row in listed} == {True, False}, name
