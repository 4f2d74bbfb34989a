"""HR's people pages: the list, a person, create and edit, and the import.
Managers read the people in their reporting line; anyone else gets 404."""

import csv

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from appraisals import importing, privacy, progress, tasks
from appraisals import people as people_service
from appraisals.filters import PersonFilter
from appraisals.forms import PeopleUploadForm, PersonForm
from appraisals.models import Appraisal, Person, Stage
from appraisals.views.common import appraisal_page, hr_only
from competency import signin
from competency.models import BackgroundJob
from competency.pages import paginate
from competency.roles import is_hr
from competency.sessions import end_every_session
from profiles import uploads
from profiles.models import PendingUpload

PAGE_SIZE = 50


def _readable(request):
    """The people this person may read here: HR everyone, a manager their
    reporting line; anyone who manages nobody reads no list (404)."""
    people = Person.objects.visible_to(request.user)
    if not is_hr(request.user) and not people.filter(line_manager__account=request.user).exists():
        raise Http404
    return people


@login_required
def people_list(request):
    people = _readable(request)
    filters = PersonFilter.offering(*PersonFilter.PAGE)(
        request.GET or None,
        queryset=people.select_related("line_manager", "role_profile"),
        request=request,
        page=True,
    )
    pages = paginate(request, filters.filtered().order_by("name", "employee_id"), PAGE_SIZE)
    return render(
        request,
        "appraisals/people/list.html",
        {
            "form": filters.form,
            **pages,
            "query": " ".join(request.GET.get("q", "").split()),
            "is_filtered": any(request.GET.get(name) for name in filters.form.fields),
        },
    )


@login_required
def person_detail(request, pk):
    person = get_object_or_404(
        Person.objects.visible_to(request.user).select_related(
            "line_manager", "role_profile", "account"
        ),
        pk=pk,
    )
    above = {p.pk: p for p in Person.objects.managers_above(person)}
    line, at = [], person.line_manager_id
    while at in above and len(line) <= len(above):
        line.append(above[at])
        at = above[at].line_manager_id
    reports = person.reports.select_related("role_profile").order_by("name")
    appraisals = list(
        Appraisal.objects.visible_to(request.user)
        .filter(person=person)
        .select_related("cycle", "manager")
        .only(*progress.SHOWN_FIELDS, "manager__name")
        .order_by("-cycle__opens_on", "-pk")
    )
    today = timezone.localdate()
    # Open ones (cycles may overlap) soonest due first; then the signed off.
    open_ones = sorted(
        (a for a in appraisals if a.stage != Stage.SIGNED_OFF),
        key=lambda a: (a.cycle.closes_on, a.cycle.opens_on, a.pk),
    )
    for appraisal in open_ones:
        appraisal.overdue = progress.is_overdue(appraisal, today)
    return render(
        request,
        "appraisals/people/detail.html",
        {
            "person": person,
            "line": list(reversed(line)),
            "reports": reports,
            "open_appraisals": [(a, appraisal_page(a.pk)) for a in open_ones],
            "signed_off": [
                (a, appraisal_page(a.pk)) for a in appraisals if a.stage == Stage.SIGNED_OFF
            ],
            "has_left": person.has_left(),
            "to_reassign": _to_reassign(request, person),
            **_personal_data(person),
            "locked_until": _locked_until(request, person),
            "crumbs": [("People", reverse("appraisals:people"))],
        },
    )


def _personal_data(person):
    """For HR's personal-data part of the page: whether the person may be
    anonymised now, or from when."""
    return {
        "anonymise_due": privacy.is_due(person),
        "anonymise_from": privacy.anonymisable_from(person),
        "retention_years": settings.RETENTION_YEARS,
    }


def _locked_until(request, person):
    """For HR: until when the person's account is locked out of signing in
    after failed attempts (None: it is not)."""
    if person.account is None or not is_hr(request.user):
        return None
    return signin.locked_until(person.account.get_username())


