"""Every transition of the workflow, allowed and refused (wrong stage, wrong
person, stale page), and the saves of each stage."""

from functools import partial

import pytest

from appraisals import workflow
from appraisals.models import AppraisalEvent, Requirement, Stage
from appraisals.workflow import StageChanged, WorkflowError
from tests.cast import fresh, take_to

pytestmark = pytest.mark.django_db


# (function, the stage it moves from, the stage it moves to, who may)
TRANSITIONS = [
    (workflow.start_self_assessment, Stage.DRAFT, Stage.SELF_ASSESSMENT, ["manager", "hr"]),
    (
        partial(workflow.submit_self_assessment, confirm_unrated=True),
        Stage.SELF_ASSESSMENT,
        Stage.MANAGER_REVIEW,
        ["person"],
    ),
    (
        partial(workflow.share_review, confirm_unrated=True),
        Stage.MANAGER_REVIEW,
        Stage.REVIEW_SHARED,
        ["manager"],
    ),
]
EVERYONE = ["hr", "manager", "head", "person", "other_manager", "other_person"]


@pytest.mark.parametrize(("move", "start", "end", "allowed"), TRANSITIONS)
def test_each_forward_move_by_whoever_may_make_it(appraisal, cast, move, start, end, allowed):
    for role in allowed:
        target = take_to(appraisal, start)
        move(appraisal=target, by=cast.user(role), confirmed_stage=start)
        moved = fresh(appraisal)
        assert moved.stage == end
        event = moved.events.last()
        assert (event.from_stage, event.to_stage, event.by) == (start, end, cast.user(role))
        if role != allowed[-1]:
            # Back to the start for the next person, as a send-back would.
            workflow.send_back(
                appraisal=moved, by=cast.manager.account, confirmed_stage=end, reason="Again."
            )


@pytest.mark.parametrize(("move", "start", "end", "allowed"), TRANSITIONS)
def test_each_forward_move_is_refused_to_everyone_else(appraisal, cast, move, start, end, allowed):
    target = take_to(appraisal, start)
    for role in set(EVERYONE) - set(allowed):
        with pytest.raises(WorkflowError, match="Only "):
            move(appraisal=target, by=cast.user(role), confirmed_stage=start)
    assert fresh(appraisal).stage == start


@pytest.mark.parametrize(("move", "start", "end", "allowed"), TRANSITIONS)
def test_each_forward_move_is_refused_at_any_other_stage(
    appraisal, cast, move, start, end, allowed
):
    for stage in [s for s in Stage.values if s != start]:
        target = fresh(appraisal)
        if not target.reached(stage):
            target = take_to(appraisal, stage)
        else:
            continue
        who = cast.user(allowed[0])
        with pytest.raises(WorkflowError, match="only when the appraisal is at"):
            move(appraisal=target, by=who, confirmed_stage=stage)
        assert fresh(appraisal).stage == stage


def test_a_move_from_a_stage_the_page_no_longer_shows_is_refused(appraisal, cast):
    workflow.start_self_assessment(
        appraisal=appraisal, by=cast.manager.account, confirmed_stage=Stage.DRAFT
    )
    with pytest.raises(StageChanged, match="moved from draft to self-assessment"):
        workflow.start_self_assessment(appraisal=appraisal, by=cast.hr, confirmed_stage=Stage.DRAFT)
    assert fresh(appraisal).events.filter(action=AppraisalEvent.Action.STARTED).count() == 1


