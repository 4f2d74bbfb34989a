"""Choosing a person or a manager by name (appraisals.forms.PersonField)
on every page that asks for one, without JavaScript: the name or employee id
typed, radios when several match, a clear error when none does, and what was
typed kept. The autocomplete's suggestions (people_suggestions) find only
whom the reader may see. The cast: Bea heads Mo (Sam) and Olu (Tia); Harriet
is HR."""

import pytest
from django.urls import reverse

from appraisals import cycles
from appraisals.models import Appraisal, Person
from tests import factories
from tests.appraisals.helpers import shown_data
from tests.cast import person

pytestmark = pytest.mark.django_db

SUGGEST = reverse("appraisals:people_suggestions")
HEATMAP = reverse("insight:heatmap")


def open_url(cycle):
    return reverse("appraisals:cycle_open", kwargs={"pk": cycle.pk})


def named(people):
    return [p.name for p in people]


# --- opening a cycle for a team (the "Mo Khan") ---------------------------------


def test_a_team_is_chosen_by_its_managers_whole_name(cast, cycle):
    Person.objects.filter(pk=cast.manager.pk).update(name="Mo Khan")
    page = cast.client("hr").post(open_url(cycle), {"scope": "team", "manager": "Mo Khan"})
    assert page.status_code == 200 and page.context["creates"] == 1
    # The confirmation sends the manager back as the suggestion's own text.
    html = page.content.decode()
    assert f'name="manager" value="Mo Khan ({cast.manager.employee_id})"' in html
    done = cast.client("hr").post(
        open_url(cycle),
        {"scope": "team", "manager": f"Mo Khan ({cast.manager.employee_id})", "confirmed": "1"},
    )
    assert done.status_code == 302
    assert [a.person for a in Appraisal.objects.all()] == [cast.person]


def test_a_team_is_chosen_by_part_of_a_name_or_an_employee_id_in_any_case(cast, cycle):
    client = cast.client("hr")
    for typed in ["olu", cast.other_manager.employee_id.lower(), "  OLU  "]:
        page = client.post(open_url(cycle), {"scope": "team", "manager": typed})
        assert page.context["creates"] == 1, typed
        assert page.context["scope"].target == cast.other_manager


def test_several_managers_matching_come_back_as_radios_to_choose_from(cast, cycle):
    Person.objects.filter(pk=cast.manager.pk).update(name="Mo Khan")
    Person.objects.filter(pk=cast.other_manager.pk).update(name="Mo Khanna")
    client = cast.client("hr")
    page = client.post(open_url(cycle), {"scope": "team", "manager": "khan"})
    form = page.context["form"]
    assert form.errors["manager"] == ["2 people match “khan”: choose one"]
    assert named(form.fields["manager"].matches) == ["Mo Khan", "Mo Khanna"]
    html = page.content.decode()
    assert 'value="khan"' in html  # what was typed, kept
    assert "Which one do you mean?" in html
    assert f'name="manager-choice" type="radio" value="{cast.other_manager.pk}"' in html
    assert f"{cast.other_manager.employee_id}, Engineer" in html  # each radio's hint
    # Choosing one goes on to the confirmation, for that manager's team.
    page = client.post(
        open_url(cycle),
        {"scope": "team", "manager": "khan", "manager-choice": str(cast.other_manager.pk)},
    )
    assert page.context["scope"].target == cast.other_manager
    assert page.context["creates"] == 1


def test_a_whole_name_is_taken_though_a_longer_one_contains_it(cast, cycle):
    Person.objects.filter(pk=cast.manager.pk).update(name="Mo Khan")
    Person.objects.filter(pk=cast.other_manager.pk).update(name="Mo Khanna")
    page = cast.client("hr").post(open_url(cycle), {"scope": "team", "manager": "mo khan"})
    assert page.context["scope"].target == cast.manager


def test_a_radio_counts_only_while_the_text_still_matches_it(cast, cycle):
    page = cast.client("hr").post(
        open_url(cycle),
        {"scope": "team", "manager": "Olu", "manager-choice": str(cast.manager.pk)},
    )
    assert page.context["scope"].target == cast.other_manager


