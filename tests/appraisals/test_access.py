"""Who reads what, as a matrix over the cast: HR, the manager, the manager's
manager, the person, another manager, another member of staff, anonymous."""

import pytest
from django.urls import reverse

from appraisals import cycles, plans
from appraisals.access import can_act_as_manager, masked_requirements, visible_sides
from appraisals.models import (
    Appraisal,
    CheckIn,
    Objective,
    Person,
    ProbationCheckpoint,
    Requirement,
    Stage,
)
from profiles import drafts, lifecycle
from profiles.models import ProfileVersion
from tests import factories
from tests.cast import ROLES, take_to

pytestmark = pytest.mark.django_db

# Sam's appraisal, managed by Mo, who reports to Bea.
READS_SAMS = {"hr", "manager", "head", "person"}


@pytest.mark.parametrize("role", ROLES)
def test_who_reads_an_appraisal(appraisal, cast, role):
    visible = Appraisal.objects.visible_to(cast.user(role))
    assert visible.filter(pk=appraisal.pk).exists() == (role in READS_SAMS)


@pytest.mark.parametrize("role", ROLES)
def test_only_the_appraisals_manager_acts_as_manager(appraisal, cast, role):
    assert can_act_as_manager(cast.user(role), appraisal) == (role == "manager")


@pytest.mark.parametrize("role", ROLES)
def test_who_reads_objectives_and_plans(appraisal, cast, role):
    objective = factories.ObjectiveFactory(appraisal=appraisal)
    visible = Objective.objects.visible_to(cast.user(role))
    assert visible.filter(pk=objective.pk).exists() == (role in READS_SAMS)


@pytest.mark.parametrize("role", ROLES)
def test_check_ins_are_between_the_two_people_and_hr(cast, role):
    check_in = plans.record_check_in(
        person=cast.person, by=cast.manager.account, held_on="2025-05-01", notes="Fine."
    )
    visible = CheckIn.objects.visible_to(cast.user(role))
    assert visible.filter(pk=check_in.pk).exists() == (role in {"hr", "manager", "person"})


@pytest.mark.parametrize(
    ("role", "sees"),
    [
        ("hr", {"Bea", "Mo", "Olu", "Sam", "Tia"}),
        ("head", {"Bea", "Mo", "Olu", "Sam", "Tia"}),
        ("manager", {"Mo", "Sam"}),
        ("person", {"Sam"}),
        ("other_manager", {"Olu", "Tia"}),
        ("other_person", {"Tia"}),
        ("anonymous", set()),
    ],
)
def test_who_reads_which_people(cast, role, sees):
    assert {p.name for p in Person.objects.visible_to(cast.user(role))} == sees


@pytest.mark.parametrize("role", ROLES)
def test_who_reads_probation_checkpoints(cast, role):
    checkpoint = ProbationCheckpoint.objects.create(
        person=cast.person, months=1, due_on="2025-02-01"
    )
    visible = ProbationCheckpoint.objects.visible_to(cast.user(role))
    assert visible.filter(pk=checkpoint.pk).exists() == (role in READS_SAMS)


def sides(cast, role, appraisal):
    found = visible_sides(cast.user(role), appraisal)
    return (found.self_assessment, found.manager_assessment)


@pytest.mark.parametrize(
    ("stage", "person", "manager", "head"),
    [
        # (self side, manager side) each sees at each stage
        (Stage.SELF_ASSESSMENT, (True, False), (False, True), (False, False)),
        (Stage.MANAGER_REVIEW, (True, False), (True, True), (True, False)),
        (Stage.REVIEW_SHARED, (True, True), (True, True), (True, True)),
        (Stage.AGREED, (True, True), (True, True), (True, True)),
        (Stage.SIGNED_OFF, (True, True), (True, True), (True, True)),
    ],
)
def test_which_ratings_each_sees_at_each_stage(appraisal, cast, stage, person, manager, head):
    appraisal = take_to(appraisal, stage)
    assert sides(cast, "person", appraisal) == person
    assert sides(cast, "manager", appraisal) == manager
    assert sides(cast, "head", appraisal) == head
    assert sides(cast, "hr", appraisal) == (True, True)


def test_hidden_ratings_are_blanked_for_the_viewer(appraisal, cast):
    appraisal = take_to(appraisal, Stage.MANAGER_REVIEW)
    Requirement.objects.filter(appraisal=appraisal).update(
        self_rating=2, self_comment="Mine.", manager_rating=1, manager_comment="Draft view."
    )
    (row, *_) = masked_requirements(cast.person.account, appraisal)
    assert (row.self_rating, row.self_comment) == (2, "Mine.")
    assert (row.manager_rating, row.manager_comment) == (None, "")
    (row, *_) = masked_requirements(cast.manager.account, appraisal)
    assert (row.self_rating, row.manager_rating) == (2, 1)


