"""factory_boy factories for every model, for tests that need rows the
import does not make."""

from datetime import date

import factory
from django.contrib.auth import get_user_model
from django.utils.text import slugify

from appraisals import models as appraisals
from competency import models as catalogue
from profiles import models as profiles
from profiles.search import refresh_search_text


class Searched:
    """Factories of a profile or its links keep the profile's search text
    in step, as every service that writes them does."""

    @classmethod
    def _after_postgeneration(cls, instance, create, results=None):
        super()._after_postgeneration(instance, create, results)
        if create:
            refresh_search_text([getattr(instance, "profile_id", instance.pk)])


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.org")
    password = factory.django.Password("correct horse battery staple")


class FrameworkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = catalogue.Framework

    name = factory.Sequence(lambda n: f"Framework {n}")
    slug = factory.LazyAttribute(lambda framework: slugify(framework.name))


class LevelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = catalogue.Level

    framework = factory.SubFactory(FrameworkFactory)
    rank = factory.Sequence(lambda n: n + 1)
    name = factory.Sequence(lambda n: f"Level {n + 1}")


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = catalogue.Category

    framework = factory.SubFactory(FrameworkFactory)
    name = factory.Sequence(lambda n: f"Category {n}")


class SkillFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = catalogue.Skill

    category = factory.SubFactory(CategoryFactory)
    name = factory.Sequence(lambda n: f"Skill {n}")
    description = "You can do this well."


class SkillLevelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = catalogue.SkillLevel

    skill = factory.SubFactory(SkillFactory)
    level = factory.SubFactory(
        LevelFactory, framework=factory.SelfAttribute("..skill.category.framework")
    )
    description = "You can do this at this level."


class WorkActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = catalogue.WorkActivity

    title = factory.Sequence(lambda n: f"Work activity {n}")
    details = "Does the work."


class KnowledgeItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = catalogue.KnowledgeItem

    title = factory.Sequence(lambda n: f"Knowledge {n}")
    details = "Knows the thing."
    kind = catalogue.KnowledgeItem.Kind.TECHNICAL


class TrainingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = catalogue.Training

    title = factory.Sequence(lambda n: f"Training {n}")
    details = "A course."


class DevelopmentActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = catalogue.DevelopmentActivity

    title = factory.Sequence(lambda n: f"PDA {n}")
    details = "An activity."


class AwardingBodyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = catalogue.AwardingBody

    name = factory.Sequence(lambda n: f"Awarding body {n}")


class QualificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = catalogue.Qualification

    title = factory.Sequence(lambda n: f"Qualification {n}")
    awarding_body = factory.SubFactory(AwardingBodyFactory)


class JobFamilyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = profiles.JobFamily

    name = factory.Sequence(lambda n: f"Family {n}")
    slug = factory.LazyAttribute(lambda family: slugify(family.name))


class RoleProfileFactory(Searched, factory.django.DjangoModelFactory):
    class Meta:
        model = profiles.RoleProfile

    title = factory.Sequence(lambda n: f"Engineer {n}")
    slug = factory.LazyAttribute(lambda profile: slugify(profile.title))
    job_family = factory.SubFactory(JobFamilyFactory)
    summary = "Builds things."
    responsibilities = factory.LazyFunction(lambda: ["build things"])


class ProfileVersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = profiles.ProfileVersion

    profile = factory.SubFactory(RoleProfileFactory)
    number = factory.Sequence(lambda n: n + 1)
    document = factory.LazyAttribute(lambda version: {"title": version.profile.title})


class ProfileWorkActivityFactory(Searched, factory.django.DjangoModelFactory):
    class Meta:
        model = profiles.ProfileWorkActivity

    profile = factory.SubFactory(RoleProfileFactory)
    activity = factory.SubFactory(WorkActivityFactory)


class ProfileKnowledgeFactory(Searched, factory.django.DjangoModelFactory):
    class Meta:
        model = profiles.ProfileKnowledge

    profile = factory.SubFactory(RoleProfileFactory)
    item = factory.SubFactory(KnowledgeItemFactory)
    depth = "familiar"


class ProfileTrainingFactory(Searched, factory.django.DjangoModelFactory):
    class Meta:
        model = profiles.ProfileTraining

    profile = factory.SubFactory(RoleProfileFactory)
    training = factory.SubFactory(TrainingFactory)


class ProfileDevelopmentActivityFactory(Searched, factory.django.DjangoModelFactory):
    class Meta:
        model = profiles.ProfileDevelopmentActivity

    profile = factory.SubFactory(RoleProfileFactory)
    activity = factory.SubFactory(DevelopmentActivityFactory)


class ProfileQualificationFactory(Searched, factory.django.DjangoModelFactory):
    class Meta:
        model = profiles.ProfileQualification

    profile = factory.SubFactory(RoleProfileFactory)
    qualification = factory.SubFactory(QualificationFactory)


class ProfileSkillFactory(Searched, factory.django.DjangoModelFactory):
    class Meta:
        model = profiles.ProfileSkill

    profile = factory.SubFactory(RoleProfileFactory)
    skill = factory.SubFactory(SkillFactory)
    level = factory.SubFactory(
        LevelFactory, framework=factory.SelfAttribute("..skill.category.framework")
    )


class PersonFactory(factory.django.DjangoModelFactory):
    """A member of staff. Give `line_manager` here only for new people:
    changing one later goes through appraisals.people.set_manager."""

    class Meta:
        model = appraisals.Person

    employee_id = factory.Sequence(lambda n: f"E{n:05d}")
    name = factory.Sequence(lambda n: f"Person {n}")
    email = factory.LazyAttribute(lambda person: f"{person.employee_id.lower()}@example.org")
    job_title = "Engineer"
    start_date = factory.LazyFunction(lambda: date(2024, 1, 15))


class CycleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = appraisals.Cycle

    name = factory.Sequence(lambda n: f"Annual review {2020 + n}")
    kind = appraisals.Cycle.Kind.ANNUAL
    opens_on = factory.LazyFunction(lambda: date(2025, 4, 1))
    closes_on = factory.LazyFunction(lambda: date(2025, 6, 30))


class ObjectiveFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = appraisals.Objective

    title = factory.Sequence(lambda n: f"Objective {n}")
    measure = "It is done."