def test_nobody_matching_is_a_clear_error_with_what_was_typed_kept(cast, cycle):
    page = cast.client("hr").post(open_url(cycle), {"scope": "team", "manager": "Zed Nobody"})
    assert page.context["form"].errors["manager"] == [
        "No manager matches “Zed Nobody”: enter their name or employee id"
    ]
    html = page.content.decode()
    assert 'value="Zed Nobody"' in html and "<title>Error: " in html
    # Staff are no manager: their name finds no team.
    page = cast.client("hr").post(open_url(cycle), {"scope": "team", "manager": "Sam"})
    assert "No manager matches “Sam”" in page.context["form"].errors["manager"][0]


def test_an_empty_manager_for_a_team_asks_for_one_and_counts_for_nothing_else(cast, cycle):
    client = cast.client("hr")
    page = client.post(open_url(cycle), {"scope": "team", "manager": ""})
    assert page.context["form"].errors["manager"] == [
        "Enter the line manager's name or employee id"
    ]
    # Left over from choosing a team first: no error for everyone.
    page = client.post(open_url(cycle), {"scope": "everyone", "manager": "Zed"})
    assert page.context["creates"] == 4


def test_more_than_ten_matching_shows_the_first_ten_and_says_to_type_more(cast, appraisal):
    for n in range(11):
        factories.PersonFactory(name=f"Kim {n:02}")
    url = reverse(
        "appraisals:reassign", kwargs={"pk": appraisal.cycle.pk, "appraisal_pk": appraisal.pk}
    )
    page = cast.client("hr").post(url, {"manager": "kim", "confirmed_stage": "draft"})
    form = page.context["form"]
    assert form.errors["manager"] == [
        "More than 10 people match “kim”: choose one of these, or type more of their name"
    ]
    assert named(form.fields["manager"].matches) == [f"Kim {n:02}" for n in range(10)]


# --- reassigning, the person form, the filters ------------------------------------------


def test_reassign_to_a_manager_chosen_by_name(cast, appraisal):
    url = reverse(
        "appraisals:reassign", kwargs={"pk": appraisal.cycle.pk, "appraisal_pk": appraisal.pk}
    )
    data = {"manager": "olu", "reason": "Moved", "confirmed_stage": "draft"}
    assert cast.client("hr").post(url, data).status_code == 302
    appraisal.refresh_from_db()
    assert appraisal.manager == cast.other_manager


def test_someone_who_has_left_is_not_chosen(cast, appraisal):
    Person.objects.filter(pk=cast.other_manager.pk).update(leaving_date="2024-06-01")
    url = reverse(
        "appraisals:reassign", kwargs={"pk": appraisal.cycle.pk, "appraisal_pk": appraisal.pk}
    )
    data = {"manager": "Olu", "reason": "", "confirmed_stage": "draft"}
    page = cast.client("hr").post(url, data)
    assert page.context["form"].errors["manager"] == [
        "No one matches “Olu”: enter their name or employee id"
    ]


def test_the_person_form_shows_and_takes_a_line_manager_by_name(cast):
    client = cast.client("hr")
    url = reverse("appraisals:person_edit", kwargs={"pk": cast.person.pk})
    html = client.get(url).content.decode()
    assert f'value="Mo ({cast.manager.employee_id})"' in html
    assert 'data-module="app-choose"' in html and f'data-source="{SUGGEST}"' in html
    data = shown_data(client.get(url).context["form"])
    data["manager"] = "Olu"
    assert client.post(url, data).status_code == 302
    cast.person.refresh_from_db()
    assert cast.person.line_manager == cast.other_manager


def test_the_cycle_view_filters_by_a_team_chosen_by_name(cast, cycle):
    cycles.open_cycle(cycle=cycle, scope=cycles.Scope.everyone())
    url = reverse("appraisals:cycle", kwargs={"pk": cycle.pk})
    page = cast.client("hr").get(url, {"team": "mo"})
    assert [appraisal.person for appraisal, _ in page.context["rows"]] == [cast.person]
    page = cast.client("hr").get(url, {"team": "nobody"})
    assert "No manager matches “nobody”" in page.context["form"].errors["team"][0]


