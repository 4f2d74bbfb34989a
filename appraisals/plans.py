"""Objectives, development plans and check-ins.

Objectives and plan actions belong to an appraisal and change under its
lock, like its ratings: the manager proposes them (in draft, manager
review, review shared and agreed), the person joins in once agreed, HR may
set up a draft; nothing changes once someone has signed. A change while the
review is shared goes back to the person to answer (review.sync_items).
suggest_development_actions() offers the profile's training and PDAs for the
biggest gaps first; the two people choose. Check-ins are 1:1 notes between
a person and their manager.
"""

import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction

from appraisals.access import can_act_as_manager, is_the_person
from appraisals.models import CheckIn, DevelopmentAction, Objective, Stage
from appraisals.workflow import WorkflowError, _check_unsigned, _resync, _touch, lock
from competency.models import DevelopmentActivity, Training, fingerprint
from competency.roles import is_hr

OBJECTIVE_FIELDS = {"title", "measure", "due_on", "status", "progress_notes"}
ACTION_FIELDS = {"title", "details", "status", "due_on", "requirement", "position"}


def _check_planner(appraisal, by, doing):
    if appraisal.stage == Stage.SIGNED_OFF:
        raise WorkflowError("A signed-off appraisal is read-only.")
    allowed = (
        (can_act_as_manager(by, appraisal) and appraisal.stage != Stage.SELF_ASSESSMENT)
        or (is_the_person(by, appraisal) and appraisal.stage == Stage.AGREED)
        or (is_hr(by) and appraisal.stage == Stage.DRAFT)
    )
    if not allowed:
        raise WorkflowError(
            f"You cannot {doing} at {Stage(appraisal.stage).label.lower()}: the manager "
            "proposes them in draft and manager review, and both agree them once shared."
        )
    _check_unsigned(appraisal)


def _apply(obj, values, allowed):
    extra = set(values) - allowed
    if extra:
        raise WorkflowError(f"Unknown field: {sorted(extra)[0]}.")
    for name, value in values.items():
        setattr(obj, name, value.strip() if isinstance(value, str) else value)
    if not (obj.title or "").strip():
        raise WorkflowError("Give it a title.")
    try:
        obj.full_clean(exclude=["appraisal", "requirement", "carried_from"])
    except ValidationError as error:
        raise WorkflowError(error.message_dict) from error


@transaction.atomic
def add_objective(*, appraisal, by, confirmed_stage, **values) -> Objective:
    appraisal = lock(appraisal, confirmed_stage)
    _check_planner(appraisal, by, "add objectives")
    objective = Objective(appraisal=appraisal, position=appraisal.objectives.count())
    _apply(objective, values, OBJECTIVE_FIELDS)
    objective.save()
    _touch(appraisal)
    _resync(appraisal, by)
    return objective


@transaction.atomic
def update_objective(*, objective, by, confirmed_stage, **values) -> Objective:
    appraisal = lock(objective.appraisal, confirmed_stage)
    _check_planner(appraisal, by, "change objectives")
    objective = Objective.objects.select_for_update().get(pk=objective.pk, appraisal=appraisal)
    _apply(objective, values, OBJECTIVE_FIELDS)
    objective.save()
    _touch(appraisal)
    _resync(appraisal, by)
    return objective


@transaction.atomic
def add_development_action(
    *, appraisal, by, confirmed_stage, training=None, development_activity=None, **values
) -> DevelopmentAction:
    """An action from one of the profile's training items or PDAs (its
    title and details copied), or written freely (title, details)."""
    appraisal = lock(appraisal, confirmed_stage)
    _check_planner(appraisal, by, "plan development")
    source = training or development_activity
    action = DevelopmentAction(
        appraisal=appraisal,
        training=training,
        development_activity=development_activity,
        title=source.title if source else "",
        details=source.details if source else "",
        position=appraisal.development_actions.count(),
    )
    requirement = values.get("requirement")
    if requirement is not None and requirement.appraisal_id != appraisal.pk:
        raise WorkflowError("That requirement belongs to another appraisal.")
    _apply(action, values, ACTION_FIELDS)
    action.save()
    _touch(appraisal)
    _resync(appraisal, by)
    return action


