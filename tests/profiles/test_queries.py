"""Building a profile's document costs the same number of queries whatever
the profile's size."""

import pytest

from profiles.documents import profile_document
from profiles.models import RoleProfile
from tests import factories

pytestmark = pytest.mark.django_db


def build_profile(items):
    profile = factories.RoleProfileFactory()
    skill = factories.SkillFactory()
    for position in range(items):
        factories.ProfileWorkActivityFactory(profile=profile, position=position)
        factories.ProfileKnowledgeFactory(profile=profile, position=position)
        factories.ProfileTrainingFactory(profile=profile, position=position)
        factories.ProfileDevelopmentActivityFactory(profile=profile, position=position)
        factories.ProfileQualificationFactory(profile=profile, position=position)
        skill = factories.SkillFactory(category=skill.category)
        level = factories.SkillLevelFactory(skill=skill).level
        factories.ProfileSkillFactory(profile=profile, skill=skill, level=level, position=position)
    return RoleProfile.objects.get(pk=profile.pk)


@pytest.mark.parametrize("items", [1, 50])
def test_a_document_takes_eight_queries_for_any_size(items, django_assert_num_queries):
    profile = build_profile(items)
    with django_assert_num_queries(8):
        document = profile_document(profile)
    assert len(document["organisation_skills"]) == items
    assert len(document["qualifications"]) == items
