"""What must never happen is refused by the database itself, not only by
forms: these tests write rows directly and expect IntegrityError."""

import pytest
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError

from competency.models import KnowledgeItem, Level, SkillLevel, WorkActivity
from profiles.models import ProfileKnowledge, ProfileSkill, RoleProfile
from tests import factories

pytestmark = pytest.mark.django_db


def refused(callable_):
    with pytest.raises(IntegrityError), transaction.atomic():
        callable_()


def test_two_profiles_cannot_share_a_slug():
    factories.RoleProfileFactory(slug="data-engineer")
    refused(lambda: factories.RoleProfileFactory(slug="data-engineer"))
    assert RoleProfile.objects.filter(slug="data-engineer").count() == 1


def test_a_framework_scale_has_each_rank_and_name_once():
    level = factories.LevelFactory(rank=1, name="Awareness")
    refused(lambda: Level.objects.create(framework=level.framework, rank=1, name="Other"))
    refused(lambda: Level.objects.create(framework=level.framework, rank=2, name="Awareness"))
    refused(lambda: Level.objects.create(framework=level.framework, rank=0, name="Zero"))


def test_a_skill_level_must_be_on_its_own_frameworks_scale():
    skill = factories.SkillFactory()
    other_framework_level = factories.LevelFactory()
    refused(lambda: SkillLevel.objects.create(skill=skill, level=other_framework_level))
    own_level = factories.LevelFactory(framework=skill.category.framework)
    SkillLevel.objects.create(skill=skill, level=own_level)
    assert skill.levels.count() == 1


def test_a_requirement_cannot_be_at_a_level_its_framework_does_not_have():
    skill = factories.SkillFactory()
    foreign_level = factories.LevelFactory()
    profile = factories.RoleProfileFactory()
    refused(lambda: ProfileSkill.objects.create(profile=profile, skill=skill, level=foreign_level))
    assert not ProfileSkill.objects.exists()


def test_a_requirement_cannot_be_moved_to_another_frameworks_level():
    link = factories.ProfileSkillFactory()
    foreign_level = factories.LevelFactory()
    link.level = foreign_level
    refused(lambda: link.save(update_fields=["level"]))
    link.refresh_from_db()
    assert link.level.framework == link.skill.category.framework


@pytest.mark.parametrize(
    "factory, field",
    [
        (factories.ProfileWorkActivityFactory, "activity"),
        (factories.ProfileKnowledgeFactory, "item"),
        (factories.ProfileTrainingFactory, "training"),
        (factories.ProfileDevelopmentActivityFactory, "activity"),
        (factories.ProfileQualificationFactory, "qualification"),
        (factories.ProfileSkillFactory, "skill"),
    ],
)
def test_one_component_cannot_appear_twice_in_one_profile(factory, field):
    link = factory()
    extra = {"level": link.level} if field == "skill" else {}
    refused(lambda: factory(profile=link.profile, **{field: getattr(link, field)}, **extra))
    # The same component in another profile is the point of a shared catalogue.
    factory(**{field: getattr(link, field)}, **extra)


def test_depth_must_be_on_the_knowledge_scale():
    link = factories.ProfileKnowledgeFactory()
    refused(lambda: ProfileKnowledge.objects.filter(pk=link.pk).update(depth="master"))
    ProfileKnowledge.objects.filter(pk=link.pk).update(depth="")


def test_knowledge_type_and_profile_status_must_be_known_values():
    item = factories.KnowledgeItemFactory()
    refused(lambda: KnowledgeItem.objects.filter(pk=item.pk).update(kind="social"))
    profile = factories.RoleProfileFactory()
    refused(lambda: RoleProfile.objects.filter(pk=profile.pk).update(status="deleted"))


def test_the_catalogue_holds_one_item_per_text():
    WorkActivity.objects.create(title="Reviews", details="Reviews work.")
    refused(lambda: WorkActivity.objects.create(title="Reviews", details="Reviews work."))
    WorkActivity.objects.create(title="Reviews", details="Reviews other work.")


def test_a_component_in_use_cannot_be_deleted():
    link = factories.ProfileWorkActivityFactory()
    with pytest.raises(ProtectedError):
        link.activity.delete()
    assert WorkActivity.objects.filter(pk=link.activity.pk).exists()


def test_a_published_version_cannot_be_updated_even_in_bulk():
    from profiles.models import ProfileVersion

    version = factories.ProfileVersionFactory(document={"title": "as published"})
    refused(lambda: ProfileVersion.objects.filter(pk=version.pk).update(document={"x": 1}))
    version.refresh_from_db()
    assert version.document == {"title": "as published"}


def test_a_skill_cannot_move_to_another_framework():
    from competency.models import Category, Skill

    skill = factories.SkillFactory()
    elsewhere = factories.CategoryFactory()
    refused(lambda: Skill.objects.filter(pk=skill.pk).update(category=elsewhere))
    sibling = factories.CategoryFactory(framework=skill.category.framework)
    Skill.objects.filter(pk=skill.pk).update(category=sibling)
    refused(
        lambda: Category.objects.filter(pk=sibling.pk).update(
            framework=factories.FrameworkFactory()
        )
    )
