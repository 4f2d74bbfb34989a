"""The team heatmap, finding people by skill and level, and readiness:
who may see each page (the cast: HR, the manager, the manager's manager,
the person, another manager, another member of staff, anonymous), what
they show (agreed ratings only, the latest agreed appraisal, matched by
catalogue item) and their query counts with 1 and with 50 people."""

from datetime import date

import pytest
from django.urls import reverse

from appraisals import cycles, insight
from appraisals.access import visible_sides
from appraisals.models import Appraisal, Requirement, Stage
from competency.models import Depth, KnowledgeItem
from tests import factories
from tests.appraisals.helpers import rows
from tests.cast import ROLES, agree, agree_directly, fresh, published_profile, take_to
from tests.markup import parse
from tests.markup import text as words_of

pytestmark = pytest.mark.django_db

HEATMAP = reverse("insight:heatmap")
FIND = reverse("insight:find_people")
AGILE = "Agile working"


@pytest.fixture
def sams(appraisal, cast):
    """Sam's appraisal agreed: Agile working (Proficient required) rated
    Familiar, Systems design (Practitioner) rated Expert, Team dynamics
    (no level) Shown, Formal appraisals not rated."""
    return agree(appraisal, skill=4, knowledge=2, behavioural=2, activity=None)


@pytest.fixture
def tias(cast, cycle):
    (appraisal,) = cycles.open_cycle(
        cycle=cycle, scope=cycles.Scope.team(cast.other_manager)
    ).created
    agree_directly(appraisal, 3)
    return appraisal


# --- the heatmap --------------------------------------------------------------------

# Whose rows each viewer sees on their own heatmap (None: 404).
HEATMAP_ROWS = {
    "hr": {"Bea", "Mo", "Olu", "Sam", "Tia"},
    "head": {"Mo", "Olu", "Sam", "Tia"},
    "manager": {"Sam"},
    "person": None,
    "other_manager": {"Tia"},
    "other_person": None,
}


@pytest.mark.parametrize("role", ROLES)
def test_who_sees_which_rows_of_the_heatmap(cast, sams, tias, role):
    response = cast.client(role).get(HEATMAP)
    if role == "anonymous":
        assert response.status_code == 302 and "/sign-in/" in response.url
        return
    expected = HEATMAP_ROWS[role]
    if expected is None:
        assert response.status_code == 404
        return
    assert response.status_code == 200
    shown = {row.person.name for row in response.context["heatmap"].rows}
    assert shown == expected


def test_a_manager_naming_another_team_in_the_filter_finds_nobody(cast, sams, tias):
    client = cast.client("manager")
    for named in ["Olu", cast.other_manager.employee_id, "Tia", "nobody at all"]:
        response = client.get(HEATMAP, {"manager": named})
        assert response.context["manager"] is None
        # Whom they may not see is the same as nobody: their own line is shown.
        assert response.context["form"].errors["manager"] == [
            f"No manager in your reporting line matches “{named}”: enter their name or employee id"
        ]
        assert {row.person.name for row in response.context["heatmap"].rows} == {"Sam"}


def test_the_managers_manager_and_hr_choose_a_team_below(cast, sams, tias):
    for role in ("head", "hr"):
        for named in [
            "olu",
            cast.other_manager.employee_id,
            f"Olu ({cast.other_manager.employee_id})",
        ]:
            response = cast.client(role).get(HEATMAP, {"manager": named})
            assert {row.person.name for row in response.context["heatmap"].rows} == {"Tia"}


def test_hr_filter_by_job_family(cast, sams, tias, ddat):
    family = factories.JobFamilyFactory(name="Data")
    other = published_profile(ddat, title="Data Engineer", family=family)
    factories.PersonFactory(name="Dee", line_manager=cast.other_manager, role_profile=other)
    response = cast.client("hr").get(HEATMAP, {"family": family.slug})
    assert {row.person.name for row in response.context["heatmap"].rows} == {"Dee"}
    # A manager's heatmap ignores the family filter, which is HR's.
    response = cast.client("other_manager").get(HEATMAP, {"family": family.slug})
    assert {row.person.name for row in response.context["heatmap"].rows} == {"Dee", "Tia"}