def test_both_signatures_sign_it_off_and_each_is_timestamped(appraisal, cast):
    appraisal = take_to(appraisal, Stage.AGREED)
    workflow.sign_off(appraisal=appraisal, by=cast.person.account, confirmed_stage=Stage.AGREED)
    appraisal = fresh(appraisal)
    assert appraisal.stage == Stage.AGREED and appraisal.person_signed_at
    assert appraisal.manager_signed_at is None
    with pytest.raises(WorkflowError, match="You signed this appraisal on"):
        workflow.sign_off(appraisal=appraisal, by=cast.person.account, confirmed_stage="agreed")
    workflow.sign_off(appraisal=appraisal, by=cast.manager.account, confirmed_stage=Stage.AGREED)
    appraisal = fresh(appraisal)
    assert appraisal.stage == Stage.SIGNED_OFF and appraisal.manager_signed_at
    assert list(appraisal.events.values_list("action", flat=True))[-3:] == [
        "signed",
        "signed",
        "signed_off",
    ]


@pytest.mark.parametrize("role", ["hr", "head", "other_manager", "other_person"])
def test_only_the_two_people_sign(appraisal, cast, role):
    appraisal = take_to(appraisal, Stage.AGREED)
    with pytest.raises(WorkflowError, match="Only Sam and Mo can sign"):
        workflow.sign_off(appraisal=appraisal, by=cast.user(role), confirmed_stage="agreed")


def test_signing_is_refused_before_agreed(appraisal, cast):
    appraisal = take_to(appraisal, Stage.MANAGER_REVIEW)
    with pytest.raises(WorkflowError, match="only when the appraisal is at agreed"):
        workflow.sign_off(
            appraisal=appraisal, by=cast.person.account, confirmed_stage="manager_review"
        )


@pytest.mark.parametrize(
    ("stage", "back_to", "allowed"),
    [
        (Stage.SELF_ASSESSMENT, Stage.DRAFT, ["manager"]),
        (Stage.MANAGER_REVIEW, Stage.SELF_ASSESSMENT, ["manager"]),
        (Stage.AGREED, Stage.MANAGER_REVIEW, ["manager", "person"]),
    ],
)
def test_sending_back_one_stage_keeps_the_reason(appraisal, cast, stage, back_to, allowed):
    appraisal = take_to(appraisal, stage)
    for role in set(EVERYONE) - set(allowed):
        with pytest.raises(WorkflowError, match="Only "):
            workflow.send_back(
                appraisal=appraisal, by=cast.user(role), confirmed_stage=stage, reason="No."
            )
    with pytest.raises(WorkflowError, match="Say why"):
        workflow.send_back(
            appraisal=appraisal, by=cast.user(allowed[-1]), confirmed_stage=stage, reason="  "
        )
    workflow.send_back(
        appraisal=appraisal,
        by=cast.user(allowed[-1]),
        confirmed_stage=stage,
        reason="Please add evidence.",
    )
    appraisal = fresh(appraisal)
    assert appraisal.stage == back_to
    event = appraisal.events.last()
    assert (event.action, event.reason) == ("sent_back", "Please add evidence.")


def test_going_back_from_agreed_clears_a_signature(appraisal, cast):
    appraisal = take_to(appraisal, Stage.AGREED)
    workflow.sign_off(appraisal=appraisal, by=cast.manager.account, confirmed_stage="agreed")
    workflow.send_back(
        appraisal=appraisal, by=cast.person.account, confirmed_stage="agreed", reason="I disagree."
    )
    appraisal = fresh(appraisal)
    assert appraisal.manager_signed_at is None and appraisal.stage == Stage.MANAGER_REVIEW


def test_nothing_goes_back_from_draft_or_signed_off(appraisal, cast):
    with pytest.raises(WorkflowError, match="only when the appraisal is at"):
        workflow.send_back(
            appraisal=appraisal, by=cast.manager.account, confirmed_stage="draft", reason="x"
        )
    appraisal = take_to(appraisal, Stage.SIGNED_OFF)
    with pytest.raises(WorkflowError, match="only when the appraisal is at"):
        workflow.send_back(
            appraisal=appraisal, by=cast.manager.account, confirmed_stage="signed_off", reason="x"
        )


