"""The cast: the one organisation the tests sign in from.

    Bea (head) ── Mo (manager) ── Sam (person)
               └─ Olu (other manager) ── Tia (other person)
    Harriet: HR, in nobody's reporting line.

Everyone works to one published profile, Platform Engineer, on the DDaT
framework. Registered as a plugin by tests/conftest.py, so its fixtures are
every test's; tests import its helpers from here (never from a conftest or
from another test module).

Fixtures, smallest first:
- `ddat`: the DDaT framework and its four levels.
- `hr_user`, `manager_user`, `staff_user`: Harriet's, Mo's and Sam's
  accounts alone, without the organisation (the profile pages' readers);
  `hr`, `manager`, `staff`: the test's `client` signed in as each;
  `hr_api`, `manager_api`, `staff_api`, `anonymous_api` and the token
  clients `hr_token_api`, `revoked_api`, `expired_api`: the API's.
  When the test also has the `cast`, these are the cast's own people.
- `profile`: Platform Engineer, published.
- `cast`: the whole organisation (`Cast`), with `cast.user(role)`,
  `cast.client(role)` and `cast.api(role)` for each of ROLES.
- `cycle` and `appraisal`: Sam's appraisal by Mo, in draft.

`profile`, `cast` and `appraisal` are made through the services once per
worker, then written again as rows by each test that asks for them
(tests/recording.py): the same rows, at a fraction of the cost.

Helpers: `account()` and `person()` for anyone else; `client_as()`,
`api_as()`, `issue()` and `with_token()` to sign in; `take_to()`, `agree()`
and `agree_directly()` to move an appraisal on.
"""

import importlib
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser, Group
from django.db import transaction
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from appraisals import cycles, insight, workflow
from appraisals.models import Appraisal, Person, Requirement, Stage
from competency import roles
from competency.api.models import ApiToken
from competency.models import Category, Framework, Level, SkillLevel
from profiles import lifecycle
from tests import factories
from tests.recording import Recording, start_ids_high

# Who the tests read and act as: the cast's people, HR, and nobody.
ROLES = ["hr", "manager", "head", "person", "other_manager", "other_person", "anonymous"]
# API callers who are not signed in, or whose token no longer works.
SIGNED_OUT = ["anonymous", "revoked", "expired"]

DDAT_LEVELS = ["Awareness", "Working", "Practitioner", "Expert"]
MANAGERS = {"Bea", "Mo", "Olu"}


# --- Accounts and groups ---------------------------------------------------------------


def restore_what_the_migrations_made():
    """The live server needs a transactional database, which is flushed
    after each test: the groups made by profiles/migrations/0005_groups.py go
    with it (the flush's post_migrate signal puts back only the content types
    and permissions). Put them back as that migration makes them.

    Serialized rollback would do this, but not reliably with the browser
    tests: once Playwright's sync API runs its event loop in this thread,
    Django hands the test a different connection object from the one that
    holds the serialized data."""
    from django.apps import apps
    from django.contrib.auth.management import create_permissions
    from django.contrib.auth.models import Permission

    groups = importlib.import_module("profiles.migrations.0005_groups")
    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0)
    for name in groups.GROUPS:
        Group.objects.get_or_create(name=name)
    Group.objects.get(name=roles.HR).permissions.add(
        *Permission.objects.filter(content_type__app_label__in=groups.HR_APPS)
    )


def groups_are_there():
    """The migrations' groups, put back if an earlier transactional test's
    flush took them (a test never depends on which tests ran before it)."""
    names = {roles.HR, roles.LINE_MANAGERS, roles.STAFF}
    if Group.objects.filter(name__in=names).count() < len(names):
        restore_what_the_migrations_made()


def account(username, group):
    """A sign-in account (email username@example.org) in one of the
    migrations' groups; the same account again if it exists."""
    groups_are_there()
    user = factories.UserFactory(username=username)
    user.groups.add(Group.objects.get(name=group))
    return user


# --- Signing in ------------------------------------------------------------------------


def client_as(user=None):
    """A page client signed in as `user` (nobody when None)."""
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def api_as(user=None):
    """An API client signed in by session as `user` (nobody when None)."""
    client = APIClient()
    if user is not None:
        client.force_login(user)
    return client


def issue(user, *, days=30, **fields):
    """An API token for `user`, expiring in `days`, with any of its fields
    set (revoked_at, say): (the token, its raw value)."""
    token, raw = ApiToken.issue(
        name="HR system", user=user, expires_at=timezone.now() + timedelta(days=days)
    )
    if fields:
        ApiToken.objects.filter(pk=token.pk).update(**fields)
    return token, raw