def test_cells_say_the_gap_in_words_and_symbols(cast, sams):
    response = cast.client("manager").get(HEATMAP)
    (row,) = response.context["heatmap"].rows
    cells = {
        column.kind_label: cell
        for column, cell in zip(response.context["heatmap"].columns, row.cells, strict=True)
    }
    assert cells["Organisation skill"].state == "above"
    assert cells["Knowledge item"].state == "below"
    assert (cells["Knowledge item"].rating, cells["Knowledge item"].required) == (
        "Familiar with",
        "Proficient in",
    )
    assert cells["Behavioural item"].state == "no_level"
    assert cells["Behavioural item"].rating == "Shown"
    assert cells["Work activity"].state == "not_rated"
    html = response.content.decode()
    for text in ("▲", "Above", "▼", "Below", "–", "Not rated", "required Proficient in"):
        assert text in html
    assert '<th scope="col"' in html and '<th scope="row"' in html
    assert 'id="heatmap-caption"' in html


def test_a_wide_heatmap_is_a_named_scrolling_region_with_a_hint(cast, sams):
    response = cast.client("manager").get(HEATMAP)
    assert len(response.context["heatmap"].columns) == 4
    page = parse(response)
    # The table's name is a heading above the region, which is a tab stop
    # (keyboard users scroll it) named by that heading; the table keeps its
    # caption for screen readers' table navigation.
    (heading,) = [h for h in page.iter("h2") if h.get("id") == "heatmap-caption"]
    assert words_of(heading) == "Gaps by person and requirement, 1 person"
    (region,) = [d for d in page.iter("div") if d.get("role") == "region"]
    assert region.get("aria-labelledby") == "heatmap-caption" and region.get("tabindex") == "0"
    assert "app-scroll-cue" in region_parent_classes(page, region)
    caption = region.find(".//caption")
    assert words_of(caption) == words_of(heading)
    assert "govuk-visually-hidden" in caption.get("class")
    assert (
        "4 requirements, one a column. Where the table is wider than the window, scroll it sideways"
    ) in words_of(page)


def region_parent_classes(page, region):
    parents = {child: parent for parent in page.iter() for child in parent}
    return parents[region].get("class", "")


def test_only_agreed_appraisals_count(cast, appraisal):
    reviewing = take_to(appraisal, Stage.MANAGER_REVIEW)
    reviewing.requirements.update(manager_rating=1)
    response = cast.client("manager").get(HEATMAP)
    (row,) = response.context["heatmap"].rows
    assert row.appraisal_id is None and row.cells == []
    assert "No agreed appraisal yet" in response.content.decode()


def test_the_latest_agreed_appraisal_counts(cast, sams):
    later = factories.CycleFactory(
        name="Annual review 2026", opens_on=date(2026, 4, 1), closes_on=date(2026, 6, 30)
    )
    (newer,) = cycles.open_cycle(
        cycle=later, scope=cycles.Scope.team(cast.manager), overlapping=cycles.ADD
    ).created
    agree_directly(newer, 3)
    (row,) = cast.client("manager").get(HEATMAP).context["heatmap"].rows
    assert row.appraisal_id == newer.pk
    assert row.cycle == "Annual review 2026"


def test_everyone_who_reads_an_agreed_appraisal_reads_its_managers_side(cast, sams):
    """The pages show agreed ratings to whoever may read the appraisal:
    that is safe because the core shows them the manager's side from agreed."""
    for role in ("hr", "manager", "head", "person"):
        assert visible_sides(cast.user(role), fresh(sams)).manager_assessment


def team_of(cast, cycle, count):
    people = [
        factories.PersonFactory(
            name=f"Report {n:02}", line_manager=cast.manager, role_profile=cast.person.role_profile
        )
        for n in range(count)
    ]
    for appraisal in cycles.open_cycle(
        cycle=cycle, scope=cycles.Scope.team(cast.manager), overlapping=cycles.ADD
    ).created:
        agree_directly(appraisal, 2)
    return people


# Session, user (with whether they are HR), the navigation's signed-in person,
# whether anyone reports to them, the reporting line's count and page (with
# each one's latest agreed appraisal), and their requirements.
HEATMAP_QUERIES = 7