def test_hr_reopen_a_signed_off_appraisal_with_a_reason_that_is_kept(appraisal, cast):
    appraisal = take_to(appraisal, Stage.SIGNED_OFF)
    for role in ["manager", "person", "head"]:
        with pytest.raises(WorkflowError, match="Only HR can reopen"):
            workflow.reopen(
                appraisal=appraisal, by=cast.user(role), confirmed_stage="signed_off", reason="x"
            )
    with pytest.raises(WorkflowError, match="Say why"):
        workflow.reopen(appraisal=appraisal, by=cast.hr, confirmed_stage="signed_off", reason="")
    workflow.reopen(
        appraisal=appraisal, by=cast.hr, confirmed_stage="signed_off", reason="Wrong outcome."
    )
    appraisal = fresh(appraisal)
    assert appraisal.stage == Stage.MANAGER_REVIEW
    assert appraisal.person_signed_at is None and appraisal.manager_signed_at is None
    event = appraisal.events.get(action="reopened")
    assert (event.reason, event.by, event.from_stage) == ("Wrong outcome.", cast.hr, "signed_off")
    # The audit trail still says when it was signed.
    assert appraisal.history.filter(person_signed_at__isnull=False).exists()


def test_reopen_is_refused_before_sign_off(appraisal, cast):
    with pytest.raises(WorkflowError, match="only when the appraisal is at signed off"):
        workflow.reopen(appraisal=appraisal, by=cast.hr, confirmed_stage="draft", reason="x")


def test_hr_reassign_an_open_appraisal_but_a_signed_off_one_keeps_its_manager(appraisal, cast):
    with pytest.raises(WorkflowError, match="Only HR can reassign"):
        workflow.reassign_manager(
            appraisal=appraisal,
            by=cast.head.account,
            confirmed_stage="draft",
            manager=cast.other_manager,
        )
    workflow.reassign_manager(
        appraisal=appraisal, by=cast.hr, confirmed_stage="draft", manager=cast.other_manager
    )
    appraisal = fresh(appraisal)
    assert appraisal.manager == cast.other_manager
    assert appraisal.events.last().reason == "From Mo to Olu."
    with pytest.raises(WorkflowError, match="their own appraisal"):
        workflow.reassign_manager(
            appraisal=appraisal, by=cast.hr, confirmed_stage="draft", manager=cast.person
        )
    # Olu acts now, Mo no longer does.
    with pytest.raises(WorkflowError, match="Only Olu"):
        workflow.start_self_assessment(
            appraisal=appraisal, by=cast.manager.account, confirmed_stage="draft"
        )
    workflow.start_self_assessment(
        appraisal=appraisal, by=cast.other_manager.account, confirmed_stage="draft"
    )


def test_a_signed_off_appraisal_is_not_reassigned(appraisal, cast):
    appraisal = take_to(appraisal, Stage.SIGNED_OFF)
    with pytest.raises(WorkflowError, match="only when the appraisal is at"):
        workflow.reassign_manager(
            appraisal=appraisal, by=cast.hr, confirmed_stage="signed_off", manager=cast.head
        )
    assert fresh(appraisal).manager == cast.manager


# --- saves ------------------------------------------------------------------------


def requirement(appraisal, kind):
    return appraisal.requirements.get(kind=kind)