def with_token(raw):
    """An API client sending the raw token on every request."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
    return client


# --- The organisation ------------------------------------------------------------------


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

    def client(self, role):
        """A page client signed in as `role` (one of ROLES)."""
        return client_as(None if role == "anonymous" else self.user(role))

    def api(self, role):
        """An API client as `role`: one of ROLES, or HR's revoked or expired
        token."""
        if role == "revoked":
            return with_token(issue(self.hr, revoked_at=timezone.now())[1])
        if role == "expired":
            return with_token(issue(self.hr, days=-1)[1])
        return api_as(None if role == "anonymous" else self.user(role))


def make_ddat():
    """The DDaT framework with its four-level scale, as seed_demo loads it."""
    framework = Framework.objects.create(name="DDaT", slug="ddat")
    for rank, name in enumerate(DDAT_LEVELS, start=1):
        Level.objects.create(framework=framework, rank=rank, name=name)
    return framework


def _shared(factory, **fields):
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
        activity=_shared(factories.WorkActivityFactory, title="Formal appraisals"),
        position=0,
    )
    factories.ProfileKnowledgeFactory(
        profile=profile,
        item=_shared(factories.KnowledgeItemFactory, title="Agile working"),
        depth="proficient",
        position=0,
    )
    factories.ProfileKnowledgeFactory(
        profile=profile,
        item=_shared(factories.KnowledgeItemFactory, title="Team dynamics", kind="behavioural"),
        depth="",
        position=1,
    )
    factories.ProfileSkillFactory(
        profile=profile, skill=skill, level=Level.objects.get(framework=ddat, rank=3)
    )
    factories.ProfileTrainingFactory(
        profile=profile,
        training=_shared(
            factories.TrainingFactory, title="Agile working course", details="Agile basics."
        ),
    )
    factories.ProfileDevelopmentActivityFactory(
        profile=profile,
        activity=_shared(
            factories.DevelopmentActivityFactory, title="Shadow a system design review"
        ),
    )
    lifecycle.publish_profile(profile=profile)
    profile.refresh_from_db()
    return profile


def person(name, manager=None, profile=None):
    """Someone on the staff with an account: a line manager if their name is
    Bea, Mo or Olu, staff otherwise."""
    group = roles.LINE_MANAGERS if name in MANAGERS else roles.STAFF
    return factories.PersonFactory(
        name=name,
        email=f"{name.lower()}@example.org",
        line_manager=manager,
        role_profile=profile,
        account=account(name.lower(), group),
    )


def _organisation(profile):
    head = person("Bea", profile=profile)
    manager = person("Mo", head, profile)
    other_manager = person("Olu", head, profile)
    hr = account("harriet", roles.HR)
    sam = person("Sam", manager, profile)
    return {
        "hr": hr,
        "head": head,
        "manager": manager,
        "person": sam,
        "other_manager": other_manager,
        "other_person": person("Tia", other_manager, profile),
    }


def _sams_appraisal(manager):
    cycle = factories.CycleFactory(name="Annual review 2025")
    (appraisal,) = cycles.open_cycle(cycle=cycle, scope=cycles.Scope.team(manager)).created
    return {"cycle": cycle, "appraisal": appraisal}


@dataclass
class _Recorded:
    profile: Recording
    cast: Recording
    appraisal: Recording


@pytest.fixture(scope="session")
def _recorded(django_db_setup, django_db_blocker):
    """The profile, the organisation and Sam's appraisal as the services make
    them, built once per worker in a transaction that is rolled back: what
    they wrote is kept, for each test to write again."""
    with django_db_blocker.unblock(), transaction.atomic():
        groups_are_there()
        start_ids_high()
        ddat = make_ddat()
        profile = Recording.of(lambda: {"profile": published_profile(ddat)})
        cast = Recording.of(lambda: _organisation(profile.built["profile"]), after=[profile])
        appraisal = Recording.of(
            lambda: _sams_appraisal(cast.built["manager"]), after=[profile, cast]
        )
        transaction.set_rollback(True)
    return _Recorded(profile=profile, cast=cast, appraisal=appraisal)


@pytest.fixture
def ddat(db):
    return make_ddat()


@pytest.fixture
def profile(ddat, _recorded):
    """Platform Engineer, published, with one item of each kind."""
    return _recorded.profile.replay()["profile"]


@pytest.fixture
def cast(profile, _recorded):
    groups_are_there()
    return Cast(**_recorded.cast.replay())


@pytest.fixture
def _opened(cast, _recorded):
    return _recorded.appraisal.replay()


@pytest.fixture
def cycle(request, db):
    """Annual review 2025, in draft; with Sam's `appraisal`, the cycle it was
    opened in."""
    if "appraisal" in request.fixturenames:
        return request.getfixturevalue("_opened")["cycle"]
    return factories.CycleFactory(name="Annual review 2025")


@pytest.fixture
def appraisal(_opened):
    """Sam's appraisal by Mo, in draft."""
    return _opened["appraisal"]


# --- Accounts alone, and clients --------------------------------------------------------


