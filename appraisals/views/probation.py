"""A person's probation: the checkpoints with their state and notes, a form
to complete each pending one, the outcome form and the decisions so far.

Readers are those who may read the person (themself, managers up the line,
HR: the rule of ProbationCheckpoint.objects.visible_to); anyone else gets
404. The forms are offered to the line manager and HR (probation.may_act),
and the services refuse anyone else with a message the page shows."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from appraisals import probation
from appraisals.access import visible_person
from appraisals.forms import CheckpointForm, ProbationDecisionForm
from appraisals.models import ProbationCheckpoint, ProbationDecision
from appraisals.views.common import signed_in
from competency.forms import add_errors


def _prefix(checkpoint_pk):
    return f"checkpoint-{checkpoint_pk}"


def _page(request, person, *, bound_checkpoint=None, decision_form=None, status=200):
    """The page; a form that failed comes back bound (what was typed kept),
    every other form empty. Its errors head the page even for a reader who
    is not offered the form, so a refusal says why."""
    today = timezone.localdate()
    checkpoints = list(ProbationCheckpoint.objects.filter(person=person).order_by("due_on", "pk"))
    may_act = probation.may_act(request.user, person)
    rows = []
    for checkpoint in checkpoints:
        form = None
        if may_act and checkpoint.completed_on is None:
            if bound_checkpoint is not None and bound_checkpoint[0] == checkpoint.pk:
                form = bound_checkpoint[1]
            else:
                form = CheckpointForm(prefix=_prefix(checkpoint.pk))
        rows.append(
            {
                "checkpoint": checkpoint,
                "overdue": checkpoint.completed_on is None and checkpoint.due_on < today,
                "form": form,
            }
        )
    decisions = ProbationDecision.objects.filter(person=person).select_related("decided_by")
    if may_act and decision_form is None:
        decision_form = ProbationDecisionForm()
    bound = [bound_checkpoint[1]] if bound_checkpoint else []
    failed = [form for form in (*bound, decision_form) if form is not None and form.errors]
    return render(
        request,
        "appraisals/probation.html",
        {
            "person": person,
            "rows": rows,
            "decisions": decisions,
            "decision_form": decision_form if may_act else None,
            "may_act": may_act,
            "forms_with_errors": failed,
            "crumbs": [
                ("Home", reverse("home")),
                (person.name, reverse("appraisals:person", args=[person.pk])),
            ],
        },
        status=status,
    )


@signed_in
def probation_page(request, pk):
    return _page(request, visible_person(request.user, pk))


@require_POST
@signed_in
def complete(request, pk, checkpoint_pk):
    person = visible_person(request.user, pk)
    checkpoint = get_object_or_404(ProbationCheckpoint, person=person, pk=checkpoint_pk)
    form = CheckpointForm(request.POST, prefix=_prefix(checkpoint.pk))
    if form.is_valid():
        try:
            probation.complete_checkpoint(
                checkpoint=checkpoint,
                by=request.user,
                completed_on=timezone.localdate(),
                notes=form.cleaned_data["notes"],
            )
        except probation.ProbationError as error:
            add_errors(form, error)
        else:
            messages.success(request, f"The {checkpoint.months}-month checkpoint is done.")
            return redirect("appraisals:probation", person.pk)
    return _page(request, person, bound_checkpoint=(checkpoint.pk, form), status=400)


@require_POST
@signed_in
def decide(request, pk):
    person = visible_person(request.user, pk)
    form = ProbationDecisionForm(request.POST)
    if form.is_valid():
        try:
            decision = probation.decide_probation(
                person=person, by=request.user, **form.cleaned_data
            )
        except probation.ProbationError as error:
            add_errors(form, error)
        else:
            messages.success(request, f"Recorded: {decision.get_outcome_display().lower()}.")
            return redirect("appraisals:probation", person.pk)
    return _page(request, person, decision_form=form, status=400)
