"""Whether someone is HR is read with the signed-in user (one query per
request in all), and answers as Django's own permission check would: HR's
permission held through a group or directly, a superuser, not an inactive
account, and no other permission changed."""

import pytest
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from competency.roles import HR_PERMISSION, Backend, is_hr
from tests import factories
from tests.cast import account

pytestmark = pytest.mark.django_db


def hr_permission():
    app_label, codename = HR_PERMISSION.split(".")
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


@pytest.fixture
def people(db):
    direct = factories.UserFactory(username="direct")
    direct.user_permissions.add(hr_permission())
    own_group = Group.objects.create(name="Payroll")
    own_group.permissions.add(hr_permission())
    custom = factories.UserFactory(username="custom")
    custom.groups.add(own_group)
    return {
        "hr": account("hilda", "HR"),
        "direct": direct,
        "custom group": custom,
        "superuser": factories.UserFactory(username="root", is_superuser=True),
        "staff": account("sam", "Staff"),
        "manager": account("mo", "Line managers"),
        "nobody": factories.UserFactory(username="nobody"),
    }


EXPECTED = {
    "hr": True,
    "direct": True,
    "custom group": True,
    "superuser": True,
    "staff": False,
    "manager": False,
    "nobody": False,
}


@pytest.mark.parametrize("who", EXPECTED)
def test_the_user_read_for_a_request_says_what_django_would(people, who):
    user = Backend().get_user(people[who].pk)
    assert is_hr(user) is EXPECTED[who]
    plain = ModelBackend().get_user(people[who].pk)
    assert is_hr(plain) is EXPECTED[who]
    # Every other permission is Django's answer.
    for permission in ("profiles.add_roleprofile", "appraisals.view_appraisal"):
        assert user.has_perm(permission) == plain.has_perm(permission)


def test_asking_costs_no_query_of_its_own(people, django_assert_num_queries):
    with django_assert_num_queries(1):
        user = Backend().get_user(people["hr"].pk)
        assert is_hr(user) and is_hr(user)
    with django_assert_num_queries(1):
        user = Backend().get_user(people["staff"].pk)
        assert not is_hr(user)


def test_an_inactive_account_is_not_signed_in(people):
    people["hr"].is_active = False
    people["hr"].save()
    assert Backend().get_user(people["hr"].pk) is None
    assert Backend().get_user(999_999) is None


def test_losing_the_group_takes_effect_on_the_next_request(client, people):
    hilda = people["hr"]
    client.force_login(hilda)
    url = reverse("catalogue:index")
    assert client.get(url).status_code == 200
    hilda.groups.clear()
    assert client.get(url).status_code == 403
