"""Reminders on the pages: a person turns theirs off or on from their home;
HR preview and send "Remind everyone who is late" for a cycle, and export
a cycle's progress as CSV or XLSX. HR's pages are 404 to anyone else."""

from django.contrib import messages
from django.db import transaction
from django.http import FileResponse, Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_POST

from appraisals import reminders, tasks
from appraisals.models import Cycle, Person
from appraisals.progress_export import csv_lines, xlsx_file
from appraisals.views.common import hr_only, signed_in

SHOWN = 100  # recipients the preview lists; the rest are counted
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@require_POST
@signed_in
def my_reminders(request):
    """Turn the signed-in person's reminders on or off (their home's form)."""
    person = Person.objects.filter(account=request.user).first()
    if person is None:
        raise Http404
    on = request.POST.get("reminders") == "on"
    reminders.set_reminders(person=person, on=on)
    messages.success(
        request,
        "Reminders are on." if on else "Reminders are off. Mails that hand work to you still come.",
    )
    return redirect("home")


@hr_only
def remind_late(request, pk):
    cycle = get_object_or_404(Cycle, pk=pk)
    today = timezone.localdate()
    if cycle.status != Cycle.Status.OPEN or cycle.closes_on >= today:
        messages.error(request, f"Nobody is late in {cycle}: it is not open past its closing date.")
        return redirect("appraisals:cycle", pk=cycle.pk)
    preview = reminders.preview_late(cycle, today)
    to_send = [d for d in preview.digests.values() if d.address not in preview.reminded_today]
    if request.method == "POST":
        if request.POST.get("confirmed") != str(len(to_send)):
            # Someone moved on, or was reminded, since the preview: show it again.
            messages.error(request, "Who is late changed since you looked. Check the list again.")
        else:
            # After commit: in a worker when there is one, else here and now.
            transaction.on_commit(lambda: tasks.remind_late.delay(cycle.pk, today.isoformat()))
            messages.success(
                request,
                f"Reminding {len(to_send)} {'person' if len(to_send) == 1 else 'people'} "
                f"late in {cycle}.",
            )
            return redirect("appraisals:cycle", pk=cycle.pk)
    return render(
        request,
        "appraisals/cycles/remind_late.html",
        {
            "cycle": cycle,
            "to_send": sorted(to_send, key=lambda d: d.name.lower())[:SHOWN],
            "to_send_count": len(to_send),
            "not_shown": max(0, len(to_send) - SHOWN),
            "reminded_today": sorted(preview.reminded_today),
            "opted_out": sorted(preview.opted_out),
            "no_address": sorted(preview.no_address),
            "refused": sorted(preview.refused),
        },
    )


def _filename(cycle, ext):
    return f"{slugify(cycle.name) or 'cycle'}-progress.{ext}"


@hr_only
def export_csv(request, pk):
    cycle = get_object_or_404(Cycle, pk=pk)
    response = StreamingHttpResponse(
        csv_lines(cycle, timezone.localdate()), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{_filename(cycle, "csv")}"'
    return response


@hr_only
def export_xlsx(request, pk):
    cycle = get_object_or_404(Cycle, pk=pk)
    return FileResponse(
        xlsx_file(cycle, timezone.localdate()),
        as_attachment=True,
        filename=_filename(cycle, "xlsx"),
        content_type=XLSX,
    )