@transaction.atomic
def update_development_action(*, action, by, confirmed_stage, **values) -> DevelopmentAction:
    appraisal = lock(action.appraisal, confirmed_stage)
    _check_planner(appraisal, by, "change the development plan")
    action = DevelopmentAction.objects.select_for_update().get(pk=action.pk, appraisal=appraisal)
    requirement = values.get("requirement")
    if requirement is not None and requirement.appraisal_id != appraisal.pk:
        raise WorkflowError("That requirement belongs to another appraisal.")
    _apply(action, values, ACTION_FIELDS)
    action.save()
    _touch(appraisal)
    _resync(appraisal, by)
    return action


@dataclass
class Suggestion:
    """A requirement below what is required, and the profile's training and
    PDAs to offer for it (the likeliest first, by shared words)."""

    requirement: object
    gap: int
    options: list = field(default_factory=list)


def _words(text):
    return {word for word in re.findall(r"[a-z]{4,}", text.lower())}


def suggest_development_actions(appraisal):
    """Suggestions for the requirements rated below what is required,
    biggest gap first. Options are the training and PDAs of the profile
    version the appraisal is against (catalogue items, so they can be added
    with add_development_action); three queries."""
    below = [row for row in appraisal.requirements.all() if row.gap is not None and row.gap < 0]
    if not below:
        return []
    document = appraisal.profile_version.document
    options = []
    for model, key in ((Training, "training"), (DevelopmentActivity, "pdas")):
        keys = [fingerprint(row["title"], row["details"]) for row in document.get(key, [])]
        items = {item.key: item for item in model.objects.filter(key__in=keys)}
        options += [items[k] for k in keys if k in items]
    suggestions = []
    for row in sorted(below, key=lambda row: (row.gap, row.position)):
        wanted = _words(f"{row.title} {row.details}")
        ranked = sorted(
            options, key=lambda item: -len(wanted & _words(f"{item.title} {item.details}"))
        )
        suggestions.append(Suggestion(row, row.gap, ranked))
    return suggestions


def option_key(item):
    """How a form or an API client names one of the profile's training
    items or PDAs: "training-<id>" or "pda-<id>"."""
    return f"{'training' if isinstance(item, Training) else 'pda'}-{item.pk}"


def offered_option(appraisal, key):
    """The `add_development_action` arguments for the training item or PDA
    named `key`, which must be one the suggestions offer (the profile
    version's own); WorkflowError otherwise."""
    offered = {
        option_key(item): item
        for suggestion in suggest_development_actions(appraisal)
        for item in suggestion.options
    }
    item = offered.get(key)
    if item is None:
        raise WorkflowError("Choose one of the profile's training items or PDAs.")
    if isinstance(item, DevelopmentActivity):
        return {"development_activity": item}
    return {"training": item}


# --- check-ins ------------------------------------------------------------------


class CheckInError(WorkflowError):
    pass


@transaction.atomic
def record_check_in(*, person, by, held_on, notes="", agreed_actions="") -> CheckIn:
    """A 1:1 recorded by the person's line manager."""
    manager = person.line_manager
    if manager is None or manager.account_id != by.pk:
        raise CheckInError(f"Only {person.name}'s line manager can record a check-in with them.")
    return CheckIn.objects.create(
        person=person,
        manager=manager,
        held_on=held_on,
        notes=notes.strip(),
        agreed_actions=agreed_actions.strip(),
        created_by=by,
    )


@transaction.atomic
def update_check_in(*, check_in, by, **values) -> CheckIn:
    """Change a check-in's notes or agreed actions: the manager who held it."""
    check_in = CheckIn.objects.select_for_update().select_related("manager").get(pk=check_in.pk)
    if check_in.manager.account_id != by.pk:
        raise CheckInError(f"Only {check_in.manager.name}, who held it, can change this check-in.")
    extra = set(values) - {"held_on", "notes", "agreed_actions"}
    if extra:
        raise CheckInError(f"Unknown field: {sorted(extra)[0]}.")
    for name, value in values.items():
        setattr(check_in, name, value.strip() if isinstance(value, str) else value)
    check_in.save()
    return check_in


def may_plan(user, appraisal):
    """Whether `user` may add or change objectives and plan actions now
    (the rule _check_planner applies, asked without writing)."""
    try:
        _check_planner(appraisal, user, "plan")
    except WorkflowError:
        return False
    return True