def republish(profile):
    profile = lifecycle.start_draft(profile=profile)
    values = drafts.field_values(profile)
    drafts.update_profile(profile=profile, values={**values, "summary": "Newer."}, base=values)
    return lifecycle.publish_profile(profile=profile)


@pytest.mark.parametrize(
    ("role", "reads"),
    [
        ("person", True),
        ("manager", True),
        ("head", True),
        ("other_manager", False),
        ("other_person", False),
        ("anonymous", False),
    ],
)
def test_the_version_appraised_against_stays_readable_once_superseded(
    appraisal, cast, profile, role, reads
):
    first = appraisal.profile_version
    republish(profile)
    visible = ProfileVersion.objects.visible_to(cast.user(role))
    assert visible.filter(pk=first.pk).exists() == reads
    # The version in force stays readable to everyone signed in.
    assert visible.filter(pk=profile.versions.get(number=2).pk).exists() == (role != "anonymous")


def test_the_superseded_version_page_opens_for_the_person_and_is_404_to_others(
    appraisal, cast, profile
):
    republish(profile)
    lifecycle.archive_profile(profile=profile)
    url = reverse("profiles:version", args=[profile.slug, 1])
    sam, tia = cast.client("person"), cast.client("other_person")
    response = sam.get(url)
    assert response.status_code == 200
    assert "Platform Engineer" in response.content.decode()
    assert tia.get(url).status_code == 404


def test_opening_a_cycle_for_another_team_does_not_widen_a_managers_view(cast, cycle):
    cycles.open_cycle(cycle=cycle, scope=cycles.Scope.everyone())
    visible = Appraisal.objects.visible_to(cast.manager.account)
    assert {a.person.name for a in visible} == {"Sam", "Mo"}


def test_a_loop_that_got_into_the_table_ends_the_walk(cast):
    # The services refuse loops; one written past them (Bea now reports to
    # Sam) must still end the reporting line's walk, on both databases.
    Person.objects.filter(pk=cast.head.pk).update(line_manager=cast.person)
    line = {person.name for person in Person.objects.visible_to(cast.manager.account)}
    assert line == {"Mo", "Sam", "Bea", "Olu", "Tia"}
    assert {p.name for p in Person.objects.reporting_line(cast.person)} == {
        "Bea",
        "Mo",
        "Sam",
        "Olu",
        "Tia",
    }


# --- the manager's proposed objectives and plan -------------------------------------------


@pytest.mark.parametrize(
    ("stage", "who_sees"),
    [
        # Set up in draft for the self-assessment: everyone who reads it.
        (Stage.SELF_ASSESSMENT, READS_SAMS),
        # The manager's proposal: theirs (and HR's) until shared.
        (Stage.MANAGER_REVIEW, {"hr", "manager"}),
        (Stage.REVIEW_SHARED, READS_SAMS),
        (Stage.SIGNED_OFF, READS_SAMS),
    ],
)
def test_the_proposed_plan_is_the_managers_until_shared_on_pages_pdf_and_api(
    appraisal, cast, stage, who_sees
):
    from io import BytesIO

    from pypdf import PdfReader

    appraisal = take_to(appraisal, stage)
    objective = Objective.objects.create(appraisal=appraisal, title="Lead the incident reviews")
    action = appraisal.development_actions.create(title="Shadow an architect")
    api = f"/api/v1/appraisals/{appraisal.pk}/"
    for role in READS_SAMS:
        sees = role in who_sees
        client = cast.client(role)
        for page in ("detail", "summary"):
            text = client.get(reverse(f"appraisals:{page}", args=[appraisal.pk])).content.decode()
            assert ("Lead the incident reviews" in text) == sees, (role, page)
            assert ("Shadow an architect" in text) == sees, (role, page)
        edit = reverse("appraisals:edit_objective", args=[appraisal.pk, objective.pk])
        assert client.get(edit).status_code == (200 if sees else 404), role
        if role == "person":  # one PDF a stage: each takes a while to draw
            pdf = client.get(reverse("appraisals:pdf", args=[appraisal.pk])).content
            words = " ".join(page.extract_text() for page in PdfReader(BytesIO(pdf)).pages)
            assert ("Lead the incident reviews" in " ".join(words.split())) == sees, "pdf"
            home = client.get("/").content.decode()
            assert ("Lead the incident reviews" in home) == sees, "home"
        answer = cast.api(role)
        listed = answer.get(api + "objectives/").json()
        assert ([row["title"] for row in listed] == [objective.title]) == sees, role
        listed = answer.get(api + "development-actions/").json()
        assert ([row["title"] for row in listed] == [action.title]) == sees, role
        one = answer.get(api + f"objectives/{objective.pk}/")
        assert one.status_code == (200 if sees else 404), role
