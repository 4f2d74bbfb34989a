"""An appraisal's workflow: one function per transition, and the saves of
each stage.

    draft → self-assessment → manager review → review shared → agreed → signed off

In "review shared" the person answers each item of the review (a rating,
an objective, the plan, the outcome: review.py); the appraisal is agreed
when they agree to everything, and the manager may change what they
disagree with (it goes back to them) or take the review back.

Each function takes keyword arguments: the appraisal, `by` (the signed-in
user) and `confirmed_stage` (the stage the page or API client showed). It
locks the appraisal's row, checks that the stage is still the one shown,
that it may happen at that stage and that `by` may do it, writes, and
records the move as an AppraisalEvent, all in one transaction. Anything
refused raises WorkflowError, whose message says why, and writes nothing.
Pages and the API call the same functions.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from appraisals import events, insight, notices, review
from appraisals.access import can_act_as_manager, is_the_person
from appraisals.models import Appraisal, AppraisalEvent, Person, ReviewComment, ReviewItem, Stage
from competency.history import bulk_update
from competency.roles import is_hr

Action = AppraisalEvent.Action


class WorkflowError(ValidationError):
    """A move or save the appraisal's stage or the user's part refuses."""


class StageChanged(WorkflowError):
    """The appraisal moved on since the person looked; nothing was written."""


NAMED = 8  # requirements named in a refusal's words; the rest counted


class UnratedNotConfirmed(WorkflowError):
    """A submission or share with requirements not rated, not confirmed: it
    names them, under the field that confirms them (`confirm_unrated`), so
    the API's problem points at that field and the page lists them."""

    def __init__(self, missing, total, doing):
        self.unrated = [row.title for row in missing]
        # The page lists them all beside the confirmation; the message names
        # the first few, so that it stays readable at the top of the page.
        shown = self.unrated[:NAMED]
        names = _in_words(
            shown + ([f"{len(missing) - NAMED} more"] if len(missing) > NAMED else [])
        )
        message = (
            f"{len(missing)} of {total} requirements are not rated: {names}. Rate them, or "
            f"confirm that you want to {doing} with {'it' if len(missing) == 1 else 'them'} "
            "not rated."
        )
        super().__init__({"confirm_unrated": [message]})


def _in_words(names):
    names = list(names)
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def said(error):
    """A refusal's words, whether it names a field or not: for a page."""
    return " ".join(error.messages)


def stage_label(stage):
    return Stage(stage).label.lower()


# --- the shared steps ------------------------------------------------------------


def lock(appraisal, confirmed_stage):
    """The appraisal's row, locked until the transaction ends, after
    checking it is still at the stage the person saw."""
    locked = (
        Appraisal.objects.select_for_update(of=("self",))
        .select_related("person", "manager", "cycle")
        .get(pk=appraisal.pk)
    )
    if confirmed_stage is not None and confirmed_stage not in Stage.values:
        # Not a stage any page shows: a form made up or from another version.
        raise StageChanged(
            "This page does not say which stage of the appraisal you saw, so nothing was "
            "changed. Look at it again."
        )
    if confirmed_stage is not None and locked.stage != confirmed_stage:
        raise StageChanged(
            f"This appraisal moved from {stage_label(confirmed_stage)} to "
            f"{stage_label(locked.stage)} while you were looking, so nothing was changed. "
            "Look at it again."
        )
    return locked


def _require_stage(appraisal, stages, doing):
    if appraisal.stage not in stages:
        allowed = " or ".join(stage_label(stage) for stage in stages)
        raise WorkflowError(
            f"You can {doing} only when the appraisal is at {allowed}; "
            f"this one is at {stage_label(appraisal.stage)}."
        )


def _require(allowed, who, doing):
    if not allowed:
        raise WorkflowError(f"Only {who} can {doing}.")


def _require_move(name, appraisal, by):
    """The move's own rule from MOVES: at one of its stages, and by one of
    those who may make it there."""
    move = MOVES[name]
    _require_stage(appraisal, move.stages, move.doing)
    _require(move.may(by, appraisal), move.who(appraisal), move.doing)


