"""Conditional requests as RFC 9110 has them: If-Match compares strongly
(a weak tag never matches) and takes a list; a malformed value is 400; a
412 carries the current ETag; list rows carry theirs; a frozen version
document may be cached."""

from datetime import date

import pytest

from appraisals.models import CheckIn
from profiles.models import RoleProfile
from tests import factories
from tests.api.helpers import assert_problem

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(db):
    return factories.RoleProfileFactory(title="Tester", slug="tester", summary="Before")


def change(api, profile, if_match):
    return api.patch(
        f"/api/v1/profiles/{profile.slug}/",
        {"summary": "After"},
        format="json",
        HTTP_IF_MATCH=if_match,
    )


def summary(profile):
    return RoleProfile.objects.get(pk=profile.pk).summary


def test_a_weak_tag_never_matches(hr_api, draft):
    etag = hr_api.get(f"/api/v1/profiles/{draft.slug}/")["ETag"]
    refused = change(hr_api, draft, f"W/{etag}")
    assert_problem(refused, 412)
    assert refused["ETag"] == etag
    assert summary(draft) == "Before"


def test_a_list_matches_when_one_of_its_tags_is_current(hr_api, draft):
    etag = hr_api.get(f"/api/v1/profiles/{draft.slug}/")["ETag"]
    changed = change(hr_api, draft, f'"older.draft.0", {etag}')
    assert changed.status_code == 200, changed.content
    assert summary(draft) == "After"
    stale = change(hr_api, draft, f'"older.draft.0", {etag}')
    assert_problem(stale, 412)
    assert stale["ETag"] == changed["ETag"]


@pytest.mark.parametrize("value", ["abc", '"unclosed', 'W/"a" "b"', '"a",,junk', ","])
def test_a_malformed_if_match_is_a_400_naming_it(hr_api, draft, value):
    refused = assert_problem(change(hr_api, draft, value), 400)
    assert refused["errors"][0]["pointer"] == "#/If-Match"
    assert summary(draft) == "Before"


def test_a_412_from_a_row_lock_carries_the_current_etag(cast):
    check_in = CheckIn.objects.create(
        person=cast.person, manager=cast.manager, held_on=date(2025, 5, 1)
    )
    mo = cast.api("manager")
    where = f"/api/v1/people/{cast.person.pk}/check-ins/{check_in.pk}/"
    current = mo.get(where)["ETag"]
    stale = mo.patch(where, {"notes": "x"}, format="json", HTTP_IF_MATCH='"stale"')
    assert_problem(stale, 412)
    assert stale["ETag"] == current
    # A weak copy of the current tag does not match either.
    assert_problem(
        mo.patch(where, {"notes": "x"}, format="json", HTTP_IF_MATCH=f"W/{current}"), 412
    )
    # If-None-Match compares weakly: the weak copy is a 304.
    assert mo.get(where, HTTP_IF_NONE_MATCH=f"W/{current}").status_code == 304


def test_a_frozen_version_may_be_cached_and_revalidated(hr_api, published):
    where = f"/api/v1/profiles/{published.slug}/versions/1/"
    first = hr_api.get(where)
    assert first.status_code == 200
    assert first["Cache-Control"].startswith("private, max-age=")
    again = hr_api.get(where, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304 and again["Cache-Control"] == first["Cache-Control"]


def test_list_rows_carry_the_etag_their_own_address_gives(cast, appraisal):
    hr = cast.api("hr")
    CheckIn.objects.create(person=cast.person, manager=cast.manager, held_on=date(2025, 5, 1))
    lists = [
        "/api/v1/appraisals/",
        "/api/v1/cycles/",
        f"/api/v1/people/{cast.person.pk}/check-ins/",
        f"/api/v1/profiles/{cast.person.role_profile.slug}/versions/",
    ]
    for where in lists:
        (row, *_) = hr.get(where).json()["results"]
        url = row.get("url") or f"{where}{row['id']}/"
        assert hr.get(url)["ETag"] == row["etag"], where
        # Sent back as it is, it is the current tag.
        assert hr.get(url, HTTP_IF_NONE_MATCH=row["etag"]).status_code == 304, where
