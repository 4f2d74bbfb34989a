"""The cast of the appraisal tests, and a published profile to appraise them on.

Bea (head)  ── Mo (manager) ── Sam (staff)
            └─ Olu (another manager) ── Tia (another member of staff)
Harriet: HR, appraised by nobody.
"""

from dataclasses import dataclass

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser, Group

from appraisals import cycles
from appraisals.models import Person
from competency.models import Category, Level, SkillLevel
from profiles import lifecycle
from tests import factories


@dataclass
class Cast:
    hr: object
    head: Person
    manager: Person
    person: Person
    other_manager: Person
    other_person: Person

    def user(self, role):
        if role == "anonymous":
            return AnonymousUser()
        if role == "hr":
            return self.hr
        return getattr(self, role).account


ROLES = ["hr", "manager", "head", "person", "other_manager", "other_person", "anonymous"]


def shared(factory, **fields):
    model = factory._meta.model
    return model.objects.filter(title=fields["title"]).first() or factory(**fields)


def published_profile(ddat, title="Platform Engineer", family=None):
    """A published profile with one item of each kind an appraisal rates,
    plus training and a PDA for development plans."""
    profile = factories.RoleProfileFactory(
        title=title, **({"job_family": family} if family else {})
    )
    category, _ = Category.objects.get_or_create(framework=ddat, name="Software Development")
    skill = factories.SkillFactory(category=category, name=f"Systems design {title}")
    for level in Level.objects.filter(framework=ddat):
        SkillLevel.objects.create(
            skill=skill, level=level, description=f"You can design systems at {level.name}."
        )
    # Components are shared: a second profile uses the same items.
    factories.ProfileWorkActivityFactory(
        profile=profile,
        activity=shared(factories.WorkActivityFactory, title="Formal appraisals"),
        position=0,
    )
    factories.ProfileKnowledgeFactory(
        profile=profile,
        item=shared(factories.KnowledgeItemFactory, title="Agile working"),
        depth="proficient",
        position=0,
    )
    factories.ProfileKnowledgeFactory(
        profile=profile,
        item=shared(factories.KnowledgeItemFactory, title="Team dynamics", kind="behavioural"),
        depth="",
        position=1,
    )
    factories.ProfileSkillFactory(
        profile=profile, skill=skill, level=Level.objects.get(framework=ddat, rank=3)
    )
    factories.ProfileTrainingFactory(
        profile=profile,
        training=shared(
            factories.TrainingFactory, title="Agile working course", details="Agile basics."
        ),
    )
    factories.ProfileDevelopmentActivityFactory(
        profile=profile,
        activity=shared(
            factories.DevelopmentActivityFactory, title="Shadow a system design review"
        ),
    )
    lifecycle.publish_profile(profile=profile)
    profile.refresh_from_db()
    return profile


@pytest.fixture
def profile(ddat):
    return published_profile(ddat)


def account(name, group):
    """A sign-in account without a password: hashing one per person made
    each test seconds slower, and these tests sign nobody in."""
    user = get_user_model().objects.create(
        username=name.lower(), email=f"{name.lower()}@example.org"
    )
    # get_or_create: a transactional test flushes the groups the migrations made.
    user.groups.add(Group.objects.get_or_create(name=group)[0])
    return user


def person(name, manager=None, profile=None):
    group = "Line managers" if name in {"Bea", "Mo", "Olu"} else "Staff"
    return factories.PersonFactory(
        name=name,
        email=f"{name.lower()}@example.org",
        line_manager=manager,
        role_profile=profile,
        account=account(name, group),
    )


@pytest.fixture
def cast(profile):
    head = person("Bea", profile=profile)
    manager = person("Mo", head, profile)
    other_manager = person("Olu", head, profile)
    return Cast(
        hr=account("harriet", "HR"),
        head=head,
        manager=manager,
        person=person("Sam", manager, profile),
        other_manager=other_manager,
        other_person=person("Tia", other_manager, profile),
    )


@pytest.fixture
def cycle(db):
    return factories.CycleFactory(name="Annual review 2025")


@pytest.fixture
def appraisal(cast, cycle):
    """Sam's appraisal by Mo, in draft."""
    opening = cycles.open_cycle(cycle=cycle, scope=cycles.Scope.team(cast.manager))
    (appraisal,) = opening.created
    return appraisal
