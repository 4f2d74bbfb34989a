"""Which skills and knowledge items a training item or PDA develops: HR
say it on the catalogue page and through the API; imports that reuse an
item keep it; every change is in the item's history."""

import json

import pytest
from django.urls import reverse

from competency import developing
from competency.models import KnowledgeItem, Skill, Training
from tests import factories
from tests.api.helpers import assert_problem, rows
from tests.cast import client_as
from tests.paths import OWN_PAGE
from tests.profiles.helpers import run

pytestmark = pytest.mark.django_db


@pytest.fixture
def course(db):
    return factories.TrainingFactory(title="Kubernetes in practice")


@pytest.fixture
def targets(db):
    skill = factories.SkillFactory(name="Container orchestration")
    knowledge = factories.KnowledgeItemFactory(title="Containers and orchestration")
    factories.KnowledgeItemFactory(title="Budgeting")
    return skill, knowledge


def page(kind, item):
    return reverse("catalogue:component", args=[kind, item.pk])


def change(kind, item):
    return reverse("catalogue:change_developed", args=[kind, item.pk])


# --- the catalogue page ------------------------------------------------------------


def test_hr_find_add_and_remove_what_a_training_item_develops(hr, course, targets):
    skill, knowledge = targets
    first = hr.get(page("training", course))
    assert "Nothing yet" in first.content.decode()
    found = hr.get(page("training", course), {"find": "contain"}).content.decode()
    assert f'value="skill-{skill.pk}"' in found
    assert f'value="knowledge-{knowledge.pk}"' in found
    assert "Budgeting" not in found
    for value in (f"skill-{skill.pk}", f"knowledge-{knowledge.pk}"):
        response = hr.post(change("training", course), {"add": value})
        assert response.status_code == 302
        assert response["Location"] == page("training", course) + "#develops"
    assert list(course.develops_skills.all()) == [skill]
    assert list(course.develops_knowledge.all()) == [knowledge]
    shown = hr.get(page("training", course), {"find": "contain"}).content.decode()
    assert 'value="remove" ' not in shown
    assert f'name="remove" value="skill-{skill.pk}"' in shown
    # What it already develops is not offered again.
    assert f'name="add" value="skill-{skill.pk}"' not in shown
    # Adding twice changes nothing; removing takes it away.
    hr.post(change("training", course), {"add": f"skill-{skill.pk}"})
    hr.post(change("training", course), {"remove": f"knowledge-{knowledge.pk}"})
    assert list(course.develops_skills.all()) == [skill]
    assert not course.develops_knowledge.exists()
    history = hr.get(page("training", course)).context["history"]
    assert [entry["what"] for entry in history[:3]] == [
        f"Develops {knowledge.title}: removed",
        f"Develops {knowledge.title}: added",
        f"Develops {skill.name}: added",
    ]


def test_a_pda_develops_skills_too(hr, targets):
    skill, _ = targets
    pda = factories.DevelopmentActivityFactory()
    hr.post(change("pdas", pda), {"add": f"skill-{skill.pk}"})
    assert list(pda.develops_skills.all()) == [skill]
    assert skill.name in hr.get(page("pdas", pda)).content.decode()


@pytest.mark.parametrize("value", ["skill-999999", "widget-1", "skill-x", "", "skill-1e3"])
def test_a_made_up_choice_is_refused_and_changes_nothing(hr, course, value):
    before = rows()
    response = hr.post(change("training", course), {"add": value})
    assert response.status_code == 400
    assert "Choose a skill or knowledge item from the list." in response.content.decode()
    assert rows() == before


def test_other_kinds_develop_nothing(hr, targets):
    skill, _ = targets
    activity = factories.WorkActivityFactory()
    assert 'id="develops"' not in hr.get(page("work-activities", activity)).content.decode()
    response = hr.post(change("work-activities", activity), {"add": f"skill-{skill.pk}"})
    assert response.status_code == 404


def test_only_hr_change_it(staff, manager_user, course, targets):
    skill, _ = targets
    assert staff.post(change("training", course), {"add": f"skill-{skill.pk}"}).status_code == 403
    manager = client_as(manager_user)
    assert manager.post(change("training", course), {"add": f"skill-{skill.pk}"}).status_code == 403
    anonymous = client_as(None).post(change("training", course), {"add": f"skill-{skill.pk}"})
    assert anonymous.status_code == 302
    assert not course.develops_skills.exists()


def test_a_get_changes_nothing(hr, course, targets):
    skill, _ = targets
    assert hr.get(change("training", course), {"add": f"skill-{skill.pk}"}).status_code == 405
    assert not course.develops_skills.exists()


def test_an_unknown_item_is_not_found(hr, targets):
    skill, _ = targets
    missing = reverse("catalogue:change_developed", args=["training", 999999])
    assert hr.post(missing, {"add": f"skill-{skill.pk}"}).status_code == 404


# --- imports keep it ---------------------------------------------------------------


