"""HR's view of a cycle lists its appraisals by the person's name, people
who share a name in a fixed order, a page at a time."""

import pytest
from django.urls import reverse

from appraisals import cycles
from appraisals.views import cycles as cycle_views
from tests import factories

pytestmark = pytest.mark.django_db


def test_by_name_then_person_across_pages(cast, cycle, monkeypatch):
    monkeypatch.setattr(cycle_views, "PAGE_SIZE", 2)
    twins = [
        factories.PersonFactory(
            name="Ann", line_manager=cast.manager, role_profile=cast.person.role_profile
        )
        for _ in range(2)
    ]
    cycles.open_cycle(cycle=cycle, scope=cycles.Scope.everyone())
    client = cast.client("hr")
    url = reverse("appraisals:cycle", kwargs={"pk": cycle.pk})
    shown = []
    for page in (1, 2, 3):
        rows = client.get(url, {"page": page}).context["rows"]
        shown += [(appraisal.person.name, appraisal.person_id) for appraisal, _ in rows]
    # Bea has no manager, so no appraisal.
    expected = sorted(
        [("Ann", twins[0].pk), ("Ann", twins[1].pk)]
        + [(p.name, p.pk) for p in (cast.manager, cast.other_manager, cast.person)]
        + [(cast.other_person.name, cast.other_person.pk)]
    )
    assert shown == expected
