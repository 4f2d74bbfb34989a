"""Every list takes the same number of queries for 1 row and for 100, and
every detail a fixed number: no query per row."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from profiles import lifecycle
from tests import factories


def queries(api, path):
    with CaptureQueriesContext(connection) as captured:
        response = api.get(path)
    assert response.status_code == 200, response.content
    return len(captured), response.json()


def _skill(framework=None):
    framework = framework or factories.FrameworkFactory()
    level = factories.LevelFactory(framework=framework)
    skill = factories.SkillFactory(category=factories.CategoryFactory(framework=framework))
    factories.SkillLevelFactory(skill=skill, level=level)
    return skill


LISTS = {
    "skills": _skill,
    "work-activities": lambda: factories.WorkActivityFactory(),
    "knowledge": lambda: factories.KnowledgeItemFactory(),
    "training": lambda: factories.TrainingFactory(),
    "pdas": lambda: factories.DevelopmentActivityFactory(),
    "qualifications": lambda: factories.QualificationFactory(),
    "awarding-bodies": lambda: factories.AwardingBodyFactory(),
    "job-families": lambda: factories.JobFamilyFactory(),
    "frameworks": lambda: factories.LevelFactory().framework,
}


@pytest.mark.parametrize("path", LISTS)
def test_a_catalogue_list_takes_the_same_queries_for_1_and_100_rows(hr_api, path):
    make = LISTS[path]
    first = make()
    one, body = queries(hr_api, f"/api/v1/{path}/?page_size=100")
    assert len(body["results"]) == 1
    for _ in range(99):
        make()
    hundred, body = queries(hr_api, f"/api/v1/{path}/?page_size=100")
    assert len(body["results"]) == 100
    assert hundred == one
    # The detail: a fixed number, whatever the catalogue holds.
    detail = first.slug if path in ("frameworks", "job-families") else first.pk
    assert queries(hr_api, f"/api/v1/{path}/{detail}/")[0] <= one + 1


def test_uses_takes_the_same_queries_for_1_and_100_profiles(hr_api, db):
    activity = factories.WorkActivityFactory()
    factories.ProfileWorkActivityFactory(activity=activity)
    path = f"/api/v1/work-activities/{activity.pk}/uses/?page_size=100"
    one, _ = queries(hr_api, path)
    for _ in range(99):
        factories.ProfileWorkActivityFactory(activity=activity)
    hundred, body = queries(hr_api, path)
    assert len(body["results"]) == 100
    assert hundred == one


@pytest.mark.parametrize("who", ["hr_api", "staff_api"])
def test_the_profile_list_takes_the_same_queries_for_1_and_100_rows(who, request, db):
    api = request.getfixturevalue(who)
    lifecycle.publish_profile(profile=factories.RoleProfileFactory())
    one, _ = queries(api, "/api/v1/profiles/?page_size=100")
    for _ in range(99):
        lifecycle.publish_profile(profile=factories.RoleProfileFactory())
    hundred, body = queries(api, "/api/v1/profiles/?page_size=100")
    assert len(body["results"]) == 100
    assert hundred == one


def test_a_profiles_versions_take_the_same_queries_for_1_and_100(staff_api, hr_api, db):
    profile = factories.RoleProfileFactory()
    lifecycle.publish_profile(profile=profile)
    path = f"/api/v1/profiles/{profile.slug}/versions/?page_size=100"
    one, _ = queries(hr_api, path)
    for number in range(2, 101):
        factories.ProfileVersionFactory(profile=profile, number=number)
    hundred, body = queries(hr_api, path)
    assert len(body["results"]) == 100
    assert hundred == one
    assert queries(staff_api, f"/api/v1/profiles/{profile.slug}/versions/1/")[0] <= 5


def test_a_drafts_items_take_the_same_queries_for_1_and_100(hr_api, draft_only):
    path = f"/api/v1/profiles/{draft_only.slug}/items/work-activities/"
    factories.ProfileWorkActivityFactory(profile=draft_only, position=0)
    one, _ = queries(hr_api, path)
    for position in range(1, 100):
        factories.ProfileWorkActivityFactory(profile=draft_only, position=position)
    hundred, body = queries(hr_api, path)
    assert len(body) == 100
    assert hundred == one