def test_the_person_saves_self_ratings_only_during_self_assessment(appraisal, cast):
    knowledge = requirement(appraisal, Requirement.Kind.KNOWLEDGE)
    ratings = {knowledge.pk: {"rating": 2, "evidence": "Ran two sprints.", "comment": "Learning."}}
    with pytest.raises(WorkflowError, match="only when the appraisal is at self-assessment"):
        workflow.save_self_ratings(
            appraisal=appraisal, by=cast.person.account, confirmed_stage="draft", ratings=ratings
        )
    appraisal = take_to(appraisal, Stage.SELF_ASSESSMENT)
    for role in ["manager", "hr", "head", "other_person"]:
        with pytest.raises(WorkflowError, match="Only Sam, the person appraised"):
            workflow.save_self_ratings(
                appraisal=appraisal,
                by=cast.user(role),
                confirmed_stage="self_assessment",
                ratings=ratings,
            )
    workflow.save_self_ratings(
        appraisal=appraisal,
        by=cast.person.account,
        confirmed_stage="self_assessment",
        ratings=ratings,
    )
    # A later save of one part keeps the others.
    workflow.save_self_ratings(
        appraisal=appraisal,
        by=cast.person.account,
        confirmed_stage="self_assessment",
        ratings={knowledge.pk: {"comment": "Still learning."}},
    )
    knowledge.refresh_from_db()
    assert (knowledge.self_rating, knowledge.self_evidence, knowledge.self_comment) == (
        2,
        "Ran two sprints.",
        "Still learning.",
    )
    assert knowledge.manager_rating is None
    # The two saves; copied from the version when the cycle opened, the
    # requirement had no record of its own (the appraisal's creation has).
    assert list(knowledge.history.values_list("history_type", flat=True)) == ["~", "~"]


def test_a_rating_off_the_scale_or_of_another_appraisal_writes_nothing(appraisal, cast):
    appraisal = take_to(appraisal, Stage.SELF_ASSESSMENT)
    activity = requirement(appraisal, Requirement.Kind.WORK_ACTIVITY)
    knowledge = requirement(appraisal, Requirement.Kind.KNOWLEDGE)
    for ratings, message in [
        ({knowledge.pk: {"rating": 2}, activity.pk: {"rating": 4}}, "not on the scale"),
        ({knowledge.pk: {"rating": 0}}, "not on the scale"),
        ({knowledge.pk: {"rating": 2}, 999_999: {"rating": 1}}, "no requirement 999999"),
    ]:
        with pytest.raises(WorkflowError, match=message):
            workflow.save_self_ratings(
                appraisal=appraisal,
                by=cast.person.account,
                confirmed_stage="self_assessment",
                ratings=ratings,
            )
    knowledge.refresh_from_db()
    assert knowledge.self_rating is None
    assert fresh(appraisal).revision == appraisal.revision


def test_not_rated_is_its_own_value(appraisal, cast):
    appraisal = take_to(appraisal, Stage.SELF_ASSESSMENT)
    knowledge = requirement(appraisal, Requirement.Kind.KNOWLEDGE)
    for rating in (3, None):
        workflow.save_self_ratings(
            appraisal=appraisal,
            by=cast.person.account,
            confirmed_stage="self_assessment",
            ratings={knowledge.pk: {"rating": rating}},
        )
    knowledge.refresh_from_db()
    assert knowledge.self_rating is None
    assert knowledge.rank_name(knowledge.self_rating) == "Not rated"


def test_the_manager_rates_only_during_manager_review_and_the_gap_follows(appraisal, cast):
    knowledge = requirement(appraisal, Requirement.Kind.KNOWLEDGE)
    behavioural = requirement(appraisal, Requirement.Kind.BEHAVIOURAL)
    appraisal = take_to(appraisal, Stage.SELF_ASSESSMENT)
    ratings = {knowledge.pk: {"rating": 2}, behavioural.pk: {"rating": 3}}
    with pytest.raises(WorkflowError, match="only when the appraisal is at manager review"):
        workflow.save_manager_ratings(
            appraisal=appraisal,
            by=cast.manager.account,
            confirmed_stage="self_assessment",
            ratings=ratings,
        )
    appraisal = take_to(appraisal, Stage.MANAGER_REVIEW)
    for role in ["head", "hr", "person", "other_manager"]:
        with pytest.raises(WorkflowError, match="Only Mo"):
            workflow.save_manager_ratings(
                appraisal=appraisal,
                by=cast.user(role),
                confirmed_stage="manager_review",
                ratings=ratings,
            )
    workflow.save_manager_ratings(
        appraisal=appraisal,
        by=cast.manager.account,
        confirmed_stage="manager_review",
        ratings=ratings,
    )
    knowledge.refresh_from_db()
    behavioural.refresh_from_db()
    assert (knowledge.gap, knowledge.gap_word) == (-1, "below")
    assert behavioural.gap is None  # nothing is required of it
    gaps = dict(appraisal.requirements.with_gap().values_list("kind", "gap"))
    assert gaps["knowledge"] == -1 and gaps["behavioural"] is None