def _the_manager(appraisal):
    return f"{appraisal.manager.name}, the appraisal's manager,"


def _the_person(appraisal):
    return f"{appraisal.person.name}, the person appraised,"


def _move(appraisal, to_stage, action, by, reason="", extra_fields=()):
    # Its ratings start or stop counting as agreed: the person's latest
    # agreed ratings are read again after the move, in the same transaction.
    counts_changed = (appraisal.stage in insight.AGREED) != (to_stage in insight.AGREED)
    event = AppraisalEvent(
        appraisal=appraisal,
        action=action,
        from_stage=appraisal.stage,
        to_stage=to_stage,
        reason=reason,
        by=by,
    )
    appraisal.stage = to_stage
    _touch(appraisal, "stage", *extra_fields)
    event.save()
    # Whoever the move hands work to is mailed, with the move (the outbox).
    notices.moved(appraisal, event)
    if counts_changed:
        insight.refresh_latest_ratings([appraisal.person_id])
    # The webhooks' events, in the move's transaction.
    events.stage_changed(appraisal, from_stage=event.from_stage, action=action, by=by)
    return appraisal


def _touch(appraisal, *fields):
    appraisal.revision += 1
    appraisal.save(update_fields=[*fields, "revision", "updated_at"])


def _reason(reason, doing):
    reason = (reason or "").strip()
    if not reason:
        raise WorkflowError(f"Say why you {doing}: the reason is kept with the appraisal.")
    return reason


# --- the transitions ----------------------------------------------------------------


@transaction.atomic
def start_self_assessment(*, appraisal, by, confirmed_stage) -> Appraisal:
    """Draft → self-assessment: the manager (or HR) opens it to the person."""
    appraisal = lock(appraisal, confirmed_stage)
    _require_move("start", appraisal, by)
    return _move(appraisal, Stage.SELF_ASSESSMENT, Action.STARTED, by)


def unrated(appraisal, side):
    """The requirements `side` ("self" or "manager") has not rated yet, in
    the page's order."""
    return list(
        appraisal.requirements.filter(**{f"{side}_rating__isnull": True})
        .only("pk", "title", "position")
        .order_by("position")
    )


def _check_rated(appraisal, side, confirm_unrated, doing):
    """Nothing empty goes by accident: anything not rated is refused unless
    the person confirmed they meant it (they were shown what and how many)."""
    missing = unrated(appraisal, side)
    if missing and not confirm_unrated:
        raise UnratedNotConfirmed(missing, appraisal.requirements.count(), doing)


@transaction.atomic
def submit_self_assessment(*, appraisal, by, confirmed_stage, confirm_unrated=False) -> Appraisal:
    """Self-assessment → manager review: the person hands it to their
    manager; with anything not rated only if they confirm it."""
    appraisal = lock(appraisal, confirmed_stage)
    _require_move("submit", appraisal, by)
    _check_rated(appraisal, "self", confirm_unrated, "submit your self-assessment")
    return _move(appraisal, Stage.MANAGER_REVIEW, Action.SUBMITTED, by)


def manager_started(appraisal):
    """Whether the manager has started the review: saved a rating, evidence
    or a comment of their side on any requirement, their summary or the
    outcome. (Objectives are not counted: the manager may set them up in
    draft, before anything is submitted.) Until then the person may take
    their self-assessment back."""
    if appraisal.manager_summary or appraisal.outcome:
        return True
    return appraisal.requirements.filter(
        Q(manager_rating__isnull=False) | ~Q(manager_evidence="") | ~Q(manager_comment="")
    ).exists()


def _started_note(appraisal):
    if manager_started(appraisal):
        return (
            f"{appraisal.manager.name} has started the review, so the self-assessment can no "
            "longer be taken back; ask them to send it back to you."
        )
    return None