def test_an_import_reusing_an_item_keeps_what_it_develops(ddat):
    run("import_profile", str(OWN_PAGE))
    item = Training.objects.order_by("pk").first()
    skill = Skill.objects.order_by("pk").first()
    developing.add_developed(item=item, skill=skill)
    run("import_profile", str(OWN_PAGE), "--publish")
    assert Training.objects.filter(title=item.title).get() == item
    assert list(item.develops_skills.all()) == [skill]


# --- the API -----------------------------------------------------------------------


def api_path(kind, item, tail=""):
    return f"/api/v1/{kind}/{item.pk}/{tail}"


def test_the_api_reads_what_an_item_develops_in_its_list_and_its_own_resource(
    hr_api, course, targets
):
    skill, knowledge = targets
    developing.add_developed(item=course, skill=skill)
    developing.add_developed(item=course, knowledge_item=knowledge)
    listed = hr_api.get("/api/v1/training/").json()["results"]
    wanted = {
        "skills": [{"id": skill.pk, "name": skill.name, "framework": skill.framework.slug}],
        "knowledge_items": [{"id": knowledge.pk, "title": knowledge.title, "kind": "technical"}],
    }
    assert [row["develops"] for row in listed] == [wanted]
    response = hr_api.get(api_path("training", course, "develops/"))
    assert response.json() == wanted
    again = hr_api.get(
        api_path("training", course, "develops/"), HTTP_IF_NONE_MATCH=response["ETag"]
    )
    assert again.status_code == 304


def test_the_api_replaces_what_an_item_develops_with_if_match(hr_api, course, targets):
    skill, knowledge = targets
    address = api_path("training", course, "develops/")
    tag = hr_api.get(address)["ETag"]
    body = {"skills": [skill.pk], "knowledge_items": [knowledge.pk]}
    assert_problem(hr_api.put(address, body, format="json"), 428)
    response = hr_api.put(address, body, format="json", HTTP_IF_MATCH=tag)
    assert response.status_code == 200, response.content
    assert response.json()["skills"][0]["id"] == skill.pk
    assert response["ETag"] != tag
    # The old tag is stale now: nothing changes.
    stale = hr_api.put(
        address, {"skills": [], "knowledge_items": []}, format="json", HTTP_IF_MATCH=tag
    )
    assert_problem(stale, 412)
    assert list(course.develops_skills.all()) == [skill]
    assert course.history.first().history_change_reason.startswith("Develops: now 1 skill")


def test_the_api_names_an_unknown_id(hr_api, course):
    address = api_path("training", course, "develops/")
    tag = hr_api.get(address)["ETag"]
    response = hr_api.put(
        address, {"skills": [999999], "knowledge_items": []}, format="json", HTTP_IF_MATCH=tag
    )
    body = assert_problem(response, 400)
    assert body["errors"][0]["pointer"] == "#/skills"
    assert not course.develops_skills.exists()


@pytest.mark.parametrize("role", ["manager_api", "staff_api"])
def test_only_hr_use_it_in_the_api(request, role, course, targets):
    skill, _ = targets
    client = request.getfixturevalue(role)
    address = api_path("training", course, "develops/")
    assert_problem(client.get(address), 403)
    response = client.put(
        address,
        json.dumps({"skills": [skill.pk], "knowledge_items": []}),
        content_type="application/json",
        HTTP_IF_MATCH="*",
    )
    assert_problem(response, 403)
    assert not course.develops_skills.exists()


def test_other_kinds_have_no_develops_in_the_api(hr_api):
    activity = factories.WorkActivityFactory()
    assert_problem(hr_api.get(api_path("work-activities", activity, "develops/")), 404)
    assert "develops" not in hr_api.get(api_path("work-activities", activity)).json()


def test_the_list_reads_the_links_in_two_queries_whatever_their_number(
    hr_api, django_assert_max_num_queries
):
    for _ in range(10):
        item = factories.TrainingFactory()
        item.develops_skills.add(factories.SkillFactory())
        item.develops_knowledge.add(factories.KnowledgeItemFactory())
    with django_assert_max_num_queries(8):
        response = hr_api.get("/api/v1/training/")
    assert len(response.json()["results"]) == 10
    assert KnowledgeItem.objects.count() == 10


def test_a_search_too_long_is_explained_beside_the_box(hr, course):
    response = hr.get(page("training", course), {"find": "x" * 500})
    assert response.status_code == 200
    assert response.context["forms_with_errors"]
    assert "There is a problem" in response.content.decode()


def test_the_admin_shows_it_and_leaves_changing_it_to_the_catalogue_page(course, targets):
    skill, _ = targets
    developing.add_developed(item=course, skill=skill)
    admin = client_as(factories.UserFactory(username="root", is_superuser=True, is_staff=True))
    page = admin.get(reverse("admin:competency_training_change", args=[course.pk])).content.decode()
    assert skill.name in page
    assert 'name="develops_skills"' not in page
