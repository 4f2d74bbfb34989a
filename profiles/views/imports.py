"""Upload pages for HR: a role profile (published page text or
role-profile/1 JSON) and a whole framework table. Each shows a preview of
what would be created or changed, and writes nothing until confirmed. They
call the same import code as the commands.

Between preview and confirmation the uploaded file waits in the database
(PendingUpload) under a one-time token that only its uploader can use, so
the confirmation imports exactly the file that was previewed, and the
session stays small. The confirmation hands it to a background job
(profiles/tasks.py): a large file, with a broker configured, is written by
a worker and the page follows the job; otherwise it is written at once.
"""

import csv

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render

from competency.frameworks import SKILLS_COLUMNS
from competency.models import BackgroundJob
from competency.roles import hr_required
from competency.tables import FileImportError
from profiles import tasks, uploads
from profiles.documents import ProfileImportError
from profiles.importing.batch import shared_fingerprint
from profiles.importing.framework_import import DDAT_COLUMNS, import_framework
from profiles.importing.parsing import read_profile
from profiles.importing.preview import preview_imports
from profiles.models import PendingUpload

# The columns of each table layout, for the framework page and its templates.
TABLE_TEMPLATES = {"ddat-roles": DDAT_COLUMNS, "skills": SKILLS_COLUMNS}
TEMPLATES = [
    ("ddat-roles", "DDaT role table", DDAT_COLUMNS),
    ("skills", "Your own framework, one row per skill level", SKILLS_COLUMNS),
]


class ProfileUploadForm(forms.Form):
    file = forms.FileField(
        label="Role profile file",
        help_text="The text of a published role profile page (.txt) or a role-profile/1 "
        "JSON document (.json).",
        error_messages={"required": "Choose a file to import"},
    )


class FrameworkUploadForm(forms.Form):
    file = forms.FileField(
        label="Framework file",
        help_text="CSV or XLSX table, or a framework/1 JSON export.",
        error_messages={"required": "Choose a file to import"},
    )
    format = forms.ChoiceField(
        label="Layout of the file",
        choices=[
            ("ddat-roles", "DDaT role table (CSV)"),
            ("skills", "Our own framework: one row per skill level (CSV or XLSX)"),
            ("json", "framework/1 JSON export"),
        ],
    )


class SharedTextsForm(forms.Form):
    shared_texts = forms.ChoiceField(
        choices=[
            ("update", "Update it everywhere"),
            ("keep", "Keep the current text"),
        ],
        error_messages={
            "required": "Choose whether to update the shared texts everywhere or keep "
            "the current text"
        },
    )


# --- A role profile ----------------------------------------------------------


@hr_required
@uploads.size_capped(ProfileUploadForm, "imports/profile.html")
def import_profile(request):
    form = ProfileUploadForm()
    if request.method == "POST" and "token" in request.POST:
        return _confirm_profile(request)
    if request.method == "POST":
        form = ProfileUploadForm(request.POST, request.FILES)
        if form.is_valid() and (data := uploads.read_upload(form)) is not None:
            name = form.cleaned_data["file"].name
            try:
                source = read_profile(data, name)
                (preview,) = preview_imports([source])
            except ProfileImportError as error:
                form.add_error("file", uploads.describe(error))
            else:
                token = uploads.stash(
                    request,
                    PendingUpload.Purpose.PROFILE,
                    name,
                    data,
                    slug=preview.slug,
                    fingerprint=preview.fingerprint,
                    shared=bool(preview.shared),
                    shared_fingerprint=shared_fingerprint(preview.shared),
                )
                return _profile_preview(request, name, preview, token, SharedTextsForm())
    return render(request, "imports/profile.html", {"form": form})


def _profile_preview(request, name, preview, token, shared_form):
    return render(
        request,
        "imports/profile_preview.html",
        {
            "name": name,
            "preview": preview,
            "token": token,
            "shared_form": shared_form,
            "has_errors": bool(shared_form.errors),
            "document": preview.document,
            "comparison": preview.differences,
            "before_name": "Now",
            "after_name": "After the import",
            "publish": request.POST.get("publish") == "on",
        },
    )