@transaction.atomic
def take_back(*, appraisal, by, confirmed_stage) -> Appraisal:
    """Manager review → self-assessment: the person takes their submitted
    self-assessment back, until the manager starts the review (checked
    under the lock the manager's saves take too)."""
    appraisal = lock(appraisal, confirmed_stage)
    _require_move("take_back", appraisal, by)
    note = _started_note(appraisal)
    if note:
        raise WorkflowError(note)
    return _move(appraisal, Stage.SELF_ASSESSMENT, Action.TAKEN_BACK, by)


@transaction.atomic
def share_review(*, appraisal, by, confirmed_stage, confirm_unrated=False) -> Appraisal:
    """Manager review → review shared: the manager shares their ratings,
    the objectives and plan they propose and the outcome, for the person
    to answer item by item; with anything not rated only if they confirm
    it. Shared again after taking it back, the answers to what did not
    change stand."""
    appraisal = lock(appraisal, confirmed_stage)
    _require_move("share", appraisal, by)
    _check_rated(appraisal, "manager", confirm_unrated, "share the review")
    review.sync_items(appraisal, by)
    return _move(appraisal, Stage.REVIEW_SHARED, Action.SHARED, by)


@transaction.atomic
def take_back_review(*, appraisal, by, confirmed_stage, reason) -> Appraisal:
    """Review shared → manager review: the manager takes the review back to
    rework it, with a reason that is kept. The person's answers and
    threads stay; answers to what the manager changes are cleared when it
    is shared again."""
    appraisal = lock(appraisal, confirmed_stage)
    _require_move("take_back_review", appraisal, by)
    reason = _reason(reason, "take the review back")
    return _move(appraisal, Stage.MANAGER_REVIEW, Action.REVIEW_TAKEN_BACK, by, reason)


ANSWERS = {ReviewItem.Answer.AGREED, ReviewItem.Answer.DISAGREED}


@transaction.atomic
def answer_review(*, appraisal, by, confirmed_stage, answers) -> Appraisal:
    """The person's answers to the shared review, and either one's replies.

    `answers` maps an item's id to {"answer": "agreed" or "disagreed" (the
    person only; a disagreement needs a comment), "comment": text (added to
    the item's thread), "shown": the item's fingerprint as the page showed
    it (an answer to what has changed since is refused)}; what is not given
    is kept. When the person has
    agreed to every item, the appraisal is agreed."""
    appraisal = lock(appraisal, confirmed_stage)
    doing = "answer the review"
    _require_stage(appraisal, [Stage.REVIEW_SHARED], doing)
    person = is_the_person(by, appraisal)
    if not (person or can_act_as_manager(by, appraisal)):
        raise WorkflowError(
            f"Only {appraisal.person.name} and {appraisal.manager.name} can {doing}."
        )
    review.sync_items(appraisal, by)
    items = {
        item.pk: item for item in appraisal.review_items.select_related("requirement", "objective")
    }
    unknown = [pk for pk in answers if pk not in items]
    if unknown:
        raise WorkflowError(f"This review has no item {unknown[0]}.")
    now = timezone.now()
    disagreements = []
    for pk, values in answers.items():
        item = items[pk]
        extra = set(values) - {"answer", "comment", "shown"}
        if extra:
            raise WorkflowError(f"Unknown part of an answer: {sorted(extra)[0]}.")
        answer = values.get("answer") or ""
        comment = (values.get("comment") or "").strip()
        if answer and answer not in ANSWERS:
            raise WorkflowError(f"{answer!r} is not an answer: agreed or disagreed.")
        if answer and not person:
            raise WorkflowError(
                f"Only {appraisal.person.name} agrees or disagrees; reply, or change "
                f"{review.title(item)}."
            )
        if answer and values.get("shown") not in (None, item.shown):
            # The page showed another version of it: the answer was to that.
            raise StageChanged(
                f"{appraisal.manager.name} changed {review.title(item)} since you looked, so "
                "nothing was saved. Look at it again."
            )
        if answer == item.answer:
            answer = ""  # the same answer again: at most a comment
        if answer == ReviewItem.Answer.DISAGREED and not comment:
            raise WorkflowError(
                f"Say why you disagree with {review.title(item)}: your comment goes to "
                f"{appraisal.manager.name}."
            )
        if answer:
            item.answer, item.answered_at = answer, now
            item.save(update_fields=["answer", "answered_at"])
        if answer or comment:
            written = ReviewComment.objects.create(
                item=item, kind=answer or ReviewComment.Kind.REPLY, text=comment, by=by
            )
            if answer == ReviewItem.Answer.DISAGREED:
                disagreements.append(written)
    _touch(appraisal)
    notices.disagreed(appraisal, disagreements, by)
    if person and review.all_agreed(appraisal):
        return _move(appraisal, Stage.AGREED, Action.AGREED, by)
    return appraisal