@pytest.mark.parametrize("count", [1, 50])
def test_heatmap_queries_do_not_grow_with_the_team(cast, cycle, count, django_assert_num_queries):
    Appraisal.objects.all().delete()
    cast.person.line_manager = None
    cast.person.save()
    team_of(cast, cycle, count)
    client = cast.client("manager")
    with django_assert_num_queries(HEATMAP_QUERIES):
        response = client.get(HEATMAP)
    assert len(response.context["heatmap"].rows) == count
    assert len(response.context["heatmap"].columns) == 4


def test_heatmap_pages_of_fifty_people(cast, cycle):
    team_of(cast, cycle, 51)
    response = cast.client("manager").get(HEATMAP, {"page": 2})
    assert [row.person.name for row in response.context["heatmap"].rows] == ["Report 50", "Sam"]
    assert "people 51 to 52 of 52" in response.content.decode()


# --- find people by skill and level ----------------------------------------------------


def agile(cast):
    return KnowledgeItem.objects.get(title=AGILE)


def find(client, item, level, kind="knowledge"):
    return client.get(FIND, {"kind": kind, "item": item.pk, "level": level})


FINDS = {
    "hr": {"Sam", "Tia"},
    "head": {"Sam", "Tia"},
    "manager": {"Sam"},
    "other_manager": {"Tia"},
    "person": None,
    "other_person": None,
}


@pytest.mark.parametrize("role", ROLES)
def test_who_finds_whom(cast, sams, tias, role):
    response = find(cast.client(role), agile(cast), 1)
    if role == "anonymous":
        assert response.status_code == 302
        return
    if FINDS[role] is None:
        # Staff have no team to search: the page is not theirs at all.
        assert response.status_code == 404
        return
    names = {row.appraisal.person.name for row in response.context["page_obj"]}
    assert names == FINDS[role]


def test_found_by_the_minimum_level_of_their_agreed_rating(cast, sams, tias):
    client = cast.client("hr")
    # Sam's agreed Agile working is Familiar with (2), Tia's Proficient in (3).
    assert [r.appraisal.person.name for r in find(client, agile(cast), 2).context["page_obj"]] == [
        "Tia",
        "Sam",
    ]
    response = find(client, agile(cast), Depth.rank("proficient"))
    assert [r.appraisal.person.name for r in response.context["page_obj"]] == ["Tia"]
    assert "1 person at Proficient in or above in Agile working" in response.content.decode()


def test_a_later_lower_rating_replaces_an_earlier_one(cast, sams, tias):
    later = factories.CycleFactory(
        name="Annual review 2026", opens_on=date(2026, 4, 1), closes_on=date(2026, 6, 30)
    )
    (newer,) = cycles.open_cycle(
        cycle=later, scope=cycles.Scope.team(cast.other_manager), overlapping=cycles.ADD
    ).created
    agree_directly(newer, 1)
    response = find(cast.client("hr"), agile(cast), 3)
    assert list(response.context["page_obj"]) == []
    response = find(cast.client("hr"), agile(cast), 1)
    tia = next(r for r in response.context["page_obj"] if r.appraisal.person.name == "Tia")
    assert tia.appraisal_id == newer.pk


def test_ratings_not_yet_agreed_are_not_found(cast, appraisal):
    reviewing = take_to(appraisal, Stage.MANAGER_REVIEW)
    reviewing.requirements.update(manager_rating=4)
    response = find(cast.client("hr"), agile(cast), 1)
    assert list(response.context["page_obj"]) == []


def test_skills_are_found_on_their_frameworks_levels(cast, sams):
    skill = rows(sams)[Requirement.Kind.ORGANISATION_SKILL].skill
    response = find(cast.client("manager"), skill, 4, kind="skill")
    assert [r.appraisal.person.name for r in response.context["page_obj"]] == ["Sam"]
    assert [name for _, name in response.context["levels"]] == [
        "Awareness",
        "Working",
        "Practitioner",
        "Expert",
    ]


def test_the_search_box_lists_matching_items(cast, sams):
    response = cast.client("manager").get(FIND, {"q": "agile"})
    names = [name for _, _, name, _ in response.context["found_items"]]
    assert AGILE in names
    assert "?kind=knowledge&amp;item=" in response.content.decode()