def _confirm_profile(request):
    upload = uploads.unstash(request, PendingUpload.Purpose.PROFILE)
    if upload is None:
        messages.error(request, uploads.EXPIRED)
        return redirect("imports:profile")
    shared_form = SharedTextsForm(request.POST)
    if upload.options.get("shared") and not shared_form.is_valid():
        # Asked and not answered: the same preview again, with the question marked.
        try:
            (preview,) = preview_imports([read_profile(bytes(upload.data), upload.name)])
        except (ProfileImportError, ValidationError) as error:
            message = error.message if hasattr(error, "message") else " ".join(error.messages)
            messages.error(request, f"Nothing was imported: {message}")
            return redirect("imports:profile")
        return _profile_preview(request, upload.name, preview, upload.token, shared_form)
    try:
        job = tasks.start_profile_import(
            upload,
            by=request.user,
            publish=request.POST.get("publish") == "on",
            update_shared=request.POST.get("shared_texts") == "update",
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("imports:profile")
    if job.state == BackgroundJob.State.DONE:  # written in the request
        messages.success(request, job.result["message"])
        return redirect(job.result["url"])
    if job.state == BackgroundJob.State.FAILED:
        messages.error(request, job.error)
        return redirect("imports:profile")
    return redirect("job", pk=job.pk)


# --- A framework -------------------------------------------------------------


@hr_required
@uploads.size_capped(
    FrameworkUploadForm, "imports/framework.html", lambda: {"templates": TEMPLATES}
)
def import_framework_page(request):
    form = FrameworkUploadForm()
    if request.method == "POST" and "token" in request.POST:
        return _confirm_framework(request)
    if request.method == "POST":
        form = FrameworkUploadForm(request.POST, request.FILES)
        if form.is_valid() and (data := uploads.read_upload(form)) is not None:
            name = form.cleaned_data["file"].name
            layout = form.cleaned_data["format"]
            try:
                result = import_framework(data, name, format=layout, preview=True)
            except FileImportError as error:
                form.add_error("file", uploads.describe(error))
            else:
                # The confirmation writes only if the catalogue is still as
                # the person saw it.
                token = uploads.stash(
                    request,
                    PendingUpload.Purpose.FRAMEWORK,
                    name,
                    data,
                    format=layout,
                    fingerprint=result.fingerprint,
                )
                return render(
                    request,
                    "imports/framework_preview.html",
                    {"name": name, "lines": result.lines[:-1], "token": token},
                )
    return render(request, "imports/framework.html", {"form": form, "templates": TEMPLATES})


def _confirm_framework(request):
    upload = uploads.unstash(request, PendingUpload.Purpose.FRAMEWORK)
    if upload is None:
        messages.error(request, uploads.EXPIRED)
        return redirect("imports:framework")
    try:
        job = tasks.start_framework_import(upload, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("imports:framework")
    if job.state == BackgroundJob.State.FAILED:
        messages.error(request, job.error)
        return redirect("imports:framework")
    if job.state != BackgroundJob.State.DONE:
        return redirect("job", pk=job.pk)
    # Written in the request: shown straight away rather than after a
    # redirect, as the links to the drafts it made are the point.
    return render(
        request,
        "imports/framework_done.html",
        {
            "name": upload.name,
            "lines": job.result["lines"],
            "profiles": [(link["text"], link["url"]) for link in job.result["links"]],
        },
    )


@hr_required
def table_template(request, layout):
    """A header-only CSV of a table layout, made from the columns the reader expects."""
    columns = TABLE_TEMPLATES.get(layout)
    if columns is None:
        raise Http404("No such table layout")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{layout}-template.csv"'
    csv.writer(response).writerow(columns)
    return response