@transaction.atomic
def sign_off(*, appraisal, by, confirmed_stage) -> Appraisal:
    """Agreed: the person or the manager signs with a timestamp; the second
    signature signs the appraisal off."""
    appraisal = lock(appraisal, confirmed_stage)
    move = MOVES["sign"]
    _require_stage(appraisal, move.stages, move.doing)
    field = _signature_field(by, appraisal)
    # Someone who signed already is told when, not only that they may not.
    if field and getattr(appraisal, field):
        when = timezone.localtime(getattr(appraisal, field))
        raise WorkflowError(f"You signed this appraisal on {when:%d %B %Y}.")
    _require(move.may(by, appraisal), move.who(appraisal), move.doing)
    setattr(appraisal, field, timezone.now())
    signed = AppraisalEvent.objects.create(
        appraisal=appraisal,
        action=Action.SIGNED,
        from_stage=appraisal.stage,
        to_stage=appraisal.stage,
        by=by,
    )
    notices.moved(appraisal, signed)  # the other side's turn, unless both signed
    if appraisal.person_signed_at and appraisal.manager_signed_at:
        return _move(appraisal, Stage.SIGNED_OFF, Action.SIGNED_OFF, by, extra_fields=[field])
    _touch(appraisal, field)
    return appraisal


# Going back one stage: the stage each may be sent back to (who may send it
# is MOVES["send_back"]). From review shared the manager takes the review
# back instead (take_back_review); from agreed it goes back to the manager's
# review, where they change what needs changing and share it again.
BACK = {
    Stage.SELF_ASSESSMENT: Stage.DRAFT,
    Stage.MANAGER_REVIEW: Stage.SELF_ASSESSMENT,
    Stage.AGREED: Stage.MANAGER_REVIEW,
}


@transaction.atomic
def send_back(*, appraisal, by, confirmed_stage, reason) -> Appraisal:
    """Back one stage, with a reason that is kept: the manager sends a
    self-assessment back to the person or to draft; from agreed, either of
    the two sends it back to manager review (their signatures are cleared)."""
    appraisal = lock(appraisal, confirmed_stage)
    _require_move("send_back", appraisal, by)
    reason = _reason(reason, "send it back")
    appraisal.person_signed_at = appraisal.manager_signed_at = None
    return _move(
        appraisal,
        BACK[appraisal.stage],
        Action.SENT_BACK,
        by,
        reason,
        extra_fields=["person_signed_at", "manager_signed_at"],
    )


@transaction.atomic
def reopen(*, appraisal, by, confirmed_stage, reason) -> Appraisal:
    """Signed off → manager review, by HR, with a reason that is kept. The
    signatures are cleared (the audit trail keeps when they were made)."""
    appraisal = lock(appraisal, confirmed_stage)
    _require_move("reopen", appraisal, by)
    reason = _reason(reason, "reopen it")
    appraisal.person_signed_at = appraisal.manager_signed_at = None
    return _move(
        appraisal,
        Stage.MANAGER_REVIEW,
        Action.REOPENED,
        by,
        reason,
        extra_fields=["person_signed_at", "manager_signed_at"],
    )


