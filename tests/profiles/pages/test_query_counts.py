"""Every page runs a fixed number of SQL queries whatever the size of the
data: each is measured with 1 and with 50 items, and must be the same."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from profiles import lifecycle
from profiles.models import RoleProfile
from tests import factories

pytestmark = pytest.mark.django_db


def count_queries(client, url, params=None):
    with CaptureQueriesContext(connection) as context:
        response = client.get(url, params or {})
    assert response.status_code == 200, url
    return len(context)


def profile_with(items):
    """A draft with `items` of every kind, and one published version."""
    profile = factories.RoleProfileFactory(title="Measured profile", slug="measured")
    skill = factories.SkillFactory()
    framework = skill.category.framework
    levels = [factories.LevelFactory(framework=framework, rank=rank) for rank in (1, 2)]
    for position in range(items):
        factories.ProfileWorkActivityFactory(profile=profile, position=position)
        factories.ProfileKnowledgeFactory(profile=profile, position=position)
        factories.ProfileTrainingFactory(profile=profile, position=position)
        factories.ProfileDevelopmentActivityFactory(profile=profile, position=position)
        factories.ProfileQualificationFactory(profile=profile, position=position)
        skill = factories.SkillFactory(category=skill.category)
        factories.SkillLevelFactory(skill=skill, level=levels[position % 2])
        factories.ProfileSkillFactory(
            profile=profile, skill=skill, level=levels[position % 2], position=position
        )
    lifecycle.publish_profile(profile=profile)
    lifecycle.start_draft(profile=profile)
    return profile


# (page, its URL for a profile, query string, the queries it may run: the
# session and the user, with whether they are HR, and the header's count of
# what waits for HR included)
PAGES = [
    ("profile", lambda p: reverse("profiles:detail", args=[p.slug]), None, 12),
    ("version", lambda p: reverse("profiles:version", args=[p.slug, 1]), None, 5),
    # The rows, and the draft's document to tell whether it has anything new
    # to publish.
    ("edit", lambda p: reverse("profiles:edit", args=[p.slug]), None, 20),
    (
        "diff",
        lambda p: reverse("profiles:versions", args=[p.slug]),
        {"from": "1", "to": "draft"},
        15,
    ),
    ("compare", lambda p: reverse("profiles:compare"), {"a": "measured", "b": "measured"}, 18),
    ("publish", lambda p: reverse("profiles:publish", args=[p.slug]), None, 12),
    ("discard", lambda p: reverse("profiles:discard", args=[p.slug]), None, 12),
    ("audit", lambda p: reverse("profiles:audit", args=[p.slug]), None, 13),
    ("json", lambda p: reverse("profiles:json", args=[p.slug]), None, 10),
]


@pytest.mark.parametrize("name, url, params, expected", PAGES, ids=[page[0] for page in PAGES])
def test_profile_pages_cost_the_same_for_1_and_50_items(hr, name, url, params, expected):
    small = count_queries(hr, url(profile_with(1)), params)
    RoleProfile.objects.filter(slug="measured").update(slug="measured-small")
    large = count_queries(hr, url(profile_with(50)), params)
    assert (small, large) == (expected, expected), f"{name}: {small} for 1 item, {large} for 50"


def test_a_readers_profile_page_costs_four_queries_for_1_and_50_items(staff):
    """The session, the user with whether they are HR, the navigation's
    signed-in person (their name, whether they manage anyone), and the
    profile with its version in force (whose body is drawn once and kept)."""
    small = count_queries(staff, reverse("profiles:detail", args=[profile_with(1).slug]))
    RoleProfile.objects.filter(slug="measured").update(slug="measured-small")
    large = count_queries(staff, reverse("profiles:detail", args=[profile_with(50).slug]))
    assert (small, large) == (4, 4)


@pytest.mark.parametrize("person", ["hr", "staff"])
def test_the_list_costs_the_same_for_1_and_50_profiles(person, request):
    client = request.getfixturevalue(person)
    params = {"q": "engineer", "sort": "updated"}

    def add_profile():
        lifecycle.publish_profile(profile=factories.RoleProfileFactory())

    add_profile()
    small = count_queries(client, reverse("profiles:list"), params)
    assert len(client.get(reverse("profiles:list"), params).context["entries"]) == 1
    for _ in range(49):
        add_profile()
    large = count_queries(client, reverse("profiles:list"), params)
    assert len(client.get(reverse("profiles:list"), params).context["entries"]) == 20
    assert small == large


def test_the_add_page_costs_the_same_for_1_and_50_catalogue_items(hr):
    profile = factories.RoleProfileFactory()
    skill = factories.SkillFactory()
    factories.SkillLevelFactory(skill=skill)
    url = reverse("profiles:add", args=[profile.slug, "skills"])
    small = count_queries(hr, url)
    for _ in range(49):
        other = factories.SkillFactory(category=skill.category)
        factories.SkillLevelFactory(skill=other)
    large = count_queries(hr, url)
    assert small == large


# A side's search works out no menus, so readers no longer read the open
# drafts' documents for the skill menu (one query per side): the same for
# HR and staff, HR's header counting what waits for them where a reader's
# navigation reads their signed-in person.
@pytest.mark.parametrize("person, expected", [("hr", 6), ("staff", 6)])
def test_choosing_profiles_to_compare_costs_the_same_for_1_and_50_profiles(
    person, expected, request, django_assert_num_queries
):
    """Both sides searched and one chosen: the matches are a short list, never
    a menu of every profile."""
    client = request.getfixturevalue(person)
    url = reverse("profiles:compare")

    def add_profile():
        profile = factories.RoleProfileFactory()
        lifecycle.publish_profile(profile=profile)
        return profile

    chosen = add_profile()
    params = {"a": chosen.slug, "qa": "engineer", "qb": "engineer"}
    with django_assert_num_queries(expected):
        response = client.get(url, params)
    assert len(response.context["sides"][1]["matches"]) == 1
    for _ in range(49):
        add_profile()
    with django_assert_num_queries(expected):
        response = client.get(url, params)
    assert len(response.context["sides"][1]["matches"]) == 10
