"""Upload pages for HR: a role profile (published page text or
role-profile/1 JSON) and a whole framework table. Each shows a preview of
what would be created or changed, and writes nothing until confirmed. They
call the same import code as the commands.

Between preview and confirmation the uploaded file waits in the database
(PendingUpload) under a one-time token that only its uploader can use, so
the confirmation imports exactly the file that was previewed, and the
session stays small.
"""

import csv
import secrets
from functools import wraps

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from competency.frameworks import SKILLS_COLUMNS
from competency.roles import hr_required
from competency.tables import FileImportError
from profiles.documents import ChangedSinceConfirmed, ProfileImportError
from profiles.importing.batch import import_profiles, shared_fingerprint
from profiles.importing.framework_import import DDAT_COLUMNS, import_framework
from profiles.importing.parsing import read_profile
from profiles.importing.preview import preview_imports
from profiles.models import PendingUpload

MAX_UPLOAD = 5 * 1024 * 1024
# A request a little larger than the file (its other fields and the
# multipart boundaries) is refused before its body is read.
MAX_REQUEST = MAX_UPLOAD + 64 * 1024
TOO_LARGE = "The file is larger than 5 MB; split it into smaller files"
EXPIRED = "That upload has expired. Upload the file again."

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


def _size_capped(form_class, template, context=dict):
    """Refuse an upload larger than MAX_UPLOAD before its body is read.

    CSRF checking reads the whole POST body (spooling a file of any size to
    disk), so the view is exempt from the middleware's check and protects
    itself after the length is known."""

    def decorator(view):
        protected = csrf_protect(view)

        @wraps(view)
        def capped(request, *args, **kwargs):
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            if request.method == "POST" and length > MAX_REQUEST:
                form = form_class({}, {})
                form.is_valid()
                form.errors.clear()
                form.add_error("file", TOO_LARGE)
                # Whatever follows the refused body is not read: close the connection.
                response = render(request, template, {**context(), "form": form}, status=413)
                response["Connection"] = "close"
                return response
            return protected(request, *args, **kwargs)

        return csrf_exempt(capped)

    return decorator


def _read_upload(form):
    upload = form.cleaned_data["file"]
    if upload.size > MAX_UPLOAD:
        form.add_error("file", TOO_LARGE)
        return None
    # Never more than the cap, whatever size the upload claimed.
    data = upload.read(MAX_UPLOAD + 1)
    if len(data) > MAX_UPLOAD:
        form.add_error("file", TOO_LARGE)
        return None
    return data


# --- Uploads waiting for confirmation ------------------------------------------


def _stash(request, purpose, name, data, **options):
    """Keep an upload for its uploader's confirmation; return its token.

    Expired uploads (anyone's) go now, and a person keeps only their newest
    few, so the table stays small without a scheduled job."""
    with transaction.atomic():
        PendingUpload.objects.expired().delete()
        upload = PendingUpload.objects.create(
            token=secrets.token_urlsafe(32),
            owner=request.user,
            purpose=purpose,
            name=name[:255],
            data=data,
            options=options,
        )
        older = PendingUpload.objects.filter(owner=request.user).order_by("-created_at", "-id")[
            PendingUpload.KEEP :
        ]
        PendingUpload.objects.filter(pk__in=list(older.values_list("pk", flat=True))).delete()
    return upload.token


def _unstash(request, purpose):
    """The person's own live upload named by the POSTed token, or None."""
    return PendingUpload.objects.live_for(request.user, purpose, request.POST.get("token", ""))


def _forget(upload):
    upload.delete()


# --- A role profile ----------------------------------------------------------