@transaction.atomic
def reassign_manager(*, appraisal, by, confirmed_stage, manager, reason="") -> Appraisal:
    """HR give an open appraisal to another manager (a person moved team).
    A signed-off appraisal keeps the manager who signed it."""
    appraisal = lock(appraisal, confirmed_stage)
    doing = "reassign an appraisal"
    _require(is_hr(by), "HR", doing)
    _require_stage(appraisal, [stage for stage in Stage.values if stage != Stage.SIGNED_OFF], doing)
    manager = Person.objects.get(pk=manager.pk)
    if manager.pk == appraisal.person_id:
        raise WorkflowError(f"{manager.name} cannot be the manager of their own appraisal.")
    if manager.pk == appraisal.manager_id:
        raise WorkflowError(f"{manager.name} is already this appraisal's manager.")
    if manager.account_id is None:
        raise WorkflowError(f"{manager.name} has no sign-in account, so could not act on it.")
    note = f"From {appraisal.manager.name} to {manager.name}."
    appraisal.manager = manager
    event = AppraisalEvent.objects.create(
        appraisal=appraisal,
        action=Action.REASSIGNED,
        from_stage=appraisal.stage,
        to_stage=appraisal.stage,
        reason=f"{note} {reason.strip()}".strip(),
        by=by,
    )
    _touch(appraisal, "manager")
    notices.moved(appraisal, event)
    return appraisal


# --- the moves ---------------------------------------------------------------------
# The appraisal's moves, one row each: the one place that says what each is
# called, at which stages it may happen and who may make it there. The
# transitions' guards check these rules under the lock; available_moves asks
# them without writing, so the appraisal's page and the API offer only the
# moves that would pass. (Reassigning the manager is HR's, from the cycle's
# page: not one of the appraisal's moves.)


@dataclass(frozen=True)
class Move:
    name: str  # in the page's address (move/<name>/) and in available_moves
    path: str  # the API's action: POST <appraisal>/<path>/
    service: Callable[..., Appraisal]  # the transition, called with the keywords above
    label: str  # the page's button
    message: str  # the page says it once the move is made
    needs_reason: bool  # the service takes a `reason`, and refuses an empty one
    stages: tuple  # the stages it may happen at
    may: Callable  # may(user, appraisal): whether the user may make it there
    who: Callable  # who(appraisal): those who may, in words, for a refusal
    doing: str  # the move in words, for a refusal
    # Moves that hand over ratings (submit, share) are refused with anything
    # not rated unless the caller confirms it (`confirm_unrated`).
    checks_unrated: bool = False
    # blocked(appraisal): why it may not happen now although the stage and
    # the user fit (in words), or None; such a move is not offered.
    blocked: Callable | None = None


def _signature_field(user, appraisal):
    """Where the user's signature goes: the person's or the manager's."""
    if is_the_person(user, appraisal):
        return "person_signed_at"
    if can_act_as_manager(user, appraisal):
        return "manager_signed_at"
    return None


def _may_sign(user, appraisal):
    """The person and the manager, each once."""
    field = _signature_field(user, appraisal)
    return field is not None and not getattr(appraisal, field)


def _may_send_back(user, appraisal):
    """The manager; from agreed the person too."""
    if appraisal.stage == Stage.AGREED and is_the_person(user, appraisal):
        return True
    return can_act_as_manager(user, appraisal)


def _the_two(appraisal):
    return f"{appraisal.person.name} and {appraisal.manager.name}"


