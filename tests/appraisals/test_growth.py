"""Staff see where they can grow: the next role level in their job family,
what it asks beyond their role, their readiness for it, and the progress of
their own objectives (nobody else's)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from appraisals import cycles, growth, plans
from appraisals.models import Objective, Stage
from competency.models import Level
from profiles import lifecycle
from profiles.models import ProfileKnowledge, ProfileSkill
from tests import factories
from tests.cast import agree, take_to
from tests.markup import parse, text

pytestmark = pytest.mark.django_db

GROWTH = reverse("appraisals:growth")


def profile_at(family, title, level, *, variant="", knowledge=(), skills=()):
    """A published profile of `family` at `level`: knowledge (item, depth)
    and skills (skill, rank)."""
    profile = factories.RoleProfileFactory(
        title=title, job_family=family, role_level=level, variant=variant
    )
    for position, (item, depth) in enumerate(knowledge):
        factories.ProfileKnowledgeFactory(
            profile=profile, item=item, depth=depth, position=position
        )
    for skill, rank in skills:
        level_row = Level.objects.get(framework=skill.category.framework, rank=rank)
        factories.ProfileSkillFactory(profile=profile, skill=skill, level=level_row)
    lifecycle.publish_profile(profile=profile)
    profile.refresh_from_db()
    return profile


@pytest.fixture
def ladder(cast):
    """Sam's profile (Platform Engineer, the unnamed level between Junior and
    Senior) and the family's others: Senior Platform Engineer (the skill up
    a level, Agile working as it is, a new knowledge item), its Management
    variant, a Senior Data Engineer, and a Lead."""
    mine = cast.person.role_profile
    family = mine.job_family
    skill = ProfileSkill.objects.get(profile=mine).skill
    agile = ProfileKnowledge.objects.get(profile=mine, item__title="Agile working").item
    capacity = factories.KnowledgeItemFactory(title="Capacity planning")
    senior = profile_at(
        family,
        "Senior Platform Engineer",
        "Senior",
        knowledge=[(agile, "proficient"), (capacity, "familiar")],
        skills=[(skill, 4)],
    )
    management = profile_at(
        family, "Senior Platform Engineer – Management", "Senior", variant="Management"
    )
    data = profile_at(family, "Senior Data Engineer", "Senior")
    profile_at(family, "Lead Platform Engineer", "Lead", skills=[(skill, 4)])
    return {"senior": senior, "management": management, "data": data, "skill": skill}


# --- the next role level ------------------------------------------------------------


def test_the_next_level_is_the_lowest_above_with_the_same_role_first(cast, ladder):
    found = growth.next_level(cast.person)
    assert (found.level, found.profile) == ("Senior", ladder["senior"])
    # The same role in another variant before another role.
    assert found.others == [ladder["management"], ladder["data"]]


def test_the_same_variant_is_preferred(cast, ladder):
    family = cast.person.role_profile.job_family
    mine = profile_at(family, "Platform Engineer – Management", "", variant="Management")
    cast.person.role_profile = mine
    found = growth.next_level(cast.person)
    assert found.profile == ladder["management"]


def test_the_unnamed_level_is_between_junior_and_senior(cast, ladder):
    family = cast.person.role_profile.job_family
    cast.person.role_profile = profile_at(family, "Junior Platform Engineer", "Junior")
    # The unnamed level has a profile (Platform Engineer): it is next.
    found = growth.next_level(cast.person)
    assert found.level == "" and found.level_label == "the level between Junior and Senior"
    assert found.profile.title == "Platform Engineer"


@pytest.mark.parametrize(
    "case, reason",
    [
        ("no_profile", "You have no role profile yet"),
        ("no_family", "belongs to no job family"),
        ("top", "You are at the highest role level, Head of"),
        ("nothing_above", "has no role profile in force above Principal"),
        ("archived_above", "has no role profile in force above the level between"),
    ],
)
def test_when_there_is_no_next_level_it_says_why(cast, case, reason):
    sam = cast.person
    family = sam.role_profile.job_family
    if case == "no_profile":
        sam.role_profile = None
    elif case == "no_family":
        sam.role_profile = profile_at(None, "Platform Engineer Solo", "")
    elif case == "top":
        sam.role_profile = profile_at(family, "Head of Platform", "Head of")
    elif case == "nothing_above":
        sam.role_profile = profile_at(family, "Principal Platform Engineer", "Principal")
    else:
        # A draft above is not in force, nor an archived one.
        factories.RoleProfileFactory(
            title="Senior Draft Engineer", job_family=family, role_level="Senior"
        )
        archived = profile_at(family, "Lead Archived Engineer", "Lead")
        lifecycle.archive_profile(profile=archived)
    found = growth.next_level(sam)
    assert found.profile is None
    assert reason in found.reason


def test_the_changes_are_what_appears_or_rises(cast, ladder):
    sam = cast.person
    changes = growth.changes(sam.role_profile.published_version, ladder["senior"].published_version)
    assert [(c.title, c.now, c.next, c.rises_by) for c in changes] == [
        ("Capacity planning", "", "Familiar with", None),
        (ladder["skill"].name, "3 – Practitioner", "4 – Expert", 1),
    ]


# --- the page -------------------------------------------------------------------------


def test_staff_open_it_from_their_home(cast):
    home = cast.client("person").get(reverse("home"))
    assert f'href="{GROWTH}"' in home.content.decode()


def test_the_page_shows_the_next_level_what_it_asks_and_readiness(cast, ladder, appraisal):
    agree(appraisal, skill=2, knowledge=3)
    response = cast.client("person").get(GROWTH)
    assert response.status_code == 200
    words = text(parse(response).find(".//main"))
    assert "The next role level in" in words and "is Senior: Senior Platform Engineer" in words
    assert "Capacity planning" in words and "New" in words and "Up 1 level" in words
    # The readiness rules of the managers' page: the skill still needed,
    # Agile working met, Capacity planning unknown.
    result = response.context["growth"].readiness
    assert [need.title for need in result.needs] == [ladder["skill"].name]
    assert [need.title for need in result.meets] == ["Agile working"]
    assert [need.title for need in result.unknown] == ["Capacity planning"]
    assert "You meet 1 of the 2 levelled requirements you have been rated on" in words
    readiness = reverse("insight:readiness", args=[cast.person.pk])
    assert f'href="{readiness}?profile={ladder["senior"].slug}#meets"' in response.content.decode()


def test_without_agreed_ratings_readiness_is_not_told(cast, ladder):
    page = cast.client("person").get(GROWTH).content.decode()
    assert "None of its levelled requirements has an agreed rating of yours yet" in page
    assert "You meet" not in page


def test_without_a_next_level_the_page_says_so_plainly(cast):
    response = cast.client("person").get(GROWTH)
    assert response.status_code == 200
    assert "has no role profile in force above the level between Junior and Senior" in (
        response.content.decode()
    )


def test_hr_without_a_person_and_visitors_have_no_growth_page(cast, client):
    assert cast.client("hr").get(GROWTH).status_code == 404
    response = client.get(GROWTH)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("size", [1, 6])
def test_the_page_runs_the_same_queries_for_more_objectives_and_profiles(
    cast, ladder, appraisal, size
):
    appraisal = agree(appraisal, skill=2, knowledge=3)
    for number in range(size):
        plans.add_objective(
            appraisal=appraisal,
            by=cast.manager.account,
            confirmed_stage="agreed",
            title=f"Objective {number}",
        )
        profile_at(cast.person.role_profile.job_family, f"Senior Other Engineer {number}", "Senior")
    sam = cast.client("person")
    with CaptureQueriesContext(connection) as queries:
        response = sam.get(GROWTH)
    assert len(response.context["objectives"]) == size
    # The session and user, the navigation's signed-in person, the person,
    # the objectives, the next level's profiles, the catalogue items of both
    # versions (changes: five; the readiness: four) and the person's ratings
    # of them.
    assert len(queries) == 16, [query["sql"][:120] for query in queries]


# --- the person's progress on their own objectives -------------------------------------


@pytest.fixture
def objective(cast, appraisal):
    appraisal = take_to(appraisal, Stage.MANAGER_REVIEW)
    made = plans.add_objective(
        appraisal=appraisal,
        by=cast.manager.account,
        confirmed_stage="manager_review",
        title="Run the retrospectives",
    )
    take_to(appraisal, Stage.AGREED)
    made.refresh_from_db()
    return made


def progress(objective, **values):
    data = {
        f"objective-{objective.pk}-status": "in_progress",
        f"objective-{objective.pk}-progress_notes": "Two so far.",
        f"objective-{objective.pk}-confirmed": plans.progress_fingerprint(objective),
    }
    data.update({f"objective-{objective.pk}-{name}": value for name, value in values.items()})
    return reverse("appraisals:objective_progress", args=[objective.pk]), data


def test_the_person_records_progress_on_their_own_objective(cast, objective):
    sam = cast.client("person")
    assert "Run the retrospectives" in sam.get(GROWTH).content.decode()
    address, data = progress(objective)
    response = sam.post(address, data)
    assert response.status_code == 302
    assert response["Location"] == f"{GROWTH}#objective-{objective.pk}"
    objective.refresh_from_db()
    assert (objective.status, objective.progress_notes) == ("in_progress", "Two so far.")
    assert objective.history.first().history_user == cast.person.account


def test_a_change_meanwhile_is_not_overwritten_and_what_was_typed_stays(cast, objective):
    address, data = progress(objective, progress_notes="Mine, typed.")
    plans.update_objective(
        objective=objective,
        by=cast.manager.account,
        confirmed_stage="agreed",
        progress_notes="The manager's.",
    )
    response = cast.client("person").post(address, data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "changed while you were looking" in page and "Mine, typed." in page
    objective.refresh_from_db()
    assert objective.progress_notes == "The manager's."


def test_a_bad_status_is_an_error_beside_what_was_typed(cast, objective):
    address, data = progress(objective, status="finished-ish", progress_notes="Kept.")
    response = cast.client("person").post(address, data)
    assert response.status_code == 400
    assert "Kept." in response.content.decode()
    objective.refresh_from_db()
    assert objective.status == "not_started"


@pytest.mark.parametrize("role", ["manager", "head", "hr", "other_person", "other_manager"])
def test_nobody_else_records_progress_on_it(cast, objective, role):
    address, data = progress(objective)
    assert cast.client(role).post(address, data).status_code == 404
    objective.refresh_from_db()
    assert objective.status == "not_started"


def test_a_guessed_id_is_not_found(cast, objective):
    _, data = progress(objective)
    missing = reverse("appraisals:objective_progress", args=[999999])
    assert cast.client("person").post(missing, data).status_code == 404


def test_not_once_the_appraisal_is_signed_off(cast, objective):
    take_to(objective.appraisal, Stage.SIGNED_OFF)
    sam = cast.client("person")
    page = sam.get(GROWTH).content.decode()
    assert "Its appraisal is signed off" in page
    assert reverse("appraisals:objective_progress", args=[objective.pk]) not in page
    address, data = progress(objective)
    response = sam.post(address, data)
    assert response.status_code == 400
    objective.refresh_from_db()
    assert objective.status == "not_started"


def test_not_an_objective_the_manager_is_still_writing(cast, appraisal):
    appraisal = take_to(appraisal, Stage.MANAGER_REVIEW)
    hidden = plans.add_objective(
        appraisal=appraisal,
        by=cast.manager.account,
        confirmed_stage="manager_review",
        title="A draft objective",
    )
    sam = cast.client("person")
    assert "A draft objective" not in sam.get(GROWTH).content.decode()
    # Not shared yet: to Sam it is not there, as on his appraisal's page.
    address, data = progress(hidden)
    assert sam.post(address, data).status_code == 404
    hidden.refresh_from_db()
    assert hidden.status == "not_started"


def test_an_objective_shared_but_not_agreed_waits_for_the_agreement(cast, appraisal):
    appraisal = take_to(appraisal, Stage.MANAGER_REVIEW)
    proposed = plans.add_objective(
        appraisal=appraisal,
        by=cast.manager.account,
        confirmed_stage="manager_review",
        title="A proposed objective",
    )
    take_to(appraisal, Stage.REVIEW_SHARED)
    address, data = progress(proposed)
    refused = cast.client("person").post(address, data)
    assert refused.status_code == 400
    assert "not agreed yet" in refused.content.decode()
    proposed.refresh_from_db()
    assert proposed.status == "not_started"


def test_someone_elses_objective_with_its_own_id_is_not_found(cast, cycle):
    opening = cycles.open_cycle(cycle=cycle, scope=cycles.Scope.everyone())
    tias = next(a for a in opening.created if a.person == cast.other_person)
    theirs = Objective.objects.create(appraisal=tias, title="Tia's")
    address, data = progress(theirs)
    assert cast.client("person").post(address, data).status_code == 404


# --- the manager's later edit of the objective -------------------------------------


def managers_form(cast, objective):
    """Mo's edit page of the objective, and its form's fields as posting it
    back unchanged would send them."""
    address = reverse("appraisals:edit_objective", args=[objective.appraisal_id, objective.pk])
    page = parse(cast.client("manager").get(address))
    form = page.find(".//input[@name='confirmed_progress']/..")
    data = {}
    for field in form.iter():
        name = field.get("name")
        if not name or field.get("type") == "submit":
            continue
        if field.tag == "select":
            data[name] = next(
                o.get("value") for o in field.iter("option") if "selected" in o.attrib
            )
        elif field.tag == "textarea":
            data[name] = (field.text or "").strip()
        elif field.tag == "input":
            data[name] = field.get("value", "")
    return address, data


def test_the_managers_later_edit_keeps_the_persons_progress(cast, objective):
    address, data = managers_form(cast, objective)
    sam_address, sam_data = progress(objective, progress_notes="Two so far.")
    assert cast.client("person").post(sam_address, sam_data).status_code == 302
    # Mo renames it from the form he opened before Sam wrote: Sam's stays.
    data["objective-title"] = "Run every retrospective"
    response = cast.client("manager").post(address, data)
    assert response.status_code == 302
    objective.refresh_from_db()
    assert (objective.title, objective.status, objective.progress_notes) == (
        "Run every retrospective",
        "in_progress",
        "Two so far.",
    )


def test_the_managers_change_of_the_progress_meanwhile_is_refused(cast, objective):
    address, data = managers_form(cast, objective)
    sam_address, sam_data = progress(objective, progress_notes="Two so far.")
    cast.client("person").post(sam_address, sam_data)
    data["objective-progress_notes"] = "Mo's note."
    response = cast.client("manager").post(address, data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "recorded progress on this objective while you were editing it" in page
    assert "now in progress: “Two so far.”" in page
    assert "Mo&#x27;s note." in page or "Mo's note." in page
    objective.refresh_from_db()
    assert objective.progress_notes == "Two so far."
    # Saved again from the page as it is now, Mo's note replaces it knowingly.
    shown = parse(response).find(".//input[@name='confirmed_progress']").get("value")
    again = dict(data, confirmed_progress=shown)
    assert cast.client("manager").post(address, again).status_code == 302
    objective.refresh_from_db()
    assert objective.progress_notes == "Mo's note."
