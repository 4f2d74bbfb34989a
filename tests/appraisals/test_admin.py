"""The admin keeps to the services: a line manager set there is checked for
loops, and appraisals are read-only."""

import pytest
from django.urls import reverse

from appraisals.models import Appraisal, Person

pytestmark = pytest.mark.django_db


def person_form(person, **changes):
    return {
        "employee_id": person.employee_id,
        "name": person.name,
        "email": person.email,
        "job_title": person.job_title,
        "line_manager": person.line_manager_id or "",
        "role_profile": person.role_profile_id or "",
        "start_date": "2024-01-15",
        "account": person.account_id or "",
        **changes,
    }


def test_a_loop_made_in_the_admin_is_refused_and_the_rest_saved(admin_client, cast):
    url = reverse("admin:appraisals_person_change", args=[cast.head.pk])
    response = admin_client.post(
        url, person_form(cast.head, line_manager=cast.person.pk, job_title="Head"), follow=True
    )
    assert "Sam already reports to Bea" in response.content.decode()
    head = Person.objects.get(pk=cast.head.pk)
    assert head.line_manager is None and head.job_title == "Head"


def test_a_line_manager_changed_in_the_admin_goes_through_the_service(admin_client, cast):
    url = reverse("admin:appraisals_person_change", args=[cast.person.pk])
    admin_client.post(url, person_form(cast.person, line_manager=cast.other_manager.pk))
    assert Person.objects.get(pk=cast.person.pk).line_manager == cast.other_manager


def test_appraisals_are_read_only_in_the_admin(admin_client, appraisal):
    url = reverse("admin:appraisals_appraisal_change", args=[appraisal.pk])
    response = admin_client.post(url, {"stage": "signed_off"})
    assert response.status_code == 403
    assert Appraisal.objects.get(pk=appraisal.pk).stage == "draft"