MOVES = {
    move.name: move
    for move in [
        Move(
            name="start",
            path="start",
            service=start_self_assessment,
            label="Open for self-assessment",
            message="The appraisal is open for self-assessment.",
            needs_reason=False,
            stages=(Stage.DRAFT,),
            may=lambda user, appraisal: can_act_as_manager(user, appraisal) or is_hr(user),
            who=lambda appraisal: f"{_the_manager(appraisal)} or HR",
            doing="open an appraisal for self-assessment",
        ),
        Move(
            name="submit",
            path="submit",
            service=submit_self_assessment,
            label="Submit your self-assessment",
            message="Your self-assessment went to your manager.",
            needs_reason=False,
            stages=(Stage.SELF_ASSESSMENT,),
            may=is_the_person,
            who=_the_person,
            doing="submit the self-assessment",
            checks_unrated=True,
        ),
        Move(
            name="take_back",
            path="take-back",
            service=take_back,
            label="Take back your self-assessment",
            message="You took your self-assessment back: change it and submit it again.",
            needs_reason=False,
            stages=(Stage.MANAGER_REVIEW,),
            may=is_the_person,
            who=_the_person,
            doing="take back the self-assessment",
            blocked=_started_note,
        ),
        Move(
            name="share",
            path="share",
            service=share_review,
            label="Share the review",
            message="The review is shared.",
            needs_reason=False,
            stages=(Stage.MANAGER_REVIEW,),
            may=can_act_as_manager,
            who=_the_manager,
            doing="share the review",
            checks_unrated=True,
        ),
        Move(
            name="take_back_review",
            path="take-back-review",
            service=take_back_review,
            label="Take the review back",
            message="You took the review back: change it and share it again.",
            needs_reason=True,
            stages=(Stage.REVIEW_SHARED,),
            may=can_act_as_manager,
            who=_the_manager,
            doing="take the review back",
        ),
        Move(
            name="sign",
            path="sign",
            service=sign_off,
            label="Sign the appraisal",
            message="You signed the appraisal.",
            needs_reason=False,
            stages=(Stage.AGREED,),
            may=_may_sign,
            who=_the_two,
            doing="sign the appraisal",
        ),
        Move(
            name="send_back",
            path="send-back",
            service=send_back,
            label="Send back",
            message="The appraisal went back a stage.",
            needs_reason=True,
            stages=tuple(BACK),
            may=_may_send_back,
            who=lambda appraisal: (
                _the_two(appraisal) if appraisal.stage == Stage.AGREED else _the_manager(appraisal)
            ),
            doing="send the appraisal back",
        ),
        Move(
            name="reopen",
            path="reopen",
            service=reopen,
            label="Reopen",
            message="The appraisal is reopened for manager review.",
            needs_reason=True,
            stages=(Stage.SIGNED_OFF,),
            may=lambda user, appraisal: is_hr(user),
            who=lambda appraisal: "HR",
            doing="reopen a signed-off appraisal",
        ),
    ]
}


# --- the saves of each stage -----------------------------------------------------------


def _check_unsigned(appraisal):
    signed = [
        name
        for name, at in (
            (appraisal.person.name, appraisal.person_signed_at),
            (appraisal.manager.name, appraisal.manager_signed_at),
        )
        if at
    ]
    if signed:
        raise WorkflowError(
            f"{' and '.join(signed)} signed what it says; send it back to change it."
        )


def _save_ratings(appraisal, ratings, prefix):
    """Write one side's ratings. `ratings` maps a requirement's id to any
    of {"rating", "evidence", "comment"}; what is not given is kept, so a
    save never drops another field. A rating is a rank of the requirement's
    own scale, or None for "Not rated"."""
    rows = {row.pk: row for row in appraisal.requirements.filter(pk__in=list(ratings))}
    unknown = [pk for pk in ratings if pk not in rows]
    if unknown:
        raise WorkflowError(f"This appraisal has no requirement {unknown[0]}.")
    fields = set()
    for pk, values in ratings.items():
        row = rows[pk]
        extra = set(values) - {"rating", "evidence", "comment"}
        if extra:
            raise WorkflowError(f"Unknown part of a rating: {sorted(extra)[0]}.")
        if "rating" in values:
            rating = values["rating"]
            if rating is not None and rating not in {step["rank"] for step in row.scale}:
                raise WorkflowError(
                    f"{rating!r} is not on the scale of '{row.title}'; choose one of "
                    + ", ".join(f"{step['rank']} ({step['name']})" for step in row.scale)
                    + ", or leave it not rated."
                )
            setattr(row, f"{prefix}_rating", rating)
            fields.add(f"{prefix}_rating")
        for part in ("evidence", "comment"):
            if part in values:
                setattr(row, f"{prefix}_{part}", (values[part] or "").strip())
                fields.add(f"{prefix}_{part}")
    if fields:
        bulk_update(type(next(iter(rows.values()))), list(rows.values()), sorted(fields))
        _touch(appraisal)
    return appraisal


