"""Objectives, development plans and check-ins.

Objectives and plan actions belong to an appraisal and change under its
lock, like its ratings: the manager proposes them (in draft, manager
review, review shared and agreed), the person joins in once agreed, HR may
set up a draft; nothing changes once someone has signed. A change while the
review is shared goes back to the person to answer (review.sync_items).
suggest_development_actions() offers the profile's training and PDAs for the
biggest gaps first, those that develop the gap's skill or knowledge item (as
the catalogue says) before the rest; the two people choose. The person
records progress on their own objectives (record_objective_progress).
Check-ins are 1:1 notes between a person and their manager.
"""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import CharField, Value
from django.utils.text import Truncator

from appraisals.access import can_act_as_manager, is_the_person
from appraisals.models import CheckIn, DevelopmentAction, Objective, Stage
from appraisals.workflow import (
    StageChanged,
    WorkflowError,
    _check_unsigned,
    _resync,
    _touch,
    lock,
)
from competency.models import DevelopmentActivity, Training, fingerprint
from competency.problems import Problem
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
def update_objective(
    *, objective, by, confirmed_stage, confirmed_progress=None, **values
) -> Objective:
    """Change an objective. `confirmed_progress`: progress_fingerprint() of
    the status and progress note the editor's form showed (a page's whole
    form sends them back). When the person recorded progress since, their
    progress is kept if the editor left those two as shown, and the change
    is refused if the editor changed them too: never a silent overwrite."""
    appraisal = lock(objective.appraisal, confirmed_stage)
    _check_planner(appraisal, by, "change objectives")
    objective = Objective.objects.select_for_update().get(pk=objective.pk, appraisal=appraisal)
    if confirmed_progress is not None and confirmed_progress != progress_fingerprint(objective):
        sent = {name: values.get(name) for name in ("status", "progress_notes")}
        if fingerprint("progress", sent["status"], sent["progress_notes"]) != confirmed_progress:
            now = Objective.Status(objective.status).label.lower()
            if objective.progress_notes:
                now += f": “{Truncator(objective.progress_notes).chars(200)}”"
            raise ProgressChanged(
                f"{appraisal.person.name} recorded progress on this objective while you were "
                f"editing it (now {now}), so nothing was saved. Look at it again: what you "
                "typed is below; saving it again replaces theirs."
            )
        # Untouched in the form: the person's newer progress stays.
        values.pop("status", None)
        values.pop("progress_notes", None)
    _apply(objective, values, OBJECTIVE_FIELDS)
    objective.save()
    _touch(appraisal)
    _resync(appraisal, by)
    return objective


# --- the person's progress on their own objectives -------------------------------


class ProgressChanged(StageChanged):
    """The objective's progress changed since the writer read it."""


class NotYourObjective(Problem, WorkflowError):
    """Someone who may read the objective, but is not its person, asked to
    record progress on it as the person (the API answers 403)."""

    problem_status = 403
    problem_type = "about:blank"
    problem_title = "Forbidden"

    def problem_detail(self):
        return " ".join(self.messages)


def progress_fingerprint(objective):
    """What the person confirmed they read: the progress the form showed."""
    return fingerprint("progress", objective.status, objective.progress_notes)


NOT_THE_PERSON = "Only the person whose objective it is records their progress here."


def progress_refusal(user, objective):
    """Why `user` may not record progress on this objective now, or None:
    only the person whose appraisal it is, on an objective they can see
    (carried over from an agreed appraisal, or in one shared with them),
    while the appraisal is not signed off and nobody has signed it."""
    appraisal = objective.appraisal
    if not is_the_person(user, appraisal):
        return NOT_THE_PERSON
    if appraisal.stage == Stage.SIGNED_OFF:
        return (
            "Its appraisal is signed off, so it keeps what was signed; unfinished objectives "
            "carry over into your next appraisal, where you can update them."
        )
    if objective.carried_from_id is None and not appraisal.reached(Stage.AGREED):
        # Proposed, not yet agreed (in review shared the person is answering
        # it): progress is recorded against what both agreed.
        return (
            "This objective is not agreed yet: you can record progress on it once you and "
            "your manager have agreed the review."
        )
    if appraisal.person_signed_at or appraisal.manager_signed_at:
        return "Its appraisal has been signed, so it keeps what was signed."
    return None