def test_signed_off_is_read_only(appraisal, cast):
    appraisal = take_to(appraisal, Stage.SIGNED_OFF)
    knowledge = requirement(appraisal, Requirement.Kind.KNOWLEDGE)
    with pytest.raises(WorkflowError):
        workflow.save_manager_ratings(
            appraisal=appraisal,
            by=cast.manager.account,
            confirmed_stage="signed_off",
            ratings={knowledge.pk: {"rating": 4}},
        )
    for who in (cast.person, cast.manager):
        with pytest.raises(WorkflowError, match="only when the appraisal is at"):
            workflow.save_summary(
                appraisal=appraisal, by=who.account, confirmed_stage="signed_off", text="x"
            )
    with pytest.raises(WorkflowError):
        workflow.set_outcome(
            appraisal=appraisal,
            by=cast.manager.account,
            confirmed_stage="signed_off",
            outcome="meets",
        )


def test_summaries_and_outcome_by_their_writers_until_someone_signs(appraisal, cast):
    appraisal = take_to(appraisal, Stage.REVIEW_SHARED)
    workflow.set_outcome(
        appraisal=appraisal,
        by=cast.manager.account,
        confirmed_stage=Stage.REVIEW_SHARED,
        outcome="meets",
    )
    with pytest.raises(WorkflowError, match="Only Mo"):
        workflow.set_outcome(
            appraisal=appraisal,
            by=cast.person.account,
            confirmed_stage=Stage.REVIEW_SHARED,
            outcome="exceeds",
        )
    appraisal = take_to(appraisal, Stage.AGREED)
    # Once the person agreed to the outcome, it is no longer the manager's to change.
    with pytest.raises(WorkflowError, match="only when the appraisal is at manager review"):
        workflow.set_outcome(
            appraisal=appraisal, by=cast.manager.account, confirmed_stage="agreed", outcome="partly"
        )
    workflow.save_summary(
        appraisal=appraisal, by=cast.person.account, confirmed_stage="agreed", text="A good year."
    )
    workflow.save_summary(
        appraisal=appraisal, by=cast.manager.account, confirmed_stage="agreed", text="Agreed."
    )
    with pytest.raises(WorkflowError, match="Only Sam and Mo"):
        workflow.save_summary(appraisal=appraisal, by=cast.hr, confirmed_stage="agreed", text="x")
    workflow.sign_off(appraisal=appraisal, by=cast.person.account, confirmed_stage="agreed")
    with pytest.raises(WorkflowError, match="Sam signed what it says"):
        workflow.save_summary(
            appraisal=appraisal, by=cast.manager.account, confirmed_stage="agreed", text="Changed."
        )
    appraisal = fresh(appraisal)
    assert (appraisal.person_summary, appraisal.manager_summary, appraisal.outcome) == (
        "A good year.",
        "Agreed.",
        "meets",
    )


def test_every_change_is_in_the_audit_trail(appraisal, cast):
    take_to(appraisal, Stage.SIGNED_OFF)
    stages = list(fresh(appraisal).history.order_by("history_id").values_list("stage", flat=True))
    assert stages[0] == "draft" and stages[-1] == "signed_off"
    assert {"self_assessment", "manager_review", "review_shared", "agreed"} <= set(stages)


# --- nothing empty goes by accident, and a submission can be taken back -----------------


