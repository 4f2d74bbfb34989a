"""Finding people by skill: the best rating first, then by name (people who
share a name in a fixed order), the same on every page and in the API."""

import pytest

from appraisals import cycles, insight
from appraisals.models import Person, Requirement
from competency.models import KnowledgeItem
from tests import factories
from tests.cast import agree_directly

pytestmark = pytest.mark.django_db


def test_ranked_best_first_then_by_name_on_every_page(cast, cycle):
    for name in ("Cy", "Ann", "Bo", "Ann"):
        factories.PersonFactory(
            name=name, line_manager=cast.manager, role_profile=cast.person.role_profile
        )
    for appraisal in cycles.open_cycle(cycle=cycle, scope=cycles.Scope.team(cast.manager)).created:
        agree_directly(appraisal, 3)
    item = KnowledgeItem.objects.get(title="Agile working")
    two_ann = list(Person.objects.filter(name="Ann").order_by("pk"))
    # The second Ann and Cy rated higher.
    Requirement.objects.filter(
        knowledge_item=item, appraisal__person__in=[two_ann[1], *Person.objects.filter(name="Cy")]
    ).update(manager_rating=4)
    # Rated behind the workflow's back: the stored latest ratings read again.
    insight.refresh_latest_ratings(Person.objects.values_list("pk", flat=True))
    ranked = insight.people_with(insight.find_item("knowledge", item.pk), 3, Person.objects.all())
    expected = [
        (4, "Ann", two_ann[1].pk),
        (4, "Cy", Person.objects.get(name="Cy").pk),
        (3, "Ann", two_ann[0].pk),
        (3, "Bo", Person.objects.get(name="Bo").pk),
        (3, "Sam", cast.person.pk),
    ]
    assert ranked.count() == len(expected)
    shown = [*ranked[0:2], *ranked[2:4], *ranked[4:6]]
    assert [(r.manager_rating, r.appraisal.person.name, r.appraisal.person_id) for r in shown] == (
        expected
    )
    assert ranked[1].appraisal.person.name == "Cy"
