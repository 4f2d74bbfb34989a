"""A shared review's items: what the person answers, and when an answer
still stands.

From "review shared" on, the person answers each of the manager's
ratings, each objective, the development plan and the outcome: agrees,
or disagrees with a comment, in a short thread both may add to. Each item
keeps a fingerprint of what the person is answering (`shown`); when the
manager changes a rating, an objective, the plan or the outcome, the
item's answer is cleared and a note added to its thread, so the change
goes back to the person. The appraisal is agreed when every item is.

The services that write answers and replies are in workflow.py (they
move the appraisal); these functions only work out the items, inside the
callers' transactions and locks.
"""

import hashlib

from appraisals.models import ReviewComment, ReviewItem

Kind = ReviewItem.Kind
Answer = ReviewItem.Answer


def _digest(*parts):
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def _wanted(appraisal):
    """(kind, requirement id, objective id, fingerprint) of every item the
    appraisal's review has now, in the page's order."""
    wanted = [
        (
            Kind.REQUIREMENT,
            row.pk,
            None,
            _digest(row.manager_rating, row.manager_evidence, row.manager_comment),
        )
        for row in appraisal.requirements.order_by("position")
    ]
    wanted += [
        (
            Kind.OBJECTIVE,
            None,
            objective.pk,
            _digest(objective.title, objective.measure, str(objective.due_on), objective.status),
        )
        for objective in appraisal.objectives.all()
    ]
    plan = [
        (
            action.pk,
            action.title,
            action.details,
            action.requirement_id,
            str(action.due_on),
            action.status,
        )
        for action in appraisal.development_actions.order_by("pk")
    ]
    wanted.append((Kind.PLAN, None, None, _digest(*plan)))
    wanted.append((Kind.OUTCOME, None, None, _digest(appraisal.outcome)))
    return wanted


def sync_items(appraisal, by=None):
    """Make the review's items match the appraisal: add those missing (an
    objective added since), and clear the answer of each whose content
    changed since it was answered, noting the change in its thread (by
    `by`). Call under the appraisal's lock."""
    items = {
        (item.kind, item.requirement_id, item.objective_id): item
        for item in appraisal.review_items.all()
    }
    for kind, requirement, objective, shown in _wanted(appraisal):
        item = items.get((kind, requirement, objective))
        if item is None:
            ReviewItem.objects.create(
                appraisal=appraisal,
                kind=kind,
                requirement_id=requirement,
                objective_id=objective,
                shown=shown,
            )
            continue
        if item.shown == shown:
            continue
        if item.answer and item.shown:
            # What was answered changed: the person answers again.
            item.answer = Answer.WAITING
            item.answered_at = None
            ReviewComment.objects.create(item=item, kind=ReviewComment.Kind.CHANGED, by=by)
        item.shown = shown
        item.save(update_fields=["answer", "answered_at", "shown"])


def items(appraisal):
    """The review's items with their threads, in the page's order:
    ratings by position, then objectives, the plan and the outcome."""
    order = {Kind.REQUIREMENT: 0, Kind.OBJECTIVE: 1, Kind.PLAN: 2, Kind.OUTCOME: 3}
    found = list(
        appraisal.review_items.select_related("requirement", "objective").prefetch_related(
            "comments__by"
        )
    )
    return sorted(
        found,
        key=lambda item: (
            order[item.kind],
            item.requirement.position if item.requirement else 0,
            item.objective_id or 0,
        ),
    )


def counts(review_items):
    """How many items are agreed, disagreed and waiting for an answer."""
    found = {"agreed": 0, "disagreed": 0, "waiting": 0, "total": len(review_items)}
    for item in review_items:
        found[item.answer or "waiting"] += 1
    return found


def all_agreed(appraisal):
    return not appraisal.review_items.exclude(answer=Answer.AGREED).exists()


def title(item):
    """The item in words, for a refusal or a thread's heading."""
    if item.kind == Kind.REQUIREMENT:
        return f"the rating of {item.requirement.title}"
    if item.kind == Kind.OBJECTIVE:
        return f"the objective {item.objective.title}"
    return "the development plan" if item.kind == Kind.PLAN else "the outcome"
