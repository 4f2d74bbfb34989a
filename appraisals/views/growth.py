"""Staff's own page of where they can grow: the next role level in their
job family, what it asks beyond their role, their readiness for it (the
rules of the managers' readiness page, appraisals/insight.py), and the
progress of their own objectives.

It is always the signed-in person's own: there is no id to guess for the
page, and an objective that is not theirs, or that their manager proposes and
has not shared yet, is 404 (plans.record_objective_progress decides what they
may change)."""

from django import forms
from django.contrib import messages
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from appraisals import growth, plans
from appraisals.access import sees_plan
from appraisals.models import Objective, Person, Stage
from appraisals.views.common import signed_in
from competency.forms import add_errors


class ProgressForm(forms.Form):
    status = forms.ChoiceField(choices=Objective.Status.choices, label="Status")
    progress_notes = forms.CharField(
        required=False,
        widget=forms.Textarea,
        label="Progress note",
        help_text="What you have done and what is next; your manager reads it.",
    )
    confirmed = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, objective, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "status": objective.status,
                "progress_notes": objective.progress_notes,
                "confirmed": plans.progress_fingerprint(objective),
            },
        )
        super().__init__(*args, prefix=f"objective-{objective.pk}", **kwargs)


def _person(user):
    person = (
        Person.objects.select_related("role_profile__published_version", "role_profile__job_family")
        .filter(account=user)
        .first()
    )
    if person is None:
        # HR and others the appraisals do not know have no growth of their own here.
        raise Http404
    return person


def _objectives(person):
    """The person's objectives to show: those of their appraisals not yet
    signed off, and unfinished ones of signed-off appraisals not yet
    carried over; never one their manager is still writing. One query."""
    rows = (
        Objective.objects.filter(appraisal__person=person)
        .filter(
            ~Q(appraisal__stage=Stage.SIGNED_OFF)
            | Q(status__in=Objective.UNFINISHED, carried_into__isnull=True)
        )
        .select_related("appraisal__cycle", "appraisal__person", "appraisal__manager")
        .order_by("-appraisal__cycle__opens_on", "appraisal_id", "position", "pk")
        .distinct()
    )
    return [
        row
        for row in rows
        if row.carried_from_id is not None or row.appraisal.reached(Stage.AGREED)
    ]


def _page(request, person, bound=None, status=200):
    objectives = []
    for objective in _objectives(person):
        refusal = plans.progress_refusal(request.user, objective)
        form = None
        if refusal is None:
            form = bound if bound is not None and bound[0] == objective.pk else None
            form = form[1] if form else ProgressForm(objective=objective)
        objectives.append((objective, form, refusal))
    return render(
        request,
        "appraisals/growth.html",
        {
            "person": person,
            "growth": growth.growth(person),
            "objectives": objectives,
            "forms_with_errors": [bound[1]] if bound and bound[1].errors else [],
            "crumbs": [("Home", reverse("home"))],
        },
        status=status,
    )


@signed_in
def growth_page(request):
    person = _person(request.user)
    return _page(request, person)


@signed_in
def objective_progress(request, pk):
    """Record the status and a note of one of the person's own objectives."""
    if request.method != "POST":
        return redirect(reverse("appraisals:growth") + "#objectives")
    person = _person(request.user)
    objective = get_object_or_404(
        Objective.objects.select_related("appraisal__person", "appraisal__manager"),
        pk=pk,
        appraisal__person=person,
    )
    if not sees_plan(request.user, objective.appraisal):
        # The manager's proposal, not shared yet: to the person it is not
        # there, as on every other page (access.sees_plan).
        raise Http404
    form = ProgressForm(request.POST, objective=objective)
    if form.is_valid():
        try:
            plans.record_objective_progress(
                objective=objective,
                by=request.user,
                status=form.cleaned_data["status"],
                progress_notes=form.cleaned_data["progress_notes"],
                confirmed=form.cleaned_data["confirmed"],
            )
        except plans.WorkflowError as error:
            add_errors(form, error)
        else:
            messages.success(request, f"Your progress on “{objective.title}” is saved.")
            return redirect(reverse("appraisals:growth") + f"#objective-{objective.pk}")
    return _page(request, person, bound=(objective.pk, form), status=400)