@pytest.mark.parametrize(
    ("move", "start", "side", "who"),
    [
        (workflow.submit_self_assessment, Stage.SELF_ASSESSMENT, "self", "person"),
        (workflow.share_review, Stage.MANAGER_REVIEW, "manager", "manager"),
    ],
)
def test_handing_over_with_anything_unrated_needs_confirming(
    appraisal, cast, move, start, side, who
):
    appraisal = take_to(appraisal, start)
    skill = appraisal.requirements.get(kind=Requirement.Kind.ORGANISATION_SKILL)
    save = workflow.save_self_ratings if side == "self" else workflow.save_manager_ratings
    save(
        appraisal=appraisal,
        by=cast.user(who),
        confirmed_stage=start,
        ratings={skill.pk: {"rating": 2}},
    )
    with pytest.raises(workflow.UnratedNotConfirmed) as refused:
        move(appraisal=appraisal, by=cast.user(who), confirmed_stage=start)
    assert refused.value.unrated == ["Formal appraisals", "Agile working", "Team dynamics"]
    assert "3 of 4 requirements are not rated" in workflow.said(refused.value)
    assert fresh(appraisal).stage == start
    move(appraisal=appraisal, by=cast.user(who), confirmed_stage=start, confirm_unrated=True)
    assert fresh(appraisal).stage != start


def test_everything_rated_needs_no_confirming(appraisal, cast):
    appraisal = take_to(appraisal, Stage.SELF_ASSESSMENT)
    workflow.save_self_ratings(
        appraisal=appraisal,
        by=cast.person.account,
        confirmed_stage=Stage.SELF_ASSESSMENT,
        ratings={row.pk: {"rating": 1} for row in appraisal.requirements.all()},
    )
    workflow.submit_self_assessment(
        appraisal=appraisal, by=cast.person.account, confirmed_stage=Stage.SELF_ASSESSMENT
    )
    assert fresh(appraisal).stage == Stage.MANAGER_REVIEW


def _manager_saves(appraisal, cast, what):
    """The manager starts the review by saving one thing of their side."""
    knowledge = appraisal.requirements.get(kind=Requirement.Kind.KNOWLEDGE)
    by, stage = cast.manager.account, Stage.MANAGER_REVIEW
    if what in ("rating", "evidence", "comment"):
        value = 2 if what == "rating" else "Seen it."
        workflow.save_manager_ratings(
            appraisal=appraisal, by=by, confirmed_stage=stage, ratings={knowledge.pk: {what: value}}
        )
    elif what == "summary":
        workflow.save_summary(appraisal=appraisal, by=by, confirmed_stage=stage, text="So far.")
    elif what == "outcome":
        workflow.set_outcome(appraisal=appraisal, by=by, confirmed_stage=stage, outcome="meets")
    elif what == "nothing typed":
        # A save of the form as it came: nothing of the manager's side written.
        workflow.save_manager_ratings(
            appraisal=appraisal,
            by=by,
            confirmed_stage=stage,
            ratings={knowledge.pk: {"rating": None, "evidence": " ", "comment": ""}},
        )


@pytest.mark.parametrize(
    "what", ["nothing", "nothing typed", "rating", "evidence", "comment", "summary", "outcome"]
)
def test_the_person_takes_back_their_submission_until_the_manager_starts(appraisal, cast, what):
    appraisal = take_to(appraisal, Stage.MANAGER_REVIEW)
    _manager_saves(appraisal, cast, what)
    appraisal = fresh(appraisal)
    sam = cast.person.account
    if what.startswith("nothing"):
        assert "take_back" in workflow.available_moves(sam, appraisal)
        workflow.take_back(appraisal=appraisal, by=sam, confirmed_stage=Stage.MANAGER_REVIEW)
        appraisal = fresh(appraisal)
        assert appraisal.stage == Stage.SELF_ASSESSMENT
        event = appraisal.events.last()
        assert (event.action, event.by) == (AppraisalEvent.Action.TAKEN_BACK, sam)
    else:
        assert "take_back" not in workflow.available_moves(sam, appraisal)
        with pytest.raises(WorkflowError, match="Mo has started the review"):
            workflow.take_back(appraisal=appraisal, by=sam, confirmed_stage=Stage.MANAGER_REVIEW)
        assert fresh(appraisal).stage == Stage.MANAGER_REVIEW