@transaction.atomic
def save_self_ratings(*, appraisal, by, confirmed_stage, ratings) -> Appraisal:
    """The person's ratings, evidence and comments, during self-assessment."""
    appraisal = lock(appraisal, confirmed_stage)
    doing = "save self-assessment ratings"
    _require_stage(appraisal, [Stage.SELF_ASSESSMENT], doing)
    _require(is_the_person(by, appraisal), _the_person(appraisal), doing)
    return _save_ratings(appraisal, ratings, "self")


@transaction.atomic
def save_manager_ratings(*, appraisal, by, confirmed_stage, ratings) -> Appraisal:
    """The manager's ratings, evidence and comments, during manager review
    and, answering the person, while the review is shared (a changed
    rating goes back to the person)."""
    appraisal = lock(appraisal, confirmed_stage)
    doing = "save the manager's ratings"
    _require_stage(appraisal, [Stage.MANAGER_REVIEW, Stage.REVIEW_SHARED], doing)
    _require(can_act_as_manager(by, appraisal), _the_manager(appraisal), doing)
    _save_ratings(appraisal, ratings, "manager")
    return _resync(appraisal, by)


def _resync(appraisal, by):
    """While the review is shared, what the manager changed goes back to
    the person (review.sync_items)."""
    if appraisal.stage == Stage.REVIEW_SHARED:
        review.sync_items(appraisal, by)
    return appraisal


PERSON_SUMMARY_STAGES = (Stage.SELF_ASSESSMENT, Stage.REVIEW_SHARED, Stage.AGREED)
MANAGER_SUMMARY_STAGES = (Stage.MANAGER_REVIEW, Stage.REVIEW_SHARED, Stage.AGREED)
# The outcome is answered by the person once shared: once they agreed to
# it, changing it takes sending the appraisal back.
OUTCOME_STAGES = (Stage.MANAGER_REVIEW, Stage.REVIEW_SHARED)


@transaction.atomic
def save_summary(*, appraisal, by, confirmed_stage, text) -> Appraisal:
    """The writer's own summary comment: the person's during
    self-assessment, review shared and agreed, the manager's during manager
    review, review shared and agreed (until someone signs)."""
    appraisal = lock(appraisal, confirmed_stage)
    doing = "write a summary"
    if is_the_person(by, appraisal):
        field, stages = "person_summary", PERSON_SUMMARY_STAGES
    elif can_act_as_manager(by, appraisal):
        field, stages = "manager_summary", MANAGER_SUMMARY_STAGES
    else:
        raise WorkflowError(
            f"Only {appraisal.person.name} and {appraisal.manager.name} can {doing}."
        )
    _require_stage(appraisal, stages, doing)
    _check_unsigned(appraisal)
    setattr(appraisal, field, (text or "").strip())
    _touch(appraisal, field)
    return appraisal


@transaction.atomic
def set_outcome(*, appraisal, by, confirmed_stage, outcome) -> Appraisal:
    """The overall outcome, proposed by the manager in review; changed while
    the review is shared, it goes back to the person."""
    appraisal = lock(appraisal, confirmed_stage)
    doing = "set the outcome"
    _require_stage(appraisal, OUTCOME_STAGES, doing)
    _require(can_act_as_manager(by, appraisal), _the_manager(appraisal), doing)
    _check_unsigned(appraisal)
    if outcome not in Appraisal.Outcome.values and outcome != "":
        raise WorkflowError(f"{outcome!r} is not an outcome.")
    appraisal.outcome = outcome
    _touch(appraisal, "outcome")
    return _resync(appraisal, by)


