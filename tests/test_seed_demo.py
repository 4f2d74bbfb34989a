import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management.base import CommandError
from django.test import RequestFactory

from appraisals.models import Appraisal, AppraisalEvent, Cycle, Person, ProbationCheckpoint
from competency.models import Framework, Training
from profiles.models import ProfileVersion, RoleProfile
from tests.profiles.helpers import run

pytestmark = pytest.mark.django_db


def signing_in():
    """A sign-in's request: the lockout's backend (django-axes) counts
    failures by the request's address, so authenticate() needs one."""
    return RequestFactory().post("/sign-in/")


def snapshot():
    return {
        "profiles": list(RoleProfile.objects.values_list("slug", "status", "updated_at")),
        "versions": ProfileVersion.objects.count(),
        "users": list(get_user_model().objects.values_list("username", "password")),
        "people": list(Person.objects.order_by("pk").values()),
        "cycles": list(Cycle.objects.values()),
        "appraisals": list(Appraisal.objects.order_by("pk").values()),
        "events": AppraisalEvent.objects.count(),
        "checkpoints": list(ProbationCheckpoint.objects.order_by("pk").values()),
        "develops": sorted(
            Training.develops_skills.through.objects.values_list("training_id", "skill_id")
        ),
        "training history": Training.history.count(),
    }


def test_seed_demo_loads_the_devops_family_and_demo_logins(settings):
    settings.DEBUG = True
    output = run("seed_demo")
    assert "Demo logins: hr, manager, staff (password: demo)" in output
    ddat = Framework.objects.get(name="DDaT")
    assert list(ddat.levels.values_list("name", flat=True)) == [
        "Awareness",
        "Working",
        "Practitioner",
        "Expert",
    ]
    assert "Open Government Licence v3.0" in ddat.attribution
    profiles = RoleProfile.objects.all()
    assert {p.status for p in profiles} == {"published"}
    assert {p.job_family.name for p in profiles} == {"DevOps"}
    levels = {p.role_level for p in profiles}
    assert {"Junior", "Senior", "Lead", "Principal"} <= levels
    assert {p.variant for p in profiles} >= {"Management", "Technical"}
    for username, group in (("hr", "HR"), ("manager", "Line managers"), ("staff", "Staff")):
        user = authenticate(signing_in(), username=username, password="demo")
        assert user is not None and user.groups.filter(name=group).exists()
    assert get_user_model().objects.get(username="hr").has_perm("profiles.change_roleprofile")
    assert (
        not get_user_model().objects.get(username="staff").has_perm("profiles.change_roleprofile")
    )
    # Training says what it develops, so the suggestions show it.
    course = Training.objects.filter(title="Kubernetes in Practice").first()
    assert [k.title for k in course.develops_knowledge.all()] == ["Containers and Orchestration"]
    assert Training.objects.filter(develops_skills__name="Incident management").exists()


def test_seed_demo_adds_an_organisation_with_an_open_cycle(settings):
    settings.DEBUG = True
    run("seed_demo")
    staff = Person.objects.get(account__username="staff")
    manager = Person.objects.get(account__username="manager")
    assert staff.line_manager == manager
    assert manager.line_manager.name == "Priya Shah"
    assert Person.objects.get(account__username="hr").line_manager is None
    assert Person.objects.count() >= 6
    (cycle,) = Cycle.objects.all()
    assert cycle.status == "open"
    stages = dict(
        Appraisal.objects.filter(cycle=cycle).values_list("person__account__username", "stage")
    )
    assert stages["staff"] == "self_assessment"
    assert stages["manager"] == "manager_review"
    assert Appraisal.objects.get(person=staff).manager == manager


def test_running_it_twice_changes_nothing(settings):
    settings.DEBUG = True
    run("seed_demo")
    before = snapshot()
    run("seed_demo")
    assert snapshot() == before


def test_the_password_comes_from_demo_password(settings, monkeypatch):
    settings.DEBUG = True
    monkeypatch.setenv("DEMO_PASSWORD", "another-secret")
    run("seed_demo")
    assert authenticate(signing_in(), username="manager", password="another-secret") is not None
    assert authenticate(signing_in(), username="manager", password="demo") is None


def test_it_refuses_to_run_when_debug_is_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="runs only with DEBUG on"):
        run("seed_demo")
    assert not get_user_model().objects.exists()
    assert not RoleProfile.objects.exists()


def test_a_report_of_manager_is_on_probation_with_checkpoints_to_show(settings, client):
    settings.DEBUG = True
    run("seed_demo")
    manager = Person.objects.get(account__username="manager")
    team = ProbationCheckpoint.objects.for_team(manager)
    assert [c.months for c in team.overdue()] == [1]
    assert [c.months for c in team.due_within(31)] == [3]
    client.force_login(manager.account)
    page = client.get("/").content.decode()
    assert "1-month" in page and "3-month due" in page