def test_only_the_person_takes_back_their_submission(appraisal, cast):
    appraisal = take_to(appraisal, Stage.MANAGER_REVIEW)
    for role in set(EVERYONE) - {"person"}:
        with pytest.raises(WorkflowError, match="Only Sam"):
            workflow.take_back(
                appraisal=appraisal, by=cast.user(role), confirmed_stage=Stage.MANAGER_REVIEW
            )
    assert fresh(appraisal).stage == Stage.MANAGER_REVIEW


# --- the shared review: the person answers each item ---------------------------------------


def _items(appraisal):
    return {
        (item.requirement.kind if item.requirement else item.kind): item
        for item in appraisal.review_items.select_related("requirement")
    }


def _answer(appraisal, who, answers, stage=Stage.REVIEW_SHARED):
    return workflow.answer_review(
        appraisal=appraisal, by=who.account, confirmed_stage=stage, answers=answers
    )


def test_sharing_waits_for_the_person_who_answers_every_item(appraisal, cast):
    appraisal = take_to(appraisal, Stage.REVIEW_SHARED)
    items = _items(appraisal)
    # One per requirement, the plan and the outcome.
    assert len(items) == 6 and {"plan", "outcome"} <= set(items)
    assert workflow.waiting_for(appraisal)[0] == "Sam"
    everything = {item.pk: {"answer": "agreed"} for item in items.values()}
    skill = items[Requirement.Kind.ORGANISATION_SKILL]
    with pytest.raises(WorkflowError, match="Say why you disagree with the rating of Systems"):
        _answer(appraisal, cast.person, {**everything, skill.pk: {"answer": "disagreed"}})
    assert not appraisal.review_items.exclude(answer="").exists()
    disagree = {skill.pk: {"answer": "disagreed", "comment": "I led the design."}}
    appraisal = _answer(appraisal, cast.person, {**everything, **disagree})
    assert appraisal.stage == Stage.REVIEW_SHARED
    assert "1 disagreement" in workflow.waiting_for(appraisal)[1]
    # The manager replies; they cannot answer for the person.
    with pytest.raises(WorkflowError, match="Only Sam agrees or disagrees"):
        _answer(appraisal, cast.manager, {skill.pk: {"answer": "agreed"}})
    _answer(appraisal, cast.manager, {skill.pk: {"comment": "Let us talk it through."}})
    # Changing the rating sends the item back to the person, with a note.
    workflow.save_manager_ratings(
        appraisal=appraisal,
        by=cast.manager.account,
        confirmed_stage=Stage.REVIEW_SHARED,
        ratings={skill.requirement_id: {"rating": 3}},
    )
    skill.refresh_from_db()
    assert skill.answer == ""
    thread = list(skill.comments.values_list("kind", "text"))
    assert thread == [
        ("disagreed", "I led the design."),
        ("reply", "Let us talk it through."),
        ("changed", ""),
    ]
    # Others keep their answers.
    assert appraisal.review_items.filter(answer="agreed").count() == 5
    appraisal = _answer(appraisal, cast.person, {skill.pk: {"answer": "agreed"}})
    assert appraisal.stage == Stage.AGREED
    event = appraisal.events.last()
    assert (event.action, event.by) == (AppraisalEvent.Action.AGREED, cast.person.account)


def test_only_the_two_answer_and_only_while_shared(appraisal, cast):
    appraisal = take_to(appraisal, Stage.REVIEW_SHARED)
    item = appraisal.review_items.first()
    for role in ("hr", "head", "other_manager", "other_person"):
        with pytest.raises(WorkflowError, match="Only Sam and Mo can answer the review"):
            workflow.answer_review(
                appraisal=appraisal,
                by=cast.user(role),
                confirmed_stage=Stage.REVIEW_SHARED,
                answers={item.pk: {"comment": "x"}},
            )
    with pytest.raises(WorkflowError, match="no item"):
        _answer(appraisal, cast.person, {10**9: {"answer": "agreed"}})
    assert not item.comments.exists()