@transaction.atomic
def record_objective_progress(
    *, objective, by, confirmed, status=None, progress_notes=None
) -> Objective:
    """The person records the status and a progress note of one of their own
    objectives (either left as it is when None). `confirmed`:
    progress_fingerprint() of what they read; a change meanwhile (by their
    manager, say) refuses rather than overwrite. None: the caller checked
    the appraisal's revision under this transaction's lock instead (the
    API's If-Match), or asked for any version (If-Match: *)."""
    appraisal = lock(objective.appraisal, None)
    objective = Objective.objects.select_for_update().get(pk=objective.pk, appraisal=appraisal)
    objective.appraisal = appraisal
    refusal = progress_refusal(by, objective)
    if refusal == NOT_THE_PERSON:
        raise NotYourObjective(refusal)
    if refusal:
        raise WorkflowError(refusal)
    if confirmed is not None and confirmed != progress_fingerprint(objective):
        raise ProgressChanged(
            "The objective's progress was changed while you were looking, so nothing was "
            "saved. Look at it again: what you typed is below."
        )
    values = {"status": status, "progress_notes": progress_notes}
    _apply(
        objective,
        {name: value for name, value in values.items() if value is not None},
        OBJECTIVE_FIELDS,
    )
    objective.save(update_fields=["status", "progress_notes"])
    _touch(appraisal)
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
    PDAs to offer for it: first those HR say develop its skill or knowledge
    item (`developing`), then the rest of the profile's (`others`), each in
    the profile's order. `planned`: the option keys already in the plan
    for this requirement."""

    requirement: object
    gap: int
    developing: list = field(default_factory=list)
    others: list = field(default_factory=list)
    planned: set = field(default_factory=set)

    @property
    def options(self):
        return self.developing + self.others


def _profile_options(document):
    """The profile version's training items and PDAs as catalogue items,
    in the profile's order (training first): two queries."""
    options = []
    for model, key in ((Training, "training"), (DevelopmentActivity, "pdas")):
        keys = [fingerprint(row["title"], row["details"]) for row in document.get(key, [])]
        items = {item.key: item for item in model.objects.filter(key__in=keys)}
        options += [items[k] for k in keys if k in items]
    return options


def _developed(options, rows):
    """{option key: {(kind of catalogue item, id)}} for what each option
    develops among the catalogue items of `rows`: one query (a UNION of
    the link tables needed)."""
    wanted = {
        "skill": {row.skill_id for row in rows if row.skill_id},
        "knowledge": {row.knowledge_item_id for row in rows if row.knowledge_item_id},
    }
    parts = []
    for model, prefix in ((Training, "training"), (DevelopmentActivity, "pda")):
        ids = [item.pk for item in options if isinstance(item, model)]
        owner = f"{model._meta.model_name}_id"
        for kind, name, target in (
            ("skill", "develops_skills", "skill_id"),
            ("knowledge", "develops_knowledge", "knowledgeitem_id"),
        ):
            if ids and wanted[kind]:
                parts.append(
                    getattr(model, name)
                    .through.objects.filter(**{f"{owner}__in": ids, f"{target}__in": wanted[kind]})
                    .annotate(
                        option_prefix=Value(prefix, CharField()),
                        item_kind=Value(kind, CharField()),
                    )
                    .values_list("option_prefix", owner, "item_kind", target)
                )
    found = {}
    if parts:
        links = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
        for prefix, option, kind, item in links:
            found.setdefault(f"{prefix}-{option}", set()).add((kind, item))
    return found


def _item_of(row):
    if row.skill_id:
        return ("skill", row.skill_id)
    if row.knowledge_item_id:
        return ("knowledge", row.knowledge_item_id)
    return None


def suggest_development_actions(appraisal):
    """Suggestions for the requirements rated below what is required,
    biggest gap first. Options are the training and PDAs of the profile
    version the appraisal is against (catalogue items, so they can be added
    with add_development_action): for each gap, those that develop its
    item first. Five queries whatever the number of gaps and options: the
    requirements, the training items, the PDAs, what they develop, and the
    plan's actions."""
    below = [row for row in appraisal.requirements.all() if row.gap is not None and row.gap < 0]
    if not below:
        return []
    options = _profile_options(appraisal.profile_version.document)
    develops = _developed(options, below)
    planned = {}
    for requirement, training, activity in appraisal.development_actions.values_list(
        "requirement_id", "training_id", "development_activity_id"
    ):
        if training or activity:
            key = f"training-{training}" if training else f"pda-{activity}"
            planned.setdefault(requirement, set()).add(key)
    suggestions = []
    for row in sorted(below, key=lambda row: (row.gap, row.position)):
        item = _item_of(row)
        suggestion = Suggestion(row, row.gap, planned=planned.get(row.pk, set()))
        for option in options:
            aimed = item is not None and item in develops.get(option_key(option), ())
            (suggestion.developing if aimed else suggestion.others).append(option)
        suggestions.append(suggestion)
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


def may_record_check_in(user, person):
    """Whether `user` records check-ins with `person`: their line manager."""
    manager = person.line_manager
    return manager is not None and manager.account_id == user.pk


def check_in_recorder_only(person):
    return f"Only {person.name}'s line manager can record a check-in with them."


def may_change_check_in(user, check_in):
    """Whether `user` changes `check_in`: the manager who held it."""
    return check_in.manager.account_id == user.pk


def check_in_changer_only(check_in):
    return f"Only {check_in.manager.name}, who held it, can change this check-in."


@transaction.atomic
def record_check_in(*, person, by, held_on, notes="", agreed_actions="") -> CheckIn:
    """A 1:1 recorded by the person's line manager."""
    if not may_record_check_in(by, person):
        raise CheckInError(check_in_recorder_only(person))
    manager = person.line_manager
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
    if not may_change_check_in(by, check_in):
        raise CheckInError(check_in_changer_only(check_in))
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
