"""An appraisal's pages: the appraisal itself stage by stage, its forms and
moves, the summary and its PDF.

Every view finds the appraisal through Appraisal.objects.visible_to (404
otherwise), shows only the sides access.visible_sides allows, and changes
things only through the services in workflow.py and plans.py, which check
the stage the page showed (confirmed_stage) under a lock. The moves, their
buttons and messages are workflow.MOVES.

The appraisal's page is one form, posted to the page itself with the
button pressed as `do`: every button saves everything typed (ratings,
summary, outcome, the review's answers and replies, an objective or action
being written) and then does its action, in one transaction (_act). A
refusal of either undoes both: what is stored is never half of what was
asked, and the page comes back (400; 409 when the appraisal moved on) with
everything typed and the reason, so the person can put it right or save
without the refused action. The older addresses (ratings/, move/<name>/,
summary-comment/, outcome/, objectives/, plan/) do the same with their
button's action.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_POST

from appraisals import plans, review, workflow
from appraisals.access import masked_requirements, sees_plan, visible_sides
from appraisals.forms import ActionForm, ObjectiveForm
from appraisals.models import (
    Appraisal,
    AppraisalEvent,
    DevelopmentAction,
    Objective,
    Requirement,
    Stage,
)
from appraisals.views.common import readable_appraisal, signed_in
from competency.forms import add_errors
from competency.prepared import Prepared

# The order the page shows the kinds in, with their headings.
KIND_HEADINGS = [
    (Requirement.Kind.ORGANISATION_SKILL, "Organisation skills"),
    (Requirement.Kind.KNOWLEDGE, "Knowledge and skills"),
    (Requirement.Kind.BEHAVIOURAL, "Behaviours"),
    (Requirement.Kind.WORK_ACTIVITY, "Work activities"),
]


# The appraisal's parts, for its task list: each its own page with Save and
# continue (a long appraisal is tens of thousands of pixels as one page).
# (slug, heading, the requirement kinds it rates, or None for the others.)
K = Requirement.Kind
PARTS = [
    ("skills", "Organisation skills", (K.ORGANISATION_SKILL,)),
    ("knowledge", "Knowledge and skills", (K.KNOWLEDGE,)),
    ("behaviours", "Behaviours and work activities", (K.BEHAVIOURAL, K.WORK_ACTIVITY)),
    ("objectives", "Objectives", None),
    ("plan", "Development plan", None),
    ("summary", "Outcome and summary", None),
]
PART_SLUGS = [slug for slug, _, _ in PARTS]


def _status(done, total):
    if total and done == total:
        return "Completed"
    return "In progress" if done else "Not started"


def _task(appraisal, slug, heading, hint, status):
    return {
        "slug": slug,
        "heading": heading,
        "hint": hint,
        "status": status,
        "url": reverse("appraisals:part", args=[appraisal.pk, slug]),
    }


def _task_list(appraisal, rows, edit_side, answering, plan, summary_field, can_plan):
    """Each part with its status and a count, as the viewer has it to do:
    ratings to give, answers to give, or (nothing to do) what there is; a
    status of None is a part this viewer only reads now."""
    tasks = []
    for slug, heading, kinds in PARTS:
        if kinds:
            part_rows = [row for row in rows if row.r.kind in kinds]
            if not part_rows:
                continue
            total = len(part_rows)
            if answering == "person":
                done = sum(1 for row in part_rows if row.item and row.item.answer)
                hint, status = f"{done} of {total} answered", _status(done, total)
            elif edit_side:
                done = sum(1 for row in part_rows if row.values["rating"])
                hint, status = f"{done} of {total} rated", _status(done, total)
            else:
                hint, status = f"{total} requirement{'s' if total != 1 else ''}", None
        elif slug in ("objectives", "plan"):
            n = len(plan["objectives" if slug == "objectives" else "actions"])
            word = "objective" if slug == "objectives" else "action"
            hint = f"{n} {word}{'s' if n != 1 else ''}"
            status = _status(min(n, 1), 1) if can_plan else None
        elif summary_field:
            written = bool(getattr(appraisal, summary_field))
            hint = "Your summary is written" if written else "Your summary is not written yet"
            status = _status(int(written), 1)
        else:
            hint, status = "The outcome and both summaries", None
        tasks.append(_task(appraisal, slug, heading, hint, status))
    return tasks


class Row:
    """A requirement as the page shows it: the masked row, its scale, and
    what the form should show (what was typed, or what is saved)."""

    def __init__(self, requirement, edit_side, posted):
        self.r = requirement
        self.edit_side = edit_side
        self.self_name = requirement.rank_name(requirement.self_rating)
        self.manager_name = requirement.rank_name(requirement.manager_rating)
        key = f"r-{requirement.pk}-"
        if edit_side:
            saved = {
                part: getattr(requirement, f"{edit_side}_{part}")
                for part in ("rating", "evidence", "comment")
            }
            self.values = {
                part: posted.get(key + part, "" if saved[part] is None else str(saved[part]))
                if posted
                else ("" if saved[part] is None else str(saved[part]))
                for part in saved
            }
            # Each step's radio as the page draws it ({% radio %}): its id and
            # label written here once, rather than by two tags per step (a few
            # hundred on an appraisal's page).
            self.rating_name = key + "rating"
            numbered = requirement.kind == Requirement.Kind.ORGANISATION_SKILL
            self.choices = [
                {
                    **step,
                    "checked": self.values["rating"] == str(step["rank"]),
                    "id": f"{self.rating_name}-{step['rank']}",
                    "label": f"{step['rank']} – {step['name']}" if numbered else str(step["name"]),
                }
                for step in requirement.scale
            ]


# The page's lists of the appraisal's rows (what appraisal.requirements.all()
# and the like read), built once per process (competency.prepared): their
# SQL cost more to build than to run.
_requirement_rows = Prepared(lambda pk: Requirement._default_manager.filter(appraisal=pk))
_objective_rows = Prepared(lambda pk: Objective._default_manager.filter(appraisal=pk))
_action_rows = Prepared(
    lambda pk: (
        DevelopmentAction._default_manager.filter(appraisal=pk)
        .biggest_gaps_first()
        .select_related("requirement")
    )
)
_event_rows = Prepared(
    lambda pk: AppraisalEvent._default_manager.filter(appraisal=pk).select_related("by")
)


def _rows_of(appraisal, prepared):
    """The appraisal's rows as its related manager gives them: each knows
    its appraisal without a query."""
    rows = prepared.rows(appraisal.pk)
    for row in rows:
        row.appraisal = appraisal
    return rows


def _plan(user, appraisal):
    """The objectives and development plan, if this viewer sees them yet
    (access.sees_plan: the manager's proposal is theirs until shared)."""
    if not sees_plan(user, appraisal):
        return {"objectives": [], "actions": [], "plan_hidden": True}
    return {
        "objectives": _rows_of(appraisal, _objective_rows),
        "actions": _rows_of(appraisal, _action_rows),
        "plan_hidden": False,
    }


THREAD_WORDS = {
    "agreed": "agreed",
    "disagreed": "disagreed",
    "reply": "replied",
    "changed": "changed it, so it waits for an answer again",
}


def _review_items(user, appraisal, posted):
    """The shared review's items as the page shows them, each with its
    thread in words and what the form shows (typed, or saved); an empty
    list before the review is shared or while this viewer may not see it."""
    if not (
        appraisal.reached(Stage.REVIEW_SHARED) and visible_sides(user, appraisal).manager_assessment
    ):
        return []
    names = {
        appraisal.person.account_id: appraisal.person.name,
        appraisal.manager.account_id: appraisal.manager.name,
    }
    found = review.items(appraisal)
    for item in found:
        item.words = review.title(item)
        item.thread = [
            {
                "who": names.get(
                    comment.by_id,
                    comment.by.get_full_name() or comment.by.get_username() if comment.by else "",
                ),
                "did": THREAD_WORDS[comment.kind],
                "text": comment.text,
                "at": comment.at,
            }
            for comment in item.comments.all()
        ]
        key = f"a-{item.pk}-"
        item.typed_answer = posted.get(key + "answer", item.answer)
        item.typed_comment = posted.get(key + "comment", "")
    return found


def _answers(request):
    """{item id: {"answer", "comment"}} from the form: only the items with
    an answer chosen or a comment typed."""
    answers = {}
    for key, value in request.POST.items():
        if not key.startswith("a-"):
            continue
        _, pk, part = key.split("-", 2)
        if not pk.isdigit() or part not in ("answer", "comment", "shown") or not value.strip():
            continue
        answers.setdefault(int(pk), {})[part] = value
    # What the page showed goes only with an answer or a comment.
    return {pk: values for pk, values in answers.items() if set(values) - {"shown"}}


def _suggestions(appraisal):
    """The suggestions as the page lists them: (option key, item, its kind
    in words, whether it is already in the plan for that gap) per option."""

    def rows(items, planned):
        return [
            (key, item, OPTION_KINDS[key.split("-")[0]], key in planned)
            for key, item in ((plans.option_key(item), item) for item in items)
        ]

    suggestions = plans.suggest_development_actions(appraisal)
    for suggestion in suggestions:
        suggestion.below = -suggestion.gap
        suggestion.developing_rows = rows(suggestion.developing, suggestion.planned)
        suggestion.other_rows = rows(suggestion.others, suggestion.planned)
    return suggestions


OPTION_KINDS = {"training": "Training", "pda": "Personal development activity"}


def _typed_form(form_class, posted, fields, **kwargs):
    """A thing being written when the page came back for another reason:
    what was typed, shown again, without errors it was never checked for."""
    prefix = form_class(**kwargs).prefix
    return form_class(initial={name: posted.get(f"{prefix}-{name}") for name in fields}, **kwargs)


def _progress(rows, side):
    """How much of `side` is rated, as the page shows it (what was typed,
    or what is saved): (rated, total, the titles not rated)."""
    if side is None:
        return None
    missing = [row.r.title for row in rows if not row.values["rating"]]
    return {"rated": len(rows) - len(missing), "total": len(rows), "missing": missing}


def _page_context(
    request, appraisal, *, error=None, posted=None, forms=None, unrated=None, part=None
):
    user = request.user
    posted = posted or {}
    requirements = masked_requirements(user, appraisal, _rows_of(appraisal, _requirement_rows))
    sides = visible_sides(user, appraisal)
    edit_side = workflow.may_edit_side(user, appraisal) or posted.get("_side")
    rows = [Row(row, edit_side, posted) for row in requirements]
    items = _review_items(user, appraisal, posted)
    by_requirement = {item.requirement_id: item for item in items if item.requirement_id}
    for row in rows:
        row.item = by_requirement.get(row.r.pk)
    plan = _plan(user, appraisal)
    by_objective = {item.objective_id: item for item in items if item.objective_id}
    for objective in plan["objectives"]:
        objective.item = by_objective.get(objective.pk)
    kinds = next((kinds for slug, _, kinds in PARTS if slug == part), None)
    groups = [
        (heading, [row for row in rows if row.r.kind == kind])
        for kind, heading in KIND_HEADINGS
        if part is None or (kinds and kind in kinds)
    ]
    can_plan = plans.may_plan(user, appraisal)
    answering = workflow.may_answer(user, appraisal)
    summary_field = workflow.may_write_summary(user, appraisal)
    tasks = _task_list(appraisal, rows, edit_side, answering, plan, summary_field, can_plan)
    after = PART_SLUGS.index(part) if part else len(PART_SLUGS)
    following = [task for task in tasks if PART_SLUGS.index(task["slug"]) > after]
    forms = dict(forms or {})
    if posted and "objective" not in forms:
        forms["objective"] = _typed_form(ObjectiveForm, posted, plans.OBJECTIVE_FIELDS)
    if posted and "action" not in forms:
        forms["action"] = _typed_form(
            ActionForm,
            posted,
            ("title", "details", "requirement", "due_on", "status"),
            requirements=requirements,
        )
    version = appraisal.profile_version
    moves = workflow.available_moves(user, appraisal)
    return {
        "appraisal": appraisal,
        "sides": sides,
        "groups": [(heading, rows) for heading, rows in groups if rows],
        "edit_side": edit_side,
        "progress": _progress(rows, edit_side),
        "error": error,
        "unrated": unrated,
        "has_errors": bool(error) or any(form.errors for form in forms.values()),
        "forms_with_errors": [form for form in forms.values() if form.errors],
        "moves": [
            {
                "name": name,
                "label": workflow.MOVES[name].label,
                "reason": workflow.MOVES[name].needs_reason,
                "checks_unrated": workflow.MOVES[name].checks_unrated,
                "typed_reason": posted.get(f"reason-{name}", posted.get("reason", ""))
                if posted.get("_do") == f"move-{name}"
                else posted.get(f"reason-{name}", ""),
                "confirmed": bool(posted.get(f"confirm-{name}")),
            }
            for name in moves
        ],
        "waiting": workflow.waiting_for(appraisal),
        "answering": answering,
        "tasks": tasks,
        "part": part,
        "part_heading": next((heading for slug, heading, _ in PARTS if slug == part), None),
        "next_url": following[0]["url"]
        if following
        else reverse("appraisals:detail", args=[appraisal.pk]),
        "review_counts": review.counts(items) if items else None,
        "plan_item": next((item for item in items if item.kind == "plan"), None),
        "outcome_item": next((item for item in items if item.kind == "outcome"), None),
        "summary_field": summary_field,
        "summary_text": posted.get("text"),
        "may_set_outcome": workflow.may_set_outcome(user, appraisal),
        "outcome_value": posted.get("outcome", appraisal.outcome),
        "outcomes": Appraisal.Outcome.choices,
        "can_plan": can_plan,
        **plan,
        "suggestions": _suggestions(appraisal) if can_plan else [],
        "objective_form": forms.get("objective") or ObjectiveForm(),
        "action_form": forms.get("action") or ActionForm(requirements=requirements),
        "events": _rows_of(appraisal, _event_rows),
        "version": version,
        "superseded": version.profile.published_version_id != version.pk,
        "crumbs": [("Home", reverse("home"))],
    }


def _render_page(request, appraisal, status=200, **kwargs):
    context = _page_context(request, appraisal, **kwargs)
    return render(request, "appraisals/appraisal.html", context, status=status)


@signed_in
def part_page(request, pk, slug):
    """One part of the appraisal on a page of its own, with Save and
    continue; its form posts to the appraisal's page like every button."""
    if slug not in PART_SLUGS or request.method != "GET":
        raise Http404
    appraisal = readable_appraisal(request.user, pk)
    return _render_page(request, appraisal, part=slug)


@signed_in
def detail(request, pk):
    if request.method == "POST":
        return _act(request, pk, request.POST.get("do", "save"))
    appraisal = readable_appraisal(request.user, pk)
    return _render_page(request, appraisal)


def _fresh(appraisal):
    """The appraisal as it is now, after a refused change: the page shows
    the stage it moved to, with what the person typed."""
    return Appraisal.objects.select_related(
        "cycle", "person__line_manager", "manager", "profile_version__profile"
    ).get(pk=appraisal.pk)


def _ratings(request, appraisal):
    """{requirement id: {"rating", "evidence", "comment"}} from the form,
    only for the fields it sent; a rating that is not a number is refused."""
    ratings = {}
    for row in appraisal.requirements.values_list("pk", flat=True):
        key = f"r-{row}-"
        values = {}
        if key + "rating" in request.POST:
            raw = request.POST[key + "rating"].strip()
            if raw and not raw.isdigit():
                raise workflow.WorkflowError(f"{raw!r} is not a rating.")
            values["rating"] = int(raw) if raw else None
        for part in ("evidence", "comment"):
            if key + part in request.POST:
                values[part] = request.POST[key + part]
        if values:
            ratings[row] = values
    return ratings


class _FormRefused(Exception):
    """A form of the page (an objective or action being written) has
    errors: the transaction is undone and the page shown with them."""


def _being_written(request, prefix, fields):
    """Whether the person typed into the fields of a thing being added (an
    objective, an action): an untouched form is not an empty thing to add."""
    return any(request.POST.get(f"{prefix}-{name}", "").strip() for name in fields)


def _save_typed(request, appraisal, stage, forms):
    """Everything the page's one form carries, saved through the services:
    the ratings of the side the user writes, their summary, the outcome,
    and an objective or action being written. Each service checks again
    that the user may write it at this stage."""
    by = request.user
    ratings = _ratings(request, appraisal)
    if ratings:
        save = (
            workflow.save_self_ratings
            if workflow.is_the_person(by, appraisal)
            else workflow.save_manager_ratings
        )
        save(appraisal=appraisal, by=by, confirmed_stage=stage, ratings=ratings)
    if "text" in request.POST:
        workflow.save_summary(
            appraisal=appraisal, by=by, confirmed_stage=stage, text=request.POST["text"]
        )
    if "outcome" in request.POST:
        workflow.set_outcome(
            appraisal=appraisal, by=by, confirmed_stage=stage, outcome=request.POST["outcome"]
        )
    if _being_written(request, "objective", ("title", "measure", "due_on", "progress_notes")):
        form = forms["objective"] = ObjectiveForm(request.POST)
        if not form.is_valid():
            raise _FormRefused
        try:
            plans.add_objective(
                appraisal=appraisal, by=by, confirmed_stage=stage, **form.cleaned_data
            )
        except ValidationError as error:
            add_errors(form, error)
            raise _FormRefused from error
    if _being_written(request, "action", ("title", "details", "due_on")) and not request.POST.get(
        "option"
    ):
        requirements = list(appraisal.requirements.all())
        form = forms["action"] = ActionForm(request.POST, requirements=requirements)
        if not form.is_valid():
            raise _FormRefused
        values = dict(form.cleaned_data)
        requirement = values.pop("requirement")
        try:
            plans.add_development_action(
                appraisal=appraisal,
                by=by,
                confirmed_stage=stage,
                requirement=next((row for row in requirements if row.pk == requirement), None),
                **values,
            )
        except ValidationError as error:
            add_errors(form, error)
            raise _FormRefused from error
    # Last: the person's answers may make the appraisal agreed.
    answers = _answers(request)
    if answers:
        workflow.answer_review(appraisal=appraisal, by=by, confirmed_stage=stage, answers=answers)


def _add_suggestion(request, appraisal, stage, requirement_pk, key):
    """One of the suggestions' training items or PDAs, added for its gap."""
    requirement = appraisal.requirements.filter(pk=requirement_pk).first()
    if requirement is None:
        raise workflow.WorkflowError("Choose one of the suggestions on the page.")
    plans.add_development_action(
        appraisal=appraisal,
        by=request.user,
        confirmed_stage=stage,
        requirement=requirement,
        status="planned",
        **plans.offered_option(appraisal, key),
    )


def _do(request, appraisal, stage, do, forms):
    """The action of the button pressed, after the save: (message, anchor)."""
    for name, form_class in (("objective", ObjectiveForm), ("action", ActionForm)):
        if do == f"add_{name}" and name not in forms and not request.POST.get("option"):
            # The add button pressed with nothing written: say what is missing.
            extra = {"requirements": []} if name == "action" else {}
            forms[name] = form_class(request.POST, **extra)
            forms[name].is_valid()
            raise _FormRefused
    if do.startswith("move-"):
        name = do.removeprefix("move-")
        move = workflow.MOVES.get(name)
        if move is None:
            raise workflow.WorkflowError("That is not something you can do to an appraisal.")
        extra = {}
        if move.needs_reason:
            extra["reason"] = request.POST.get(f"reason-{name}", request.POST.get("reason", ""))
        if move.checks_unrated:
            extra["confirm_unrated"] = bool(request.POST.get(f"confirm-{name}"))
        move.service(appraisal=appraisal, by=request.user, confirmed_stage=stage, **extra)
        return move.message, ""
    if do.startswith("suggestion-"):
        # Each suggestion's own button names its gap and option
        # ("suggestion-<requirement>:<option>"); an earlier page's one button
        # per gap named the gap, and its radios the option.
        requirement, _, key = do.removeprefix("suggestion-").partition(":")
        key = key or request.POST.get(f"option-{requirement}", "")
        _add_suggestion(request, appraisal, stage, requirement, key)
        return "The action is added to the development plan.", "#plan"
    if do == "add_action" and request.POST.get("option"):
        # The form of an earlier version of the page: one suggestion per form.
        requirement = request.POST.get("action-requirement", "")
        _add_suggestion(request, appraisal, stage, requirement, request.POST["option"])
        return "The action is added to the development plan.", "#plan"
    return {
        "add_objective": ("The objective is added.", "#objectives"),
        "add_action": ("The action is added to the development plan.", "#plan"),
        "summary": ("Your summary is saved.", "#summary"),
        "outcome": ("The outcome is saved.", "#summary"),
    }.get(do, ("Everything you typed is saved. You can come back to it at any time.", "#ratings"))


def _act(request, pk, do):
    """Every button of the appraisal's page: save everything typed, then do
    what the button says, all in one transaction. A refusal of either
    undoes both, so what is stored is never half of what was asked; the
    page comes back with everything typed and the reason, for the person
    to put right or to save without the refused action."""
    appraisal = readable_appraisal(request.user, pk)
    stage = request.POST.get("confirmed_stage")
    forms = {}
    try:
        with transaction.atomic():
            _save_typed(request, appraisal, stage, forms)
            message, anchor = _do(request, appraisal, stage, do, forms)
    except _FormRefused:
        return _refused(request, appraisal, None, forms, do)
    except ValidationError as error:
        return _refused(request, appraisal, error, forms, do)
    messages.success(request, message)
    page = reverse("appraisals:detail", args=[pk])
    following = request.POST.get("next", "")
    # Save and continue: on to the next part, only ever a page of this appraisal.
    if do == "save" and following.startswith(page) and "//" not in following:
        return redirect(following)
    return redirect(page + anchor)


def _refused(request, appraisal, error, forms, do):
    status = 409 if isinstance(error, workflow.StageChanged) else 400
    posted = {**request.POST.dict(), "_do": do}
    if any(key.startswith("r-") for key in posted):
        # The side the person was writing stays a form, even if the stage
        # moved on meanwhile, so that nothing they typed is lost.
        person = workflow.is_the_person(request.user, appraisal)
        posted["_side"] = "self" if person else "manager"
    part = request.POST.get("part")
    return _render_page(
        request,
        _fresh(appraisal),
        status,
        error=workflow.said(error) if error is not None else None,
        unrated=getattr(error, "unrated", None),
        posted=posted,
        forms=forms,
        part=part if part in PART_SLUGS else None,
    )


# The addresses of the page's buttons before it was one form: each does
# what its button did, and, like every button now, saves everything typed.
@signed_in
@require_POST
def save_ratings(request, pk):
    return _act(request, pk, "save")


@signed_in
@require_POST
def move(request, pk, name):
    if name not in workflow.MOVES:
        raise Http404
    return _act(request, pk, f"move-{name}")


@signed_in
@require_POST
def save_summary(request, pk):
    return _act(request, pk, "summary")


@signed_in
@require_POST
def set_outcome(request, pk):
    return _act(request, pk, "outcome")


# --- objectives and the development plan ---------------------------------------------


@signed_in
@require_POST
def add_objective(request, pk):
    return _act(request, pk, "add_objective")


def _edit_page(request, appraisal, form, thing, template):
    return render(
        request,
        template,
        {
            "appraisal": appraisal,
            "form": form,
            "thing": thing,
            "can_plan": plans.may_plan(request.user, appraisal),
            "confirmed_progress": (
                plans.progress_fingerprint(thing) if isinstance(thing, Objective) else ""
            ),
            "forms_with_errors": [form] if form.errors else [],
            "crumbs": [
                ("Home", reverse("home")),
                ("Appraisal", reverse("appraisals:detail", args=[appraisal.pk])),
            ],
        },
        status=400 if form.errors else 200,
    )


@signed_in
def edit_objective(request, pk, objective_id):
    appraisal = readable_appraisal(request.user, pk)
    if not sees_plan(request.user, appraisal):
        raise Http404
    objective = get_object_or_404(Objective, pk=objective_id, appraisal=appraisal)
    if request.method != "POST":
        form = ObjectiveForm(
            initial={name: getattr(objective, name) for name in plans.OBJECTIVE_FIELDS}
        )
        return _edit_page(request, appraisal, form, objective, "appraisals/objective.html")
    form = ObjectiveForm(request.POST)
    if form.is_valid():
        try:
            plans.update_objective(
                objective=objective,
                by=request.user,
                confirmed_stage=request.POST.get("confirmed_stage"),
                # The person's progress the form showed: theirs is kept, or
                # the save refused, if they recorded more since.
                confirmed_progress=request.POST.get("confirmed_progress") or None,
                **form.cleaned_data,
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, "The objective is saved.")
            return redirect(reverse("appraisals:detail", args=[pk]) + "#objectives")
        objective.refresh_from_db()  # the progress it has now, for the next try
    return _edit_page(request, _fresh(appraisal), form, objective, "appraisals/objective.html")


@signed_in
@require_POST
def add_action(request, pk):
    return _act(request, pk, "add_action")


@signed_in
def edit_action(request, pk, action_id):
    appraisal = readable_appraisal(request.user, pk)
    if not sees_plan(request.user, appraisal):
        raise Http404
    action = get_object_or_404(DevelopmentAction, pk=action_id, appraisal=appraisal)
    requirements = list(appraisal.requirements.all())
    if request.method != "POST":
        initial = {name: getattr(action, name) for name in ("title", "details", "due_on", "status")}
        initial["requirement"] = action.requirement_id
        form = ActionForm(initial=initial, requirements=requirements)
        return _edit_page(request, appraisal, form, action, "appraisals/action.html")
    form = ActionForm(request.POST, requirements=requirements)
    if form.is_valid():
        values = dict(form.cleaned_data)
        requirement = values.pop("requirement")
        try:
            plans.update_development_action(
                action=action,
                by=request.user,
                confirmed_stage=request.POST.get("confirmed_stage"),
                requirement=next((row for row in requirements if row.pk == requirement), None),
                **values,
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, "The action is saved.")
            return redirect(reverse("appraisals:detail", args=[pk]) + "#plan")
    return _edit_page(request, _fresh(appraisal), form, action, "appraisals/action.html")


# --- the summary and its PDF -------------------------------------------------------------


def _summary_context(request, appraisal):
    requirements = masked_requirements(request.user, appraisal, appraisal.requirements.all())
    rows = [Row(row, None, {}) for row in requirements]
    items = _review_items(request.user, appraisal, {})
    by_requirement = {item.requirement_id: item for item in items if item.requirement_id}
    for row in rows:
        row.item = by_requirement.get(row.r.pk)
    plan = _plan(request.user, appraisal)
    by_objective = {item.objective_id: item for item in items if item.objective_id}
    for objective in plan["objectives"]:
        objective.item = by_objective.get(objective.pk)
    return {
        "plan_item": next((item for item in items if item.kind == "plan"), None),
        "outcome_item": next((item for item in items if item.kind == "outcome"), None),
        "appraisal": appraisal,
        "sides": visible_sides(request.user, appraisal),
        "groups": [
            (heading, [row for row in rows if row.r.kind == kind])
            for kind, heading in KIND_HEADINGS
            if any(row.r.kind == kind for row in rows)
        ],
        **plan,
        "version": appraisal.profile_version,
        "superseded": appraisal.profile_version.profile.published_version_id
        != appraisal.profile_version_id,
        "crumbs": [
            ("Home", reverse("home")),
            ("Appraisal", reverse("appraisals:detail", args=[appraisal.pk])),
        ],
    }


@signed_in
def summary(request, pk):
    appraisal = readable_appraisal(request.user, pk)
    return render(request, "appraisals/summary.html", _summary_context(request, appraisal))


@signed_in
def pdf(request, pk):
    from profiles.pdf import STYLESHEET, render_pdf

    appraisal = readable_appraisal(request.user, pk)
    html = render_to_string(
        "appraisals/pdf.html",
        {**_summary_context(request, appraisal), "stylesheet": STYLESHEET},
    )
    response = HttpResponse(render_pdf(html), content_type="application/pdf")
    name = f"appraisal-{appraisal.pk}-{appraisal.cycle.name}".lower().replace(" ", "-")
    response["Content-Disposition"] = f'attachment; filename="{name}.pdf"'
    # Personal data: never kept by a shared cache.
    response["Cache-Control"] = "private, no-store"
    return response
