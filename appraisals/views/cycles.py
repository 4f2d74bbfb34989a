"""HR's cycle pages: the list, create and edit, open for a scope after a
confirmation that says what it will do, close, and HR's view of a cycle
with the reassignment of an appraisal's manager. HR only; anyone else 404."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import pluralize
from django.utils import timezone

from appraisals import cycles as cycle_service
from appraisals import reminders, tasks, workflow
from appraisals.filters import AppraisalFilter, CycleFilter
from appraisals.forms import CycleForm, OverlapForm, ReassignForm, ScopeForm
from appraisals.models import Appraisal, Cycle, Stage
from appraisals.views.common import appraisal_page, hr_only
from competency.models import BackgroundJob
from competency.pages import paginate

PAGE_SIZE = 50
SHOWN_SKIPPED = 20  # names listed for each reason; the rest are counted


@hr_only
def cycle_list(request):
    return render(request, "appraisals/cycles/list.html", {"cycles": CycleFilter.rows()})


@hr_only
def cycle_create(request):
    return _edit(request, Cycle())


@hr_only
def cycle_edit(request, pk):
    return _edit(request, get_object_or_404(Cycle, pk=pk))


def _edit(request, cycle):
    form = CycleForm(request.POST or None, instance=cycle)
    if request.method == "POST" and form.is_valid():
        saved = form.save()
        messages.success(request, f"Saved {saved.name}.")
        return redirect("appraisals:cycle", pk=saved.pk)
    return render(request, "appraisals/cycles/form.html", {"form": form, "cycle": cycle})


@hr_only
def cycle_open(request, pk):
    cycle = get_object_or_404(Cycle, pk=pk)
    form = ScopeForm(request.POST or None, user=request.user)
    context = {"cycle": cycle, "form": form}
    if cycle.status == Cycle.Status.CLOSED:
        messages.error(request, f"{cycle} is closed; no appraisals can be added to it.")
        return redirect("appraisals:cycle", pk=cycle.pk)
    if request.method == "POST" and form.is_valid():
        scope = form.to_scope()
        choice = OverlapForm(request.POST)
        # The page asked for a choice only when it listed someone overlapping.
        asked = "asked_overlapping" in request.POST
        if "confirmed" in request.POST and (not asked or choice.is_valid()):
            overlapping = choice.cleaned_data["overlapping"] if asked else None
            # The preview's number under the choice made: adding the
            # overlapping creates their appraisals too.
            key = "confirmed_with_overlapping" if overlapping == cycle_service.ADD else "confirmed"
            try:
                # Under the cycle's lock, the numbers shown must still hold.
                job = tasks.start_opening(
                    cycle=cycle,
                    scope=scope,
                    by=request.user,
                    confirmed=request.POST.get(key),
                    overlapping=overlapping,
                )
            except ValidationError as error:
                messages.error(request, error.messages[0])
            else:
                if job.state == BackgroundJob.State.DONE:  # done in the request (no broker)
                    messages.success(request, job.result["message"])
                    return redirect("appraisals:cycle", pk=cycle.pk)
                if job.state == BackgroundJob.State.FAILED:
                    messages.error(request, job.error)
                else:
                    return redirect("job", pk=job.pk)
            choice = OverlapForm()
        elif "confirmed" not in request.POST:
            choice = OverlapForm()
        preview = cycle_service.preview_opening(cycle=cycle, scope=scope)
        creates = len(preview.created)
        context.update(
            scope=scope,
            creates=creates,
            creates_with_overlapping=creates + len(preview.overlapping),
            overlapping=preview.overlapping_shown(SHOWN_SKIPPED),
            overlapping_count=len(preview.overlapping),
            choice=choice,
            skip_hint=(
                "They keep only the appraisal they have. "
                f"{creates} appraisal{pluralize(creates)} will be created."
            ),
            add_hint=(
                "They get an appraisal in this cycle as well; both show on their home and "
                f"their manager's team page. {creates + len(preview.overlapping)} "
                f"appraisal{pluralize(creates + len(preview.overlapping))} will be created."
            ),
            skipped=preview.skipped_by_reason(SHOWN_SKIPPED),
            skipped_count=len(preview.skipped),
        )
        return render(request, "appraisals/cycles/open_confirm.html", context)
    return render(request, "appraisals/cycles/open.html", context)


@hr_only
def cycle_close(request, pk):
    cycle = get_object_or_404(Cycle, pk=pk)
    if request.method == "POST":
        try:
            cycle_service.close_cycle(cycle=cycle)
        except ValidationError as error:
            messages.error(request, error.messages[0])
        else:
            messages.success(request, f"Closed {cycle}.")
        return redirect("appraisals:cycle", pk=cycle.pk)
    return render(request, "appraisals/cycles/close.html", {"cycle": cycle})


@hr_only
def cycle_detail(request, pk):
    cycle = get_object_or_404(Cycle, pk=pk)
    today = timezone.localdate()
    filters = AppraisalFilter.offering(*AppraisalFilter.PAGE)(
        request.GET or None, queryset=Appraisal.objects.filter(cycle=cycle), request=request
    )
    # The counts by stage: of the job family and team chosen, whatever the stage.
    counted = filters.filtered(leaving_out=("stage", "overdue", "disagreement"))
    counts = counted.stage_counts()
    overdue_count = counted.overdue(today).count()
    disagreement_count = counted.with_disagreements().count()
    listed = filters.filtered()
    pages = paginate(request, progress_rows(listed), PAGE_SIZE)
    rows = [(appraisal, appraisal_page(appraisal.pk)) for appraisal in pages["page_obj"]]
    return render(
        request,
        "appraisals/cycles/detail.html",
        {
            "cycle": cycle,
            "form": filters.form,
            "stages": [(value, label, counts.get(value, 0)) for value, label in Stage.choices],
            "total": sum(counts.values()),
            "overdue_count": overdue_count,
            "disagreement_count": disagreement_count,
            "is_past": cycle.closes_on < today,
            # Leavers can no longer sign in: HR reassign what they managed.
            "leavers_managing": Appraisal.objects.filter(cycle=cycle).managed_by_leavers().count(),
            # Who turned reminders off, of those in this cycle (reminders.py).
            "reminders_off_count": Appraisal.objects.filter(
                cycle=cycle, person__reminders_off_at__isnull=False
            ).count(),
            # "7 and 1", not the setting's "7,1".
            "reminder_days": " and ".join(
                str(days) for days in sorted(reminders.days_before(cycle), reverse=True)
            ),
            "rows": rows,
            **pages,
        },
    )


def progress_rows(appraisals):
    """A cycle's appraisals as its page lists them: by the person's name,
    reading only the columns shown. A person has one appraisal in a cycle,
    so (name, person id) orders them fully, and PostgreSQL walks the
    people's (name, id) index and looks each one's appraisal up, stopping
    at the page, instead of sorting every appraisal of the cycle."""
    return (
        appraisals.select_related("person", "manager")
        .only(
            "pk",
            "stage",
            "cycle_id",
            "person_id",
            "person__name",
            "person__reminders_off_at",
            "manager__name",
            # The page tags a manager who has left, for HR to reassign.
            "manager__leaving_date",
        )
        .order_by("person__name", "person_id")
    )


@hr_only
def reassign(request, pk, appraisal_pk):
    appraisal = get_object_or_404(
        Appraisal.objects.select_related("person", "manager", "cycle"), pk=appraisal_pk, cycle=pk
    )
    form = ReassignForm(
        request.POST or None, initial={"confirmed_stage": appraisal.stage}, user=request.user
    )
    if request.method == "POST" and form.is_valid():
        try:
            workflow.reassign_manager(
                appraisal=appraisal,
                by=request.user,
                confirmed_stage=form.cleaned_data["confirmed_stage"],
                manager=form.cleaned_data["manager"],
                reason=form.cleaned_data["reason"],
            )
        except workflow.StageChanged as error:
            # Shown with what was typed; the hidden stage becomes the new one.
            appraisal.refresh_from_db()
            data = form.data.copy()
            data["confirmed_stage"] = appraisal.stage
            form = ReassignForm(data, user=request.user)
            form.is_valid()
            form.add_error(None, error.messages[0])
        except ValidationError as error:
            form.add_error("manager", error.messages[0])
        else:
            appraisal.refresh_from_db()
            messages.success(
                request,
                f"{appraisal.person.name}'s appraisal is now managed by {appraisal.manager.name}.",
            )
            return redirect("appraisals:cycle", pk=appraisal.cycle_id)
    return render(
        request,
        "appraisals/cycles/reassign.html",
        {"appraisal": appraisal, "form": form, "cycle": appraisal.cycle},
    )
