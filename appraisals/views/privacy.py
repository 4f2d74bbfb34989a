"""HR's personal-data pages for one person: everything held about them (a
subject access request) as JSON or PDF, and anonymising a leaver past the
retention period. Anyone but HR gets 404, as for every appraisals page."""

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from rest_framework.utils.encoders import JSONEncoder

from appraisals import privacy
from appraisals.models import Person
from appraisals.views.common import hr_only


def _person(pk):
    return get_object_or_404(
        Person.objects.select_related("account", "line_manager", "role_profile"), pk=pk
    )


def _private(response, person, extension):
    name = f"personal-data-{person.employee_id}-{timezone.localdate():%Y-%m-%d}.{extension}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    # Personal data: never kept by a shared cache.
    response["Cache-Control"] = "private, no-store"
    return response


@hr_only
def export_json(request, pk):
    person = _person(pk)
    body = privacy.subject_access(person)
    # The API's encoder, so that the download and GET /api/v1/people/<id>/export/
    # write every value alike (times to the microsecond).
    response = JsonResponse(body, encoder=JSONEncoder, json_dumps_params={"indent": 2})
    return _private(response, person, "json")


@hr_only
def export_pdf(request, pk):
    from profiles.pdf import STYLESHEET, render_pdf

    person = _person(pk)
    html = render_to_string(
        "appraisals/people/personal_data_pdf.html",
        {"data": privacy.subject_access(person), "stylesheet": STYLESHEET},
    )
    response = HttpResponse(render_pdf(html), content_type="application/pdf")
    return _private(response, person, "pdf")


@hr_only
def anonymise(request, pk):
    """GET: what anonymising will do, and whether it may be done yet; POST:
    do it (refused with the reason, writing nothing, when it may not)."""
    person = _person(pk)
    if request.method == "POST":
        try:
            done = privacy.anonymise(person_id=person.pk, by=request.user)
        except (privacy.NotDue, privacy.Busy) as refusal:
            messages.error(request, str(refusal))
        else:
            if done:
                messages.success(
                    request,
                    f"Anonymised: this person is now {privacy.placeholder(person.pk)}.",
                )
            else:
                messages.info(request, "This person was already anonymised.")
        return redirect("appraisals:person", pk=person.pk)
    return render(
        request,
        "appraisals/people/anonymise.html",
        {
            "person": person,
            "due": privacy.is_due(person),
            "from_date": privacy.anonymisable_from(person),
            "retention_years": settings.RETENTION_YEARS,
            "placeholder": privacy.placeholder(person.pk),
            "crumbs": [
                ("People", reverse("appraisals:people")),
                (person.name, reverse("appraisals:person", args=[person.pk])),
            ],
        },
    )
