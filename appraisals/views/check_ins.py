"""Check-ins: 1:1 notes with agreed actions between a person and their
line manager, seen by both (and HR). Recorded through plans.record_check_in,
which lets only the person's line manager record one."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse

from appraisals import plans
from appraisals.access import can_read_check_ins, visible_person
from appraisals.forms import CheckInForm
from appraisals.models import CheckIn
from appraisals.views.common import signed_in
from competency.forms import add_errors


@signed_in
def my_check_ins(request):
    """Every check-in this user may read: their own, and those they held."""
    check_ins = CheckIn.objects.visible_to(request.user).select_related("person", "manager")[:200]
    return render(
        request,
        "appraisals/my_check_ins.html",
        {"check_ins": check_ins, "crumbs": [("Home", reverse("home"))]},
    )


@signed_in
def person_check_ins(request, person_pk):
    person = visible_person(request.user, person_pk)
    if not can_read_check_ins(request.user, person):
        raise Http404
    form = CheckInForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                plans.record_check_in(person=person, by=request.user, **form.cleaned_data)
            except plans.WorkflowError as error:
                add_errors(form, error)
            else:
                messages.success(request, "The check-in is recorded.")
                return redirect("appraisals:check_ins", person.pk)
        status = 400
    manager = person.line_manager
    return render(
        request,
        "appraisals/check_ins.html",
        {
            "person": person,
            "check_ins": CheckIn.objects.visible_to(request.user)
            .filter(person=person)
            .select_related("manager"),
            "form": form,
            "forms_with_errors": [form] if form.errors else [],
            "may_record": manager is not None and manager.account_id == request.user.pk,
            "crumbs": [("Home", reverse("home"))],
        },
        status=status,
    )
