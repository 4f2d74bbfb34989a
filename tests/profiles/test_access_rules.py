"""Who may read which version of a profile, written once in the models and
used by every page (and the API): the querysets and predicates directly."""

import pytest
from django.contrib.auth.models import AnonymousUser

from profiles import documents, drafts, lifecycle
from profiles.documents import profile_document
from profiles.models import ProfileVersion, RoleProfile
from tests import factories
from tests.cast import account

pytestmark = pytest.mark.django_db


@pytest.fixture
def history():
    """A profile with versions 1 and 2 (in force) and a draft open after it,
    plus an archived one with a version 1."""
    profile = factories.RoleProfileFactory(title="Platform Engineer")
    lifecycle.publish_profile(profile=profile)
    for summary, publish in (("Second.", True), ("Draft text nobody may read yet.", False)):
        profile = lifecycle.start_draft(profile=profile)
        values = drafts.field_values(profile)
        drafts.update_profile(profile=profile, values={**values, "summary": summary}, base=values)
        if publish:
            lifecycle.publish_profile(profile=profile)
    archived = factories.RoleProfileFactory(title="Mainframe Operator")
    lifecycle.publish_profile(profile=archived)
    lifecycle.archive_profile(profile=archived)
    return RoleProfile.objects.get(pk=profile.pk), archived


def numbers(queryset):
    return sorted((version.profile.title, version.number) for version in queryset)


def test_hr_read_every_version(history):
    hr = account("harriet", "HR")
    assert numbers(ProfileVersion.objects.visible_to(hr)) == [
        ("Mainframe Operator", 1),
        ("Platform Engineer", 1),
        ("Platform Engineer", 2),
    ]


@pytest.mark.parametrize("group", ["Staff", "Line managers"])
def test_everyone_else_reads_only_versions_in_force(history, group):
    reader = account("reader", group)
    assert numbers(ProfileVersion.objects.visible_to(reader)) == [("Platform Engineer", 2)]


def test_anonymous_visitors_read_no_version(history):
    assert not ProfileVersion.objects.visible_to(AnonymousUser()).exists()


def test_a_reader_reads_the_version_in_force_while_hr_read_the_draft(history):
    profile, _archived = history
    document, version = documents.readable(profile, account("sam", "Staff"))
    assert version.number == 2 and document["summary"] == "Second."
    document, version = documents.readable(profile, account("harriet", "HR"))
    assert version is None and document == profile_document(profile)
    assert document["summary"] == "Draft text nobody may read yet."


def test_nothing_of_an_archived_profile_or_to_an_anonymous_visitor(history):
    profile, archived = history
    assert documents.readable(archived, account("sam", "Staff")) is None
    assert documents.readable(profile, AnonymousUser()) is None