def _user(request, role, username, group):
    """The cast's account for `role` when the test has the cast (one
    organisation, so one Harriet), else that account alone."""
    if "cast" in request.fixturenames:
        return request.getfixturevalue("cast").user(role)
    return account(username, group)


@pytest.fixture
def hr_user(request, db):
    return _user(request, "hr", "harriet", roles.HR)


@pytest.fixture
def manager_user(request, db):
    return _user(request, "manager", "mo", roles.LINE_MANAGERS)


@pytest.fixture
def staff_user(request, db):
    return _user(request, "person", "sam", roles.STAFF)


# The page clients are the test's own `client` (one client per test, so one
# person per test).
@pytest.fixture
def hr(client, hr_user):
    client.force_login(hr_user)
    return client


@pytest.fixture
def manager(client, manager_user):
    client.force_login(manager_user)
    return client


@pytest.fixture
def staff(client, staff_user):
    client.force_login(staff_user)
    return client


# The API's clients are their own, never the shared `client`.
@pytest.fixture
def hr_api(hr_user):
    return api_as(hr_user)


@pytest.fixture
def manager_api(manager_user):
    return api_as(manager_user)


@pytest.fixture
def staff_api(staff_user):
    return api_as(staff_user)


@pytest.fixture
def anonymous_api():
    return APIClient()


@pytest.fixture
def hr_token_api(hr_user):
    return with_token(issue(hr_user)[1])


@pytest.fixture
def revoked_api(hr_user):
    return with_token(issue(hr_user, revoked_at=timezone.now())[1])


@pytest.fixture
def expired_api(hr_user):
    return with_token(issue(hr_user, days=-1)[1])


# --- Moving an appraisal on ------------------------------------------------------------


def fresh(appraisal):
    """The appraisal as stored now."""
    return Appraisal.objects.get(pk=appraisal.pk)


def take_to(appraisal, stage):
    """Take the appraisal forward to `stage`, each move made by whoever
    makes it (its manager or its person), and return it as stored. Signing
    off takes both signatures, the person's first."""
    appraisal = fresh(appraisal)
    while appraisal.stage != stage:
        assert not appraisal.reached(stage), f"cannot go forward to {stage}"
        move, who = {
            Stage.DRAFT: (workflow.start_self_assessment, appraisal.manager),
            Stage.SELF_ASSESSMENT: (workflow.submit_self_assessment, appraisal.person),
            Stage.MANAGER_REVIEW: (workflow.share_review, appraisal.manager),
            Stage.REVIEW_SHARED: (agree_to_everything, appraisal.person),
            Stage.AGREED: (
                workflow.sign_off,
                appraisal.manager if appraisal.person_signed_at else appraisal.person,
            ),
        }[appraisal.stage]
        # Anything not rated goes as it is: these tests are not about that.
        checks = move in (workflow.submit_self_assessment, workflow.share_review)
        confirm = {"confirm_unrated": True} if checks else {}
        move(appraisal=appraisal, by=who.account, confirmed_stage=appraisal.stage, **confirm)
        appraisal = fresh(appraisal)
    return appraisal


def agree_to_everything(*, appraisal, by, confirmed_stage):
    """The person agrees to every item of the shared review."""
    return workflow.answer_review(
        appraisal=appraisal,
        by=by,
        confirmed_stage=confirmed_stage,
        answers={
            pk: {"answer": "agreed"} for pk in appraisal.review_items.values_list("pk", flat=True)
        },
    )


RATED_KINDS = {
    "skill": Requirement.Kind.ORGANISATION_SKILL,
    "knowledge": Requirement.Kind.KNOWLEDGE,
    "behavioural": Requirement.Kind.BEHAVIOURAL,
    "activity": Requirement.Kind.WORK_ACTIVITY,
}


def agree(appraisal, **ratings):
    """Take the appraisal to agreed with its manager's ratings by kind:
    skill, knowledge, behavioural, activity (None: not rated)."""
    appraisal = take_to(appraisal, Stage.MANAGER_REVIEW)
    rows = {row.kind: row for row in appraisal.requirements.all()}
    workflow.save_manager_ratings(
        appraisal=appraisal,
        by=appraisal.manager.account,
        confirmed_stage=Stage.MANAGER_REVIEW,
        ratings={rows[RATED_KINDS[name]].pk: {"rating": value} for name, value in ratings.items()},
    )
    return take_to(appraisal, Stage.AGREED)


def agree_directly(appraisal, rating):
    """Test set-up in bulk (the workflow is tested elsewhere): an appraisal
    agreed, each levelled requirement rated `rating`."""
    Appraisal.objects.filter(pk=appraisal.pk).update(stage=Stage.AGREED)
    appraisal.requirements.filter(required_rank__isnull=False).update(manager_rating=rating)
    # What workflow._move does on reaching agreed: the stored latest ratings.
    insight.refresh_latest_ratings([appraisal.person_id])
