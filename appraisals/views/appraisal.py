"""An appraisal's pages: the appraisal itself stage by stage, its forms and
moves, the summary and its PDF.

Every view finds the appraisal through Appraisal.objects.visible_to (404
otherwise), shows only the sides access.visible_sides allows, and changes
things only through the services in workflow.py and plans.py, which check
the stage the page showed (confirmed_stage) under a lock. The moves, their
buttons and messages are workflow.MOVES. A refused save or move shows the
service's message on the page again, with what was typed.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_POST

from appraisals import plans, workflow
from appraisals.access import masked_requirements, visible_sides
from appraisals.forms import ActionForm, ObjectiveForm
from appraisals.models import Appraisal, DevelopmentAction, Objective, Requirement
from appraisals.views.common import readable_appraisal, signed_in
from competency.forms import add_errors

# The order the page shows the kinds in, with their headings.
KIND_HEADINGS = [
    (Requirement.Kind.ORGANISATION_SKILL, "Organisation skills"),
    (Requirement.Kind.KNOWLEDGE, "Knowledge and skills"),
    (Requirement.Kind.BEHAVIOURAL, "Behaviours"),
    (Requirement.Kind.WORK_ACTIVITY, "Work activities"),
]


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
            self.choices = [
                {**step, "checked": self.values["rating"] == str(step["rank"])}
                for step in requirement.scale
            ]


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


def _page_context(request, appraisal, *, error=None, posted=None, forms=None, reasons=None):
    user = request.user
    posted = posted or {}
    requirements = masked_requirements(user, appraisal, appraisal.requirements.all())
    sides = visible_sides(user, appraisal)
    edit_side = workflow.may_edit_side(user, appraisal) or posted.get("_side")
    rows = [Row(row, edit_side, posted) for row in requirements]
    groups = [
        (heading, [row for row in rows if row.r.kind == kind]) for kind, heading in KIND_HEADINGS
    ]
    can_plan = plans.may_plan(user, appraisal)
    forms = forms or {}
    version = appraisal.profile_version
    return {
        "appraisal": appraisal,
        "sides": sides,
        "groups": [(heading, rows) for heading, rows in groups if rows],
        "edit_side": edit_side,
        "error": error,
        "has_errors": bool(error) or any(form.errors for form in forms.values()),
        "forms_with_errors": [form for form in forms.values() if form.errors],
        "moves": [
            (name, workflow.MOVES[name].label) for name in workflow.available_moves(user, appraisal)
        ],
        "with_reason": {name for name, move in workflow.MOVES.items() if move.needs_reason},
        "reasons": reasons or {},
        "waiting": workflow.waiting_for(appraisal),
        "summary_field": workflow.may_write_summary(user, appraisal),
        "summary_text": posted.get("text"),
        "may_set_outcome": workflow.may_set_outcome(user, appraisal),
        "outcomes": Appraisal.Outcome.choices,
        "can_plan": can_plan,
        "objectives": list(appraisal.objectives.all()),
        "actions": list(
            appraisal.development_actions.biggest_gaps_first().select_related("requirement")
        ),
        "suggestions": _suggestions(appraisal) if can_plan else [],
        "objective_form": forms.get("objective") or ObjectiveForm(),
        "action_form": forms.get("action") or ActionForm(requirements=requirements),
        "events": list(appraisal.events.select_related("by")),
        "version": version,
        "superseded": version.profile.published_version_id != version.pk,
        "crumbs": [("Home", reverse("home"))],
    }


def _render_page(request, appraisal, status=200, **kwargs):
    context = _page_context(request, appraisal, **kwargs)
    return render(request, "appraisals/appraisal.html", context, status=status)


@signed_in
def detail(request, pk):
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


@signed_in
@require_POST
def save_ratings(request, pk):
    appraisal = readable_appraisal(request.user, pk)
    person = workflow.is_the_person(request.user, appraisal)
    save = workflow.save_self_ratings if person else workflow.save_manager_ratings
    side = "self" if person else "manager"
    try:
        save(
            appraisal=appraisal,
            by=request.user,
            confirmed_stage=request.POST.get("confirmed_stage"),
            ratings=_ratings(request, appraisal),
        )
    except workflow.WorkflowError as error:
        posted = {**request.POST.dict(), "_side": side}
        return _render_page(request, _fresh(appraisal), 400, error=error.message, posted=posted)
    messages.success(request, "Your ratings are saved. You can come back to them at any time.")
    return redirect(reverse("appraisals:detail", args=[pk]) + "#ratings")


@signed_in
@require_POST
def move(request, pk, name):
    if name not in workflow.MOVES:
        raise Http404
    appraisal = readable_appraisal(request.user, pk)
    move = workflow.MOVES[name]
    extra = {"reason": request.POST.get("reason", "")} if move.needs_reason else {}
    try:
        move.service(
            appraisal=appraisal,
            by=request.user,
            confirmed_stage=request.POST.get("confirmed_stage"),
            **extra,
        )
    except workflow.WorkflowError as error:
        reasons = {name: extra.get("reason", "")}
        return _render_page(request, _fresh(appraisal), 400, error=error.message, reasons=reasons)
    messages.success(request, move.message)
    return redirect("appraisals:detail", pk)


@signed_in
@require_POST
def save_summary(request, pk):
    appraisal = readable_appraisal(request.user, pk)
    try:
        workflow.save_summary(
            appraisal=appraisal,
            by=request.user,
            confirmed_stage=request.POST.get("confirmed_stage"),
            text=request.POST.get("text", ""),
        )
    except workflow.WorkflowError as error:
        posted = {"text": request.POST.get("text", "")}
        return _render_page(request, _fresh(appraisal), 400, error=error.message, posted=posted)
    messages.success(request, "Your summary is saved.")
    return redirect(reverse("appraisals:detail", args=[pk]) + "#summary")


@signed_in
@require_POST
def set_outcome(request, pk):
    appraisal = readable_appraisal(request.user, pk)
    try:
        workflow.set_outcome(
            appraisal=appraisal,
            by=request.user,
            confirmed_stage=request.POST.get("confirmed_stage"),
            outcome=request.POST.get("outcome", ""),
        )
    except workflow.WorkflowError as error:
        return _render_page(request, _fresh(appraisal), 400, error=error.message)
    messages.success(request, "The outcome is saved.")
    return redirect(reverse("appraisals:detail", args=[pk]) + "#summary")


# --- objectives and the development plan ---------------------------------------------


@signed_in
@require_POST
def add_objective(request, pk):
    appraisal = readable_appraisal(request.user, pk)
    form = ObjectiveForm(request.POST)
    if form.is_valid():
        try:
            plans.add_objective(
                appraisal=appraisal,
                by=request.user,
                confirmed_stage=request.POST.get("confirmed_stage"),
                **form.cleaned_data,
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, "The objective is added.")
            return redirect(reverse("appraisals:detail", args=[pk]) + "#objectives")
    return _render_page(request, _fresh(appraisal), 400, forms={"objective": form})


def _edit_page(request, appraisal, form, thing, template):
    return render(
        request,
        template,
        {
            "appraisal": appraisal,
            "form": form,
            "thing": thing,
            "can_plan": plans.may_plan(request.user, appraisal),
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
                **form.cleaned_data,
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, "The objective is saved.")
            return redirect(reverse("appraisals:detail", args=[pk]) + "#objectives")
    return _edit_page(request, _fresh(appraisal), form, objective, "appraisals/objective.html")


def _catalogue_choice(request, appraisal):
    """The training item or PDA chosen from the suggestions, if any: only
    those the profile version offers."""
    chosen = request.POST.get("option", "")
    return plans.offered_option(appraisal, chosen) if chosen else {}


@signed_in
@require_POST
def add_action(request, pk):
    appraisal = readable_appraisal(request.user, pk)
    requirements = list(appraisal.requirements.all())
    data = request.POST.copy()
    from_suggestion = bool(data.get("option"))
    if from_suggestion and not data.get("action-title"):
        data["action-title"] = "(from the profile)"
    form = ActionForm(data, requirements=requirements)
    if form.is_valid():
        values = dict(form.cleaned_data)
        requirement = values.pop("requirement")
        if from_suggestion:
            del values["title"]
            values.pop("details")
        try:
            source = _catalogue_choice(request, appraisal)
            plans.add_development_action(
                appraisal=appraisal,
                by=request.user,
                confirmed_stage=request.POST.get("confirmed_stage"),
                requirement=next((row for row in requirements if row.pk == requirement), None),
                **source,
                **values,
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, "The action is added to the development plan.")
            return redirect(reverse("appraisals:detail", args=[pk]) + "#plan")
    return _render_page(request, _fresh(appraisal), 400, forms={"action": form})


@signed_in
def edit_action(request, pk, action_id):
    appraisal = readable_appraisal(request.user, pk)
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
    return {
        "appraisal": appraisal,
        "sides": visible_sides(request.user, appraisal),
        "groups": [
            (heading, [row for row in rows if row.r.kind == kind])
            for kind, heading in KIND_HEADINGS
            if any(row.r.kind == kind for row in rows)
        ],
        "objectives": list(appraisal.objectives.all()),
        "actions": list(
            appraisal.development_actions.biggest_gaps_first().select_related("requirement")
        ),
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
