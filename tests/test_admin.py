"""The Django admin for HR power users: every page opens, searches and
filters work, published content is read-only, and only staff get in."""

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse

from profiles.models import RoleProfile
from tests import factories
from tests.paths import OWN_PAGE
from tests.profiles.helpers import run

pytestmark = pytest.mark.django_db

SLUG = "senior-devops-engineer-management"


@pytest.fixture
def sample(ddat):
    run("import_profile", str(OWN_PAGE))
    return RoleProfile.objects.get(slug=SLUG)


def changelist(model):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


@pytest.mark.parametrize("model", list(admin.site._registry), ids=lambda m: m.__name__)
def test_every_changelist_opens_with_data(admin_client, sample, model):
    response = admin_client.get(changelist(model))
    assert response.status_code == 200


@pytest.mark.parametrize("model", list(admin.site._registry), ids=lambda m: m.__name__)
def test_every_change_page_opens(admin_client, sample, model):
    from profiles.lifecycle import publish_profile

    publish_profile(profile=sample)
    factories.JobFamilyFactory()
    if model._meta.app_label == "appraisals":
        small_organisation(sample)
    if model._meta.app_label == "axes":  # failed sign-ins
        Client().post(reverse("login"), {"username": "robin", "password": "wrong"})
    obj = model.objects.first()
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[obj.pk])
    assert admin_client.get(url).status_code == 200


def small_organisation(profile):
    """A manager and a report with an appraisal, a check-in and a checkpoint."""
    from appraisals import cycles
    from appraisals.models import CheckIn, ProbationCheckpoint

    manager = factories.PersonFactory(name="Mo", role_profile=profile)
    report = factories.PersonFactory(name="Sam", line_manager=manager, role_profile=profile)
    cycles.open_cycle(cycle=factories.CycleFactory(), scope=cycles.Scope.everyone())
    CheckIn.objects.create(person=report, manager=manager, held_on="2025-05-01")
    ProbationCheckpoint.objects.create(person=report, months=1, due_on="2025-02-01")


def test_profile_search_finds_by_skill_name(admin_client, sample):
    factories.RoleProfileFactory(title="Payroll Officer")
    response = admin_client.get(changelist(RoleProfile), {"q": "Programming and build"})
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [sample]


def test_profile_filters_by_status(admin_client, sample):
    factories.RoleProfileFactory(title="Payroll Officer", status="archived")
    response = admin_client.get(changelist(RoleProfile), {"status__exact": "archived"})
    assert [p.title for p in response.context["cl"].result_list] == ["Payroll Officer"]


def test_a_draft_shows_its_components_in_order(admin_client, sample):
    url = reverse("admin:profiles_roleprofile_change", args=[sample.pk])
    response = admin_client.get(url)
    content = response.content.decode()
    assert content.index("Delivery pipelines") < content.index("Incident response")
    # Read-only even as a draft: content changes on the edit page, which
    # checks for a colleague's edit under the row lock.
    assert 'name="title"' not in content


def test_publish_action_makes_a_version_and_freezes_the_form(admin_client, admin_user, sample):
    response = admin_client.post(
        changelist(RoleProfile),
        {"action": "publish", "_selected_action": [sample.pk]},
        follow=True,
    )
    assert "Published 1 profile(s)." in response.content.decode()
    version = sample.versions.get()
    assert version.published_by == admin_user
    url = reverse("admin:profiles_roleprofile_change", args=[sample.pk])
    assert 'name="title"' not in admin_client.get(url).content.decode()


def test_publishing_a_published_profile_is_refused_with_a_message(admin_client, sample):
    from profiles.lifecycle import publish_profile

    publish_profile(profile=sample)
    response = admin_client.post(
        changelist(RoleProfile),
        {"action": "publish", "_selected_action": [sample.pk]},
        follow=True,
    )
    assert "Only a draft can be published" in response.content.decode()
    assert sample.versions.count() == 1


def test_a_version_cannot_be_changed_through_the_admin(admin_client, sample):
    from profiles.lifecycle import publish_profile

    version = publish_profile(profile=sample)
    url = reverse("admin:profiles_profileversion_change", args=[version.pk])
    assert admin_client.get(url).status_code == 200  # readable
    assert admin_client.post(url, {"number": 9, "document": "{}"}).status_code == 403
    version.refresh_from_db()
    assert version.number == 1 and version.document["slug"] == SLUG


def test_a_skill_cannot_be_moved_to_another_frameworks_category(admin_client, sample):
    skill = sample.skill_links.first().skill
    elsewhere = factories.CategoryFactory(name="Somewhere else")
    url = reverse("admin:competency_skill_change", args=[skill.pk])
    response = admin_client.post(
        url,
        {
            "category": elsewhere.pk,
            "name": skill.name,
            "description": skill.description,
            "levels-TOTAL_FORMS": 0,
            "levels-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 200
    assert "A skill stays in its framework" in response.content.decode()
    skill.refresh_from_db()
    assert skill.category.framework.name == "DDaT"


def test_a_shared_component_says_how_many_profiles_use_it(admin_client, sample):
    activity = sample.work_activity_links.first().activity
    factories.ProfileWorkActivityFactory(activity=activity)
    url = reverse("admin:competency_workactivity_change", args=[activity.pk])
    content = admin_client.get(url).content.decode()
    assert "2 profile(s). A change here shows in every one of their drafts" in content


def test_anonymous_visitors_are_sent_to_sign_in(client, sample):
    response = client.get(changelist(RoleProfile))
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


def test_staff_without_permissions_are_refused(client, sample):
    user = factories.UserFactory(is_staff=True)
    client.force_login(user)
    assert client.get(changelist(RoleProfile)).status_code == 403
