"""A draft's items over the API: add, change, move and remove with the
profile's ETag in If-Match, through profiles.drafts."""

import pytest

from competency.models import WorkActivity
from profiles.models import ProfileWorkActivity
from tests import factories
from tests.api.helpers import assert_problem


def items_url(profile, section="work-activities"):
    return f"/api/v1/profiles/{profile.slug}/items/{section}/"


def etag(api, profile):
    return api.get(f"/api/v1/profiles/{profile.slug}/")["ETag"]


def test_add_change_move_and_remove_items(hr_api, draft_only):
    first = factories.WorkActivityFactory(title="Plan the work")
    url = items_url(draft_only)
    added = hr_api.post(
        url, {"item": first.pk}, format="json", HTTP_IF_MATCH=etag(hr_api, draft_only)
    )
    assert added.status_code == 201, added.content
    assert [row["title"] for row in added.json()["document"]["work_activities"]] == [
        "Plan the work"
    ]
    # A new catalogue item, written and added in one call.
    second = hr_api.post(
        url, {"title": "Ship it", "details": "Weekly"}, format="json", HTTP_IF_MATCH=added["ETag"]
    )
    assert second.status_code == 201, second.content
    assert WorkActivity.objects.filter(title="Ship it").exists()
    rows = hr_api.get(url).json()
    assert [(row["title"], row["position"]) for row in rows] == [
        ("Plan the work", 1),
        ("Ship it", 2),
    ]
    moved = hr_api.patch(
        f"{url}{rows[1]['id']}/", {"position": 1}, format="json", HTTP_IF_MATCH=second["ETag"]
    )
    assert moved.status_code == 200, moved.content
    assert [row["title"] for row in moved.json()["document"]["work_activities"]] == [
        "Ship it",
        "Plan the work",
    ]
    # The ETag before the move is stale: nothing is removed.
    assert_problem(hr_api.delete(f"{url}{rows[0]['id']}/", HTTP_IF_MATCH=second["ETag"]), 412)
    assert_problem(hr_api.delete(f"{url}{rows[0]['id']}/"), 428)
    removed = hr_api.delete(f"{url}{rows[0]['id']}/", HTTP_IF_MATCH=moved["ETag"])
    assert removed.status_code == 200
    assert ProfileWorkActivity.objects.filter(profile=draft_only).count() == 1


def test_a_depth_must_be_on_the_scale(hr_api, draft_only):
    item = factories.KnowledgeItemFactory()
    body = assert_problem(
        hr_api.post(
            items_url(draft_only, "knowledge"),
            {"item": item.pk, "depth": "galactic"},
            format="json",
            HTTP_IF_MATCH=etag(hr_api, draft_only),
        ),
        400,
    )
    assert body["type"] == "urn:competency:problem:invalid-input"
    assert [error["pointer"] for error in body["errors"]] == ["#/depth"]
    assert not draft_only.knowledge_links.exists()


def test_a_skill_without_a_level_is_a_400_naming_level(hr_api, draft_only):
    """A missing required choice is invalid input pointing at the field,
    not a conflict with the resource's state."""
    level = factories.LevelFactory()
    skill = factories.SkillFactory(category=factories.CategoryFactory(framework=level.framework))
    factories.SkillLevelFactory(skill=skill, level=level)
    url = items_url(draft_only, "skills")
    body = assert_problem(
        hr_api.post(url, {"item": skill.pk}, format="json", HTTP_IF_MATCH=etag(hr_api, draft_only)),
        400,
    )
    assert body["type"] == "urn:competency:problem:invalid-input"
    assert body["errors"] == [{"pointer": "#/level", "detail": "Choose a level for the skill."}]
    assert not draft_only.skill_links.exists()
    added = hr_api.post(
        url,
        {"item": skill.pk, "level": level.pk},
        format="json",
        HTTP_IF_MATCH=etag(hr_api, draft_only),
    )
    assert added.status_code == 201, added.content


def test_a_published_profile_is_not_edited(hr_api, published):
    item = factories.WorkActivityFactory()
    body = assert_problem(
        hr_api.post(
            items_url(published),
            {"item": item.pk},
            format="json",
            HTTP_IF_MATCH=etag(hr_api, published),
        ),
        409,
    )
    assert "start a new draft" in body["detail"]


@pytest.mark.parametrize("who", ["staff_api", "manager_api"])
def test_only_hr_edit_items(who, request, published):
    api = request.getfixturevalue(who)
    assert_problem(api.get(items_url(published)), 403)
    assert_problem(api.post(items_url(published), {"item": 1}, format="json"), 403)


def test_an_unknown_section_or_profile_is_404(hr_api, draft_only):
    assert_problem(hr_api.get(f"/api/v1/profiles/{draft_only.slug}/items/nonsense/"), 404)
    assert_problem(hr_api.get("/api/v1/profiles/nobody/items/training/"), 404)
