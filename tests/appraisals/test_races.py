"""Two people at once, with real threads and PostgreSQL's locks: reporting
lines never close into a loop, and two moves of one appraisal never both
pass. SQLite lets one writer in at a time, so these run on PostgreSQL."""

import pytest
from django.db import connection

from appraisals import people, workflow
from appraisals.models import Person, Stage
from appraisals.people import ReportingLineError
from appraisals.workflow import StageChanged
from tests import factories
from tests.cast import take_to
from tests.threads import in_threads

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="lock races need PostgreSQL"),
]


@pytest.mark.parametrize("round_", range(5))
def test_two_changes_that_together_make_a_loop_cannot_both_pass(round_):
    a = factories.PersonFactory(name="A")
    b = factories.PersonFactory(name="B")
    outcomes = in_threads(
        lambda: people.set_manager(person=a, manager=b),
        lambda: people.set_manager(person=b, manager=a),
    )
    errors = [o for o in outcomes if isinstance(o, Exception)]
    assert len(errors) == 1 and isinstance(errors[0], ReportingLineError), outcomes
    assert "would make a loop" in errors[0].messages[0]
    managers = dict(Person.objects.values_list("name", "line_manager__name"))
    assert list(managers.values()).count(None) == 1


@pytest.mark.parametrize("round_", range(3))
def test_a_longer_loop_closed_from_two_ends_at_once_is_refused(round_):
    top = factories.PersonFactory(name="Top")
    middle = factories.PersonFactory(name="Middle", line_manager=top)
    bottom = factories.PersonFactory(name="Bottom")
    outcomes = in_threads(
        lambda: people.set_manager(person=bottom, manager=middle),
        lambda: people.set_manager(person=top, manager=bottom),
    )
    assert [isinstance(o, ReportingLineError) for o in outcomes].count(True) == 1, outcomes


def test_two_moves_of_one_appraisal_from_the_same_stage_let_one_through(appraisal, cast):
    appraisal = workflow.start_self_assessment(
        appraisal=appraisal, by=cast.manager.account, confirmed_stage=Stage.DRAFT
    )
    workflow.submit_self_assessment(
        appraisal=appraisal,
        by=cast.person.account,
        confirmed_stage=Stage.SELF_ASSESSMENT,
        confirm_unrated=True,
    )
    # The manager shares while, from the page they both saw, they also send it back.
    outcomes = in_threads(
        lambda: workflow.share_review(
            appraisal=appraisal,
            by=cast.manager.account,
            confirmed_stage=Stage.MANAGER_REVIEW,
            confirm_unrated=True,
        ),
        lambda: workflow.send_back(
            appraisal=appraisal,
            by=cast.manager.account,
            confirmed_stage=Stage.MANAGER_REVIEW,
            reason="More evidence, please.",
        ),
    )
    errors = [o for o in outcomes if isinstance(o, Exception)]
    assert len(errors) == 1 and isinstance(errors[0], StageChanged), outcomes
    appraisal.refresh_from_db()
    assert appraisal.events.filter(from_stage=Stage.MANAGER_REVIEW).count() == 1


def test_both_signing_at_once_signs_it_off(appraisal, cast):
    appraisal = take_to(appraisal, Stage.AGREED)
    outcomes = in_threads(
        lambda: workflow.sign_off(
            appraisal=appraisal, by=cast.person.account, confirmed_stage=Stage.AGREED
        ),
        lambda: workflow.sign_off(
            appraisal=appraisal, by=cast.manager.account, confirmed_stage=Stage.AGREED
        ),
    )
    assert not any(isinstance(o, Exception) for o in outcomes), outcomes
    appraisal.refresh_from_db()
    assert appraisal.stage == Stage.SIGNED_OFF


def test_taking_back_while_the_manager_starts_lets_one_through(appraisal, cast):
    """The person takes their self-assessment back as the manager saves a
    first rating: either it goes back (and the rating is refused, the page
    having shown manager review), or the rating is saved (and taking back
    is refused, the review having started). Never both."""
    appraisal = take_to(appraisal, Stage.MANAGER_REVIEW)
    knowledge = appraisal.requirements.get(kind="knowledge")
    outcomes = in_threads(
        lambda: workflow.take_back(
            appraisal=appraisal, by=cast.person.account, confirmed_stage=Stage.MANAGER_REVIEW
        ),
        lambda: workflow.save_manager_ratings(
            appraisal=appraisal,
            by=cast.manager.account,
            confirmed_stage=Stage.MANAGER_REVIEW,
            ratings={knowledge.pk: {"rating": 3}},
        ),
    )
    errors = [o for o in outcomes if isinstance(o, Exception)]
    assert len(errors) == 1, outcomes
    appraisal.refresh_from_db()
    knowledge.refresh_from_db()
    if appraisal.stage == Stage.SELF_ASSESSMENT:
        assert knowledge.manager_rating is None
    else:
        assert knowledge.manager_rating == 3 and "started the review" in str(errors[0])