# --- what a page may offer ----------------------------------------------------------
# The same conditions the functions above check, asked without writing, so a
# page (or the API) offers only the moves and saves that would pass. The
# functions still check everything again under the lock.


def may_edit_side(user, appraisal):
    """ "self" or "manager": the side of the ratings this user may write
    now, or None."""
    if appraisal.stage == Stage.SELF_ASSESSMENT and is_the_person(user, appraisal):
        return "self"
    if appraisal.stage in (Stage.MANAGER_REVIEW, Stage.REVIEW_SHARED) and can_act_as_manager(
        user, appraisal
    ):
        return "manager"
    return None


def may_answer(user, appraisal):
    """ "person" (answers and comments) or "manager" (replies) while the
    review is shared, or None."""
    if appraisal.stage != Stage.REVIEW_SHARED:
        return None
    if is_the_person(user, appraisal):
        return "person"
    if can_act_as_manager(user, appraisal):
        return "manager"
    return None


def may_write_summary(user, appraisal):
    """The summary field this user may write now ("person_summary" or
    "manager_summary"), or None."""
    if appraisal.person_signed_at or appraisal.manager_signed_at:
        return None
    if is_the_person(user, appraisal) and appraisal.stage in PERSON_SUMMARY_STAGES:
        return "person_summary"
    if can_act_as_manager(user, appraisal) and appraisal.stage in MANAGER_SUMMARY_STAGES:
        return "manager_summary"
    return None


def may_set_outcome(user, appraisal):
    return bool(
        appraisal.stage in OUTCOME_STAGES
        and can_act_as_manager(user, appraisal)
        and not (appraisal.person_signed_at or appraisal.manager_signed_at)
    )


def available_moves(user, appraisal):
    """The names of the moves `user` may make now, in MOVES' order."""
    return [
        move.name
        for move in MOVES.values()
        if appraisal.stage in move.stages
        and move.may(user, appraisal)
        and not (move.blocked and move.blocked(appraisal))
    ]


def waiting_for(appraisal):
    """Whom the appraisal waits for at its stage, in words: (who, what)."""
    person, manager = appraisal.person.name, appraisal.manager.name
    if appraisal.stage == Stage.DRAFT:
        return manager, "to open it for self-assessment"
    if appraisal.stage == Stage.SELF_ASSESSMENT:
        return person, "to rate themself and submit"
    if appraisal.stage == Stage.MANAGER_REVIEW:
        return manager, "to rate and share the review"
    if appraisal.stage == Stage.REVIEW_SHARED:
        # As waiting.py's rules: the person while any item is unanswered,
        # the manager while any disagreement is not settled; both at once.
        answers = appraisal.review_items.aggregate(
            disagreed=Count("pk", filter=Q(answer=ReviewItem.Answer.DISAGREED)),
            unanswered=Count("pk", filter=Q(answer=ReviewItem.Answer.WAITING)),
        )
        disagreed = answers["disagreed"]
        settle = f"settle {disagreed} disagreement{'s' if disagreed != 1 else ''}"
        if not disagreed:
            return person, "to answer the review: agree, or disagree with a comment"
        if answers["unanswered"]:
            return (
                f"{person} and {manager}",
                f"{person} to answer the rest of the review, {manager} to {settle}: "
                "reply, or change what is disagreed with",
            )
        return manager, f"to {settle} with {person}: reply, or change what they disagree with"
    if appraisal.stage == Stage.AGREED:
        unsigned = [
            name
            for name, at in (
                (person, appraisal.person_signed_at),
                (manager, appraisal.manager_signed_at),
            )
            if not at
        ]
        return " and ".join(unsigned), "to sign"
    return None, "nothing: it is signed off"