def test_changing_the_plan_or_outcome_while_shared_goes_back_to_the_person(appraisal, cast):
    from appraisals import plans

    appraisal = take_to(appraisal, Stage.REVIEW_SHARED)
    items = _items(appraisal)
    _answer(
        appraisal,
        cast.person,
        {items["plan"].pk: {"answer": "agreed"}, items["outcome"].pk: {"answer": "agreed"}},
    )
    plans.add_development_action(
        appraisal=appraisal,
        by=cast.manager.account,
        confirmed_stage=Stage.REVIEW_SHARED,
        title="Pair on design",
    )
    workflow.set_outcome(
        appraisal=appraisal,
        by=cast.manager.account,
        confirmed_stage=Stage.REVIEW_SHARED,
        outcome="exceeds",
    )
    objective = plans.add_objective(
        appraisal=appraisal,
        by=cast.manager.account,
        confirmed_stage=Stage.REVIEW_SHARED,
        title="Mentor",
    )
    items = _items(appraisal)
    assert (items["plan"].answer, items["outcome"].answer) == ("", "")
    assert appraisal.review_items.get(objective=objective).answer == ""


def test_the_manager_takes_the_review_back_with_a_reason(appraisal, cast):
    appraisal = take_to(appraisal, Stage.REVIEW_SHARED)
    items = _items(appraisal)
    outcome = items["outcome"]
    _answer(appraisal, cast.person, {outcome.pk: {"answer": "disagreed", "comment": "Too low."}})
    with pytest.raises(WorkflowError, match="Only Mo"):
        workflow.take_back_review(
            appraisal=appraisal,
            by=cast.person.account,
            confirmed_stage=Stage.REVIEW_SHARED,
            reason="x",
        )
    with pytest.raises(WorkflowError, match="Say why"):
        workflow.take_back_review(
            appraisal=appraisal,
            by=cast.manager.account,
            confirmed_stage=Stage.REVIEW_SHARED,
            reason=" ",
        )
    workflow.take_back_review(
        appraisal=appraisal,
        by=cast.manager.account,
        confirmed_stage=Stage.REVIEW_SHARED,
        reason="Reworking the outcome.",
    )
    appraisal = fresh(appraisal)
    assert appraisal.stage == Stage.MANAGER_REVIEW
    assert appraisal.events.last().reason == "Reworking the outcome."
    # Shared again unchanged, the answers stand; the changed outcome goes back.
    workflow.set_outcome(
        appraisal=appraisal,
        by=cast.manager.account,
        confirmed_stage=Stage.MANAGER_REVIEW,
        outcome="meets",
    )
    workflow.share_review(
        appraisal=appraisal,
        by=cast.manager.account,
        confirmed_stage=Stage.MANAGER_REVIEW,
        confirm_unrated=True,
    )
    outcome.refresh_from_db()
    assert outcome.answer == "" and outcome.comments.last().kind == "changed"


def test_an_answer_to_what_changed_since_the_page_showed_it_is_refused(appraisal, cast):
    appraisal = take_to(appraisal, Stage.REVIEW_SHARED)
    outcome = appraisal.review_items.get(kind="outcome")
    seen = outcome.shown
    workflow.set_outcome(
        appraisal=appraisal,
        by=cast.manager.account,
        confirmed_stage=Stage.REVIEW_SHARED,
        outcome="partly",
    )
    with pytest.raises(StageChanged, match="Mo changed the outcome since you looked"):
        _answer(appraisal, cast.person, {outcome.pk: {"answer": "agreed", "shown": seen}})
    outcome.refresh_from_db()
    assert outcome.answer == ""