@hr_required
@_size_capped(ProfileUploadForm, "imports/profile.html")
def import_profile(request):
    form = ProfileUploadForm()
    if request.method == "POST" and "token" in request.POST:
        return _confirm_profile(request)
    if request.method == "POST":
        form = ProfileUploadForm(request.POST, request.FILES)
        if form.is_valid() and (data := _read_upload(form)) is not None:
            name = form.cleaned_data["file"].name
            try:
                source = read_profile(data, name)
                (preview,) = preview_imports([source])
            except ProfileImportError as error:
                form.add_error("file", _error_message(error))
            else:
                token = _stash(
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


def _error_message(error):
    """One message naming the file, what is wrong and where in it."""
    name = f"{error.name}: " if getattr(error, "name", "") else ""
    where = f" ({error.where})" if getattr(error, "where", "") else ""
    return f"{name}{error.message}{where}"


def _confirm_profile(request):
    upload = _unstash(request, PendingUpload.Purpose.PROFILE)
    if upload is None:
        messages.error(request, EXPIRED)
        return redirect("imports:profile")
    publish = request.POST.get("publish") == "on"
    data = bytes(upload.data)
    shared_form = SharedTextsForm(request.POST)
    try:
        source = read_profile(data, upload.name)
        if upload.options.get("shared") and not shared_form.is_valid():
            # Asked and not answered: the same preview again, with the question marked.
            (preview,) = preview_imports([source])
            return _profile_preview(request, upload.name, preview, upload.token, shared_form)
        # The import compares the profile (and, when shared texts are to be
        # rewritten, those texts) with what was previewed, under their row
        # locks: if someone changed them since, nothing is written.
        update = request.POST.get("shared_texts") == "update"
        slug = upload.options["slug"]
        (result,) = import_profiles(
            [source],
            publish=publish,
            user=request.user,
            confirmed={slug: upload.options["fingerprint"]},
            update_shared_texts=update,
            confirmed_shared={slug: upload.options["shared_fingerprint"]} if update else None,
        )
    except ChangedSinceConfirmed as error:
        _forget(upload)
        messages.error(request, " ".join(error.messages))
        return redirect("imports:profile")
    except (ProfileImportError, ValidationError) as error:
        message = error.message if hasattr(error, "message") else " ".join(error.messages)
        messages.error(request, f"Nothing was imported: {message}")
        return redirect("imports:profile")
    _forget(upload)
    done = {"created": "Imported", "updated": "Updated the draft of", "unchanged": "No changes to"}
    text = f"{done[result.action]} ‘{result.profile.title}’"
    if result.version:
        text += f" and published it as version {result.version.number}"
    kept = [shared for shared in result.shared if not shared.updated]
    if kept:
        text += (
            f". It shows the catalogue's current text of {len(kept)} skill text(s) that "
            "other profiles share"
        )
    messages.success(request, text + ".")
    return redirect(reverse("profiles:detail", args=[result.profile.slug]))


# --- A framework -------------------------------------------------------------


@hr_required
@_size_capped(FrameworkUploadForm, "imports/framework.html", lambda: {"templates": TEMPLATES})
def import_framework_page(request):
    form = FrameworkUploadForm()
    if request.method == "POST" and "token" in request.POST:
        return _confirm_framework(request)
    if request.method == "POST":
        form = FrameworkUploadForm(request.POST, request.FILES)
        if form.is_valid() and (data := _read_upload(form)) is not None:
            name = form.cleaned_data["file"].name
            layout = form.cleaned_data["format"]
            try:
                result = import_framework(data, name, format=layout, preview=True)
            except FileImportError as error:
                form.add_error("file", _error_message(error))
            else:
                # The confirmation writes only if the catalogue is still as
                # the person saw it.
                token = _stash(
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
    upload = _unstash(request, PendingUpload.Purpose.FRAMEWORK)
    if upload is None:
        messages.error(request, EXPIRED)
        return redirect("imports:framework")
    try:
        outcome = import_framework(
            bytes(upload.data),
            upload.name,
            format=upload.options["format"],
            confirmed=upload.options["fingerprint"],
        )
    except FileImportError as error:
        messages.error(request, f"Nothing was imported: {_error_message(error)}")
        return redirect("imports:framework")
    _forget(upload)
    # Shown straight away rather than after a redirect: the links to the
    # drafts it made are the point, and a reload only says "expired".
    return render(
        request,
        "imports/framework_done.html",
        {"name": upload.name, "lines": outcome.lines, "profiles": outcome.profiles},
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