def _account_of(pk):
    return get_object_or_404(
        Person.objects.select_related("account").filter(account__isnull=False), pk=pk
    )


@hr_only
@require_POST
def person_unlock(request, pk):
    """HR lift a lockout after failed sign-ins: the person may sign in now."""
    person = _account_of(pk)
    signin.unlock(username=person.account.get_username(), by=request.user)
    messages.success(request, f"{person.name} can sign in again.")
    return redirect("appraisals:person", pk=person.pk)


@hr_only
@require_POST
def person_sign_out_everywhere(request, pk):
    """HR end every session of the person, on every device."""
    person = _account_of(pk)
    end_every_session(user=person.account, by=request.user)
    messages.success(
        request, f"{person.name} has been signed out everywhere: they must sign in again."
    )
    return redirect("appraisals:person", pk=person.pk)


def _to_reassign(request, person):
    """For HR, on a leaver's page: the open appraisals they still manage."""
    if not person.has_left() or not is_hr(request.user):
        return []
    return list(
        Appraisal.objects.managed_by_leavers()
        .filter(manager=person)
        .select_related("person", "cycle")
        .order_by("cycle__closes_on", "person__name")
    )


@hr_only
def person_create(request):
    return _edit(request, Person())


@hr_only
def person_edit(request, pk):
    return _edit(request, get_object_or_404(Person.objects.select_related("line_manager"), pk=pk))


def _edit(request, person):
    form = PersonForm(request.POST or None, instance=person, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            saved = people_service.save_person(form=form)
        except ValidationError as error:
            # Nothing was saved; the form shows what was typed.
            form.add_error("manager", error.messages[0])
            if not person.pk:
                form.instance.pk = None
        else:
            messages.success(request, f"Saved {saved.name}.")
            return redirect("appraisals:person", pk=saved.pk)
    return render(request, "appraisals/people/form.html", {"form": form, "person": person})


# --- the import ------------------------------------------------------------------------


@hr_only
@uploads.size_capped(PeopleUploadForm, "appraisals/people/import.html")
def people_import(request):
    form = PeopleUploadForm()
    if request.method == "POST" and "token" in request.POST:
        return _confirm_import(request)
    if request.method == "POST":
        form = PeopleUploadForm(request.POST, request.FILES)
        if form.is_valid() and (data := uploads.read_upload(form)) is not None:
            name, mode = form.cleaned_data["file"].name, form.cleaned_data["mode"]
            try:
                plan = importing.plan_import(data, name, mode=mode)
            except importing.PeopleImportError as error:
                return render(
                    request,
                    "appraisals/people/import.html",
                    {"form": form, "problems": error.messages, "name": name, "has_errors": True},
                )
            token = uploads.stash(
                request,
                PendingUpload.Purpose.PEOPLE,
                name,
                data,
                fingerprint=plan.fingerprint,
                mode=mode.value,
            )
            return render(
                request,
                "appraisals/people/import_preview.html",
                {"plan": plan, "name": name, "token": token},
            )
    return render(request, "appraisals/people/import.html", {"form": form})


def _confirm_import(request):
    upload = uploads.unstash(request, PendingUpload.Purpose.PEOPLE)
    # An upload kept before imports had modes is read again with its mode chosen.
    if upload is None or "mode" not in upload.options:
        messages.error(request, uploads.EXPIRED)
        return redirect("appraisals:people_import")
    try:
        job = tasks.start_people_import(upload, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("appraisals:people_import")
    if job.state == BackgroundJob.State.DONE:  # written in the request
        messages.success(request, job.result["message"])
        return redirect(job.result["url"])
    if job.state == BackgroundJob.State.FAILED:
        messages.error(request, " ".join(job.error.splitlines()))
        return redirect("appraisals:people_import")
    return redirect("job", pk=job.pk)


@hr_only
def people_template(request):
    """A header-only CSV: the columns the import reads."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="people-template.csv"'
    csv.writer(response).writerow([*importing.COLUMNS, *importing.OPTIONAL])
    return response