def test_the_people_list_filters_by_a_manager_chosen_by_name_among_those_seen(cast):
    url = reverse("appraisals:people")
    page = cast.client("head").get(url, {"manager": "olu"})
    assert named(page.context["page_obj"]) == ["Tia"]
    # Mo sees only his own line: Olu is nobody to him.
    page = cast.client("manager").get(url, {"manager": "olu"})
    assert page.context["form"].errors["manager"] == [
        "No manager in your reporting line matches “olu”: enter their name or employee id"
    ]
    assert named(page.context["page_obj"]) == ["Mo", "Sam"]


def test_the_heatmap_takes_a_team_by_name_within_the_readers_line(cast):
    page = cast.client("head").get(HEATMAP, {"manager": "olu"})
    assert page.context["manager"] == cast.other_manager
    page = cast.client("manager").get(HEATMAP, {"manager": "olu"})
    assert page.context["manager"] is None
    assert (
        "No manager in your reporting line matches “olu”"
        in (page.context["form"].errors["manager"][0])
    )


# --- the suggestions ------------------------------------------------------------------


def suggested(client, q, **params):
    response = client.get(SUGGEST, {"q": q, **params})
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, max-age=60"
    return [row["name"] for row in response.json()["results"]]


def test_suggestions_are_the_people_the_reader_may_see(cast):
    # Everyone has an "e" or an "a"... the cast's names: Bea, Mo, Olu, Sam, Tia.
    assert suggested(cast.client("hr"), "a") == ["Bea", "Sam", "Tia"]
    assert suggested(cast.client("head"), "a") == ["Bea", "Sam", "Tia"]
    assert suggested(cast.client("manager"), "a") == ["Sam"]
    assert suggested(cast.client("manager"), "tia") == []
    assert suggested(cast.client("manager"), cast.other_person.employee_id) == []
    assert suggested(cast.client("other_manager"), "o") == ["Olu"]


def test_a_suggestion_is_the_text_the_field_takes(cast):
    (row,) = cast.client("hr").get(SUGGEST, {"q": "sam"}).json()["results"]
    assert row == {
        "value": f"Sam ({cast.person.employee_id})",
        "name": "Sam",
        "hint": f"{cast.person.employee_id}, Engineer",
    }


def test_suggested_managers_are_only_people_with_reports(cast):
    assert suggested(cast.client("hr"), "a", managers="1") == ["Bea"]
    assert suggested(cast.client("hr"), "o", managers="1") == ["Mo", "Olu"]


def test_an_exact_employee_id_comes_first_and_suggestions_are_bounded(cast):
    for n in range(12):
        factories.PersonFactory(name=f"Ann {n:02}", employee_id=f"ANN{n:02}")
    Person.objects.filter(pk=cast.person.pk).update(employee_id="ann")
    names = suggested(cast.client("hr"), "ann")
    assert len(names) == 10 and names[0] == "Sam"


def test_leavers_are_not_suggested(cast):
    Person.objects.filter(pk=cast.person.pk).update(leaving_date="2024-06-01")
    assert suggested(cast.client("hr"), "sam") == []


@pytest.mark.parametrize("role", ["person", "other_person"])
def test_staff_who_manage_nobody_get_404(cast, role):
    assert cast.client(role).get(SUGGEST, {"q": "a"}).status_code == 404


def test_signed_out_people_are_sent_to_sign_in_and_only_get_is_allowed(cast):
    response = cast.client("anonymous").get(SUGGEST, {"q": "a"})
    assert response.status_code == 302 and response["Location"].startswith("/sign-in/")
    assert cast.client("hr").post(SUGGEST, {"q": "a"}).status_code == 405


def test_an_empty_or_huge_query_suggests_nothing(cast):
    assert suggested(cast.client("hr"), "") == []
    assert suggested(cast.client("hr"), "   ") == []
    assert suggested(cast.client("hr"), "a" * 5000) == []


def test_a_new_manager_is_suggested_once_they_have_a_report(cast):
    nia = person("Nia", profile=cast.person.role_profile)
    assert suggested(cast.client("hr"), "nia", managers="1") == []
    factories.PersonFactory(name="Report", line_manager=nia)
    assert suggested(cast.client("hr"), "nia", managers="1") == ["Nia"]
