"""Upload pages for HR: a role profile (published page text or
role-profile/1 JSON) and a whole framework table. Each shows a preview of
what would be created or changed, and writes nothing until confirmed. They
call the same import code as the commands.

Between preview and confirmation the uploaded file waits in the person's
session, under a one-time key, so the confirmation imports exactly the
file that was previewed.
"""

import base64
import secrets

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse

from competency.frameworks import FrameworkImportError
from competency.roles import hr_required
from profiles.documents import ChangedSinceConfirmed
from profiles.importing.frameworks import import_framework_file
from profiles.importing.reading import ProfileImportError, read_profile
from profiles.importing.writing import import_profiles, preview_imports

MAX_UPLOAD = 5 * 1024 * 1024
SESSION_KEY = "pending-imports"


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


def _read_upload(form):
    upload = form.cleaned_data["file"]
    if upload.size > MAX_UPLOAD:
        form.add_error("file", "The file is larger than 5 MB; split it into smaller files")
        return None
    return upload.read()


def _stash(request, kind, name, data, **extra):
    token = secrets.token_urlsafe(16)
    pending = request.session.get(SESSION_KEY, {})
    # Keep only the newest few uploads of a person.
    for old in list(pending)[:-4]:
        pending.pop(old)
    pending[token] = {
        "kind": kind,
        "name": name,
        "data": base64.b64encode(data).decode(),
        **extra,
    }
    request.session[SESSION_KEY] = pending
    return token


def _unstash(request, kind, token):
    pending = request.session.get(SESSION_KEY, {})
    entry = pending.get(token)
    if not entry or entry["kind"] != kind:
        return None
    return entry


def _forget(request, token):
    pending = request.session.get(SESSION_KEY, {})
    pending.pop(token, None)
    request.session[SESSION_KEY] = pending


@hr_required
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
                    "profile",
                    name,
                    data,
                    slug=preview.slug,
                    fingerprint=preview.fingerprint,
                )
                return render(
                    request,
                    "imports/profile_preview.html",
                    {
                        "name": name,
                        "preview": preview,
                        "token": token,
                        "comparison": preview.differences,
                        "before_name": "Now",
                        "after_name": "After the import",
                    },
                )
    return render(request, "imports/profile.html", {"form": form})


def _error_message(error):
    where = f" ({error.where})" if getattr(error, "where", "") else ""
    return f"{error.message}{where}"


def _confirm_profile(request):
    entry = _unstash(request, "profile", request.POST["token"])
    if entry is None:
        messages.error(request, "That upload has expired. Upload the file again.")
        return redirect("imports:profile")
    publish = request.POST.get("publish") == "on"
    try:
        source = read_profile(base64.b64decode(entry["data"]), entry["name"])
        # The import compares the profile with what was previewed under its
        # row lock: if someone changed it since, nothing is written.
        (result,) = import_profiles(
            [source],
            publish=publish,
            user=request.user,
            confirmed={entry["slug"]: entry["fingerprint"]},
        )
    except ChangedSinceConfirmed as error:
        _forget(request, request.POST["token"])
        messages.error(request, " ".join(error.messages))
        return redirect("imports:profile")
    except (ProfileImportError, ValidationError) as error:
        message = error.message if hasattr(error, "message") else " ".join(error.messages)
        messages.error(request, f"Nothing was imported: {message}")
        return redirect("imports:profile")
    _forget(request, request.POST["token"])
    done = {"created": "Imported", "updated": "Updated the draft of", "unchanged": "No changes to"}
    text = f"{done[result.action]} ‘{result.profile.title}’"
    if result.version:
        text += f" and published it as version {result.version.number}"
    messages.success(request, text + ".")
    return redirect(reverse("profiles:detail", args=[result.profile.slug]))


@hr_required
def import_framework(request):
    form = FrameworkUploadForm()
    if request.method == "POST" and "token" in request.POST:
        return _confirm_framework(request)
    if request.method == "POST":
        form = FrameworkUploadForm(request.POST, request.FILES)
        if form.is_valid() and (data := _read_upload(form)) is not None:
            name = form.cleaned_data["file"].name
            layout = form.cleaned_data["format"]
            try:
                result = import_framework_file(data, name, format=layout, preview=True)
            except FrameworkImportError as error:
                form.add_error("file", _error_message(error))
            else:
                # The confirmation writes only if the catalogue is still as
                # the person saw it.
                token = _stash(
                    request,
                    "framework",
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
    return render(request, "imports/framework.html", {"form": form})


def _confirm_framework(request):
    entry = _unstash(request, "framework", request.POST["token"])
    if entry is None:
        messages.error(request, "That upload has expired. Upload the file again.")
        return redirect("imports:framework")
    try:
        result = import_framework_file(
            base64.b64decode(entry["data"]),
            entry["name"],
            format=entry["format"],
            confirmed=entry["fingerprint"],
        )
    except FrameworkImportError as error:
        messages.error(request, f"Nothing was imported: {_error_message(error)}")
        return redirect("imports:framework")
    _forget(request, request.POST["token"])
    messages.success(request, f"Imported {entry['name']}: {result.lines[0]}.")
    return redirect("catalogue:index")
