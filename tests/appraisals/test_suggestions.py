"""A development plan aimed at the gap: the appraisal page's and the API's
suggestions list what develops each gap's item first, and each suggestion
adds itself, to that gap's requirement."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from appraisals import workflow
from appraisals.models import Stage
from competency import developing
from competency.models import DevelopmentActivity, Training
from tests import factories
from tests.appraisals.helpers import rows, url
from tests.cast import take_to
from tests.markup import parse, text

pytestmark = pytest.mark.django_db


@pytest.fixture
def gaps(cast, appraisal):
    """Sam's appraisal at manager review, its skill two levels below what is
    required and its knowledge item one; the PDA develops the skill."""
    appraisal = take_to(appraisal, Stage.MANAGER_REVIEW)
    found = rows(appraisal)
    skill, knowledge = found["organisation_skill"], found["knowledge"]
    workflow.save_manager_ratings(
        appraisal=appraisal,
        by=cast.manager.account,
        confirmed_stage="manager_review",
        ratings={skill.pk: {"rating": 1}, knowledge.pk: {"rating": 2}},
    )
    shadow = DevelopmentActivity.objects.get(title="Shadow a system design review")
    developing.add_developed(item=shadow, skill=skill.skill)
    return appraisal, skill, knowledge, shadow, Training.objects.get(title="Agile working course")


def suggestion_forms(response, appraisal):
    """{requirement title: [(option, button words)] in the page's order},
    from each gap's part under the suggestions' heading. The page is one
    form: each button's value names its gap's requirement and its option,
    and every button of a gap's part names that gap."""
    gaps = {row.title: str(row.pk) for row in appraisal.requirements.all()}
    found = {}
    for part in parse(response).iter("div"):
        heading = part.find("h4")
        buttons = [
            (button.get("value").removeprefix("suggestion-").partition(":"), text(button))
            for button in part.iter("button")
            if button.get("value", "").startswith("suggestion-")
        ]
        if heading is None or not buttons:
            continue
        assert {gap for (gap, _, _), _ in buttons} == {gaps[text(heading)]}
        found[text(heading)] = [(option, words) for (_, _, option), words in buttons]
    return found


def test_each_gap_lists_what_develops_it_first_each_with_its_own_button(cast, gaps):
    appraisal, skill, knowledge, shadow, course = gaps
    mo = cast.client("manager")
    response = mo.get(url("detail", appraisal))
    page = response.content.decode()
    forms = suggestion_forms(response, appraisal)
    assert list(forms) == [skill.title, knowledge.title]  # the biggest gap first
    assert forms[skill.title] == [
        (f"pda-{shadow.pk}", f"Add {shadow.title} to the plan for {skill.title}"),
        (f"training-{course.pk}", f"Add {course.title} to the plan for {skill.title}"),
    ]
    # Nothing develops the knowledge item: the profile's order, said so.
    assert [option for option, _ in forms[knowledge.title]] == [
        f"training-{course.pk}",
        f"pda-{shadow.pk}",
    ]
    assert "No training item or PDA of the profile is recorded as developing this" in page

    # The second option of the skill's gap: that one, for the skill.
    response = mo.post(
        url("detail", appraisal),
        {"confirmed_stage": "manager_review", "do": f"suggestion-{skill.pk}:training-{course.pk}"},
    )
    assert response.status_code == 302
    action = appraisal.development_actions.get()
    assert (action.training, action.requirement, action.title) == (course, skill, course.title)
    # It shows as in the plan for that gap only, with no second button.
    forms = suggestion_forms(mo.get(url("detail", appraisal)), appraisal)
    assert f"training-{course.pk}" not in dict(forms[skill.title])
    assert f"training-{course.pk}" in dict(forms[knowledge.title])


def test_an_option_the_profile_does_not_offer_adds_nothing(cast, gaps):
    appraisal, skill, *_ = gaps
    stranger = factories.TrainingFactory(title="Not in this profile")
    response = cast.client("manager").post(
        url("add_action", appraisal),
        {
            "confirmed_stage": "manager_review",
            "action-requirement": skill.pk,
            "action-status": "planned",
            "option": f"training-{stranger.pk}",
        },
    )
    assert response.status_code == 400
    assert "Choose one of the profile&#x27;s training items or PDAs." in response.content.decode()
    assert not appraisal.development_actions.exists()


@pytest.mark.parametrize("role", ["person", "head", "other_manager", "hr"])
def test_only_those_who_may_plan_see_suggestions(cast, gaps, role):
    appraisal = gaps[0]
    response = cast.client(role).get(url("detail", appraisal))
    assert response.status_code == (404 if role == "other_manager" else 200)
    assert 'id="suggestions"' not in response.content.decode()


def test_the_api_says_which_options_develop_the_gap(cast, gaps):
    appraisal, skill, knowledge, shadow, course = gaps
    response = cast.api("manager").get(
        f"/api/v1/appraisals/{appraisal.pk}/development-actions/suggestions/"
    )
    assert response.status_code == 200
    found = {
        row["requirement"]: [(o["option"], o["develops"], o["planned"]) for o in row["options"]]
        for row in response.json()
    }
    assert found == {
        skill.pk: [(f"pda-{shadow.pk}", True, False), (f"training-{course.pk}", False, False)],
        knowledge.pk: [(f"training-{course.pk}", False, False), (f"pda-{shadow.pk}", False, False)],
    }


def test_the_suggestions_cost_the_same_queries_for_more_links(cast, gaps):
    appraisal, _, knowledge, shadow, course = gaps
    mo = cast.client("manager")

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert mo.get(url("detail", appraisal)).status_code == 200
        return len(queries)

    before = count()
    for _ in range(5):
        developing.add_developed(item=course, knowledge_item=factories.KnowledgeItemFactory())
        developing.add_developed(item=shadow, skill=factories.SkillFactory())
    developing.add_developed(item=course, knowledge_item=knowledge.knowledge_item)
    assert count() == before