def test_bad_choices_say_what_is_wrong(cast, sams):
    client = cast.client("manager")
    response = client.get(FIND, {"kind": "knowledge", "item": "9999999", "level": 1})
    assert "was not found" in response.content.decode()
    assert "page_obj" not in response.context
    response = client.get(FIND, {"kind": "knowledge", "item": agile(cast).pk, "level": "7"})
    assert "Choose the lowest level" in response.content.decode()
    assert response.content.decode().startswith("<!DOCTYPE html>")
    assert "<title>Error:" in response.content.decode()


# Session, user (with whether they are HR), the navigation's signed-in person,
# whether anyone reports to them, the item, its scale's levels, the ranking
# (the count and the order at once) and the page's rows.
FIND_QUERIES = 7


@pytest.mark.parametrize("count", [1, 50])
def test_find_people_queries_do_not_grow(cast, cycle, count, django_assert_num_queries):
    Appraisal.objects.all().delete()
    cast.person.line_manager = None
    cast.person.save()
    team_of(cast, cycle, count)
    client = cast.client("manager")
    item = agile(cast)
    with django_assert_num_queries(FIND_QUERIES):
        response = find(client, item, 2)
    assert response.context["page_obj"].paginator.count == count


# --- readiness ------------------------------------------------------------------------


@pytest.fixture
def lead(ddat, profile):
    """The next level: shares Agile working (Proficient), Team dynamics and
    Formal appraisals with Sam's profile; its skill is one Sam was never rated on."""
    return published_profile(ddat, title="Lead Platform Engineer", family=profile.job_family)


def readiness_url(person, **query):
    return reverse("insight:readiness", args=[person.pk])


READS_SAMS = {"hr", "manager", "head", "person"}


@pytest.mark.parametrize("role", ROLES)
def test_who_sees_sams_readiness(cast, sams, lead, role):
    response = cast.client(role).get(readiness_url(cast.person), {"profile": lead.slug})
    if role == "anonymous":
        assert response.status_code == 302
    elif role in READS_SAMS:
        assert response.status_code == 200
    else:
        assert response.status_code == 404


def test_readiness_meets_needs_and_unknown(cast, sams, lead):
    response = cast.client("person").get(readiness_url(cast.person), {"profile": lead.slug})
    result = response.context["result"]
    assert [n.title for n in result.needs] == [AGILE]
    assert result.needs[0].shortfall == 1
    assert result.meets == []
    assert [n.title for n in result.unknown] == ["Systems design Lead Platform Engineer"]
    assert {n.title: n.rating for n in result.no_level} == {
        "Formal appraisals": None,
        "Team dynamics": "Shown",
    }
    html = response.content.decode()
    assert "Your readiness" in html and "1 unknown (never rated)" in html


def test_readiness_against_the_persons_own_profile(cast, sams):
    result = insight.readiness(cast.person, cast.person.role_profile.published_version)
    assert [n.title for n in result.meets] == [f"Systems design {cast.person.role_profile}"]
    assert [n.title for n in result.needs] == [AGILE]


def test_readiness_offers_the_job_family_and_a_search(cast, sams, lead):
    client = cast.client("manager")
    response = client.get(readiness_url(cast.person), {"q": "lead platform"})
    assert [p.slug for p in response.context["found"]] == [lead.slug]
    response = client.get(readiness_url(cast.person))
    assert lead in response.context["suggested"]


def test_an_unknown_profile_is_404(cast, sams):
    response = cast.client("manager").get(readiness_url(cast.person), {"profile": "nope"})
    assert response.status_code == 404


def test_readiness_queries_are_fixed(cast, sams, lead, django_assert_num_queries):
    client = cast.client("manager")
    # Session, user (with whether they are HR), the navigation's signed-in
    # person, the person, the profile, its version's catalogue items (work
    # activities, knowledge, skills, levels, level texts), the person's ratings
    # of them, and the suggestions.
    with django_assert_num_queries(12):
        client.get(readiness_url(cast.person), {"profile": lead.slug})


def test_heatmap_cells_escape_what_the_database_holds(cast, sams):
    sams.requirements.filter(kind=Requirement.Kind.KNOWLEDGE).update(
        required_label="<b>Proficient</b>"
    )
    html = cast.client("manager").get(HEATMAP).content.decode()
    assert "<b>Proficient</b>" not in html
    assert "&lt;b&gt;Proficient&lt;/b&gt;" in html
