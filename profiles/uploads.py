"""Uploads to HR's pages, shared by the profile, framework and people
imports: a size cap checked before the request's body is read, and the
uploaded file kept (PendingUpload) between a preview and its confirmation,
under a one-time token that only its uploader can use."""

import secrets
from functools import wraps

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from competency import jobs
from profiles.models import CLAIMED, PendingUpload

MAX_UPLOAD = 5 * 1024 * 1024
# A request a little larger than the file (its other fields and the
# multipart boundaries) is refused before its body is read.
MAX_REQUEST = MAX_UPLOAD + 64 * 1024
TOO_LARGE = "The file is larger than 5 MB; split it into smaller files"
EXPIRED = "That upload has expired. Upload the file again."


def size_capped(form_class, template, context=dict):
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


def read_upload(form):
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


def stash(request, purpose, name, data, **options):
    """Keep an upload for its uploader's confirmation; return its token.

    Expired uploads (anyone's) go now, and a person keeps only their newest
    few, so the table stays small without a scheduled job."""
    return keep(request.user, purpose, name, data, **options).token


def keep(owner, purpose, name, data, **options):
    """Keep an upload of `owner`'s (see stash) and return it: the API's
    large imports are kept so, to be claimed at once by their job."""
    with transaction.atomic():
        PendingUpload.objects.expired().delete()
        upload = PendingUpload.objects.create(
            token=secrets.token_urlsafe(32),
            owner=owner,
            purpose=purpose,
            name=name[:255],
            data=data,
            options=options,
        )
        older = (
            PendingUpload.objects.filter(owner=owner)
            .exclude(pk__in=PendingUpload.objects.claimed().values("pk"))
            .order_by("-created_at", "-id")[PendingUpload.KEEP :]
        )
        PendingUpload.objects.filter(pk__in=list(older.values_list("pk", flat=True))).delete()
    return upload


def unstash(request, purpose):
    """The person's own live upload named by the POSTed token, or None."""
    return PendingUpload.objects.live_for(request.user, purpose, request.POST.get("token", ""))


def forget(upload):
    upload.delete()


def describe(error):
    """One message naming the file, what is wrong and where in it."""
    name = f"{error.name}: " if getattr(error, "name", "") else ""
    where = f" ({error.where})" if getattr(error, "where", "") else ""
    return f"{name}{error.message}{where}"


def start_import(task, *, kind, title, upload, by, params):
    """Start the job that writes a confirmed upload (see in_request for
    where it runs): the upload is claimed first, so that it is the job's
    alone. Returns the job, finished already when it ran in the request;
    raises ValidationError (EXPIRED) if another request claimed it first."""
    here = in_request(upload.data)
    # Claimed and recorded together: no upload is left claimed by no job.
    with transaction.atomic():
        if not claim(upload):
            raise ValidationError(EXPIRED)
        return jobs.start(
            task, kind=kind, title=title, by=by, params={"upload": upload.pk, **params}, here=here
        )


def followed(api, *, back):
    """An import job's params saying who follows it: a caller of the API
    (`api`, the root address of its call: competency.jobs.for_api), or a
    person on the page they may go back to (`back`) to upload again."""
    return {"api": api} if api else {"back": back}


def claimed_by(job):
    """The upload the import job was given, or a refusal if it is gone."""
    upload = PendingUpload.objects.claimed().filter(pk=job.params.get("upload")).first()
    if upload is None:
        raise ValidationError(EXPIRED)
    return upload


def claim(upload):
    """Hand a confirmed upload to the import job that will write it: its
    token changes to one nobody holds, so the same confirmation sent twice
    (a double click, a reload) starts one job, and the second finds the
    upload expired; a claimed upload is kept until its job deletes it (see
    PendingUploadQuerySet.expired). False if another request claimed it first."""
    claimed = PendingUpload.objects.filter(pk=upload.pk, token=upload.token).update(
        token=f"{CLAIMED}{secrets.token_urlsafe(32)}", created_at=timezone.now()
    )
    return claimed == 1


def in_request(data):
    """Whether a file (a confirmed upload, or the body of an API call that
    imports) is written in the request rather than by a worker. Without a
    broker everything is. With one, a file of at least
    IMPORTS_IN_BACKGROUND_FROM_BYTES goes to a worker: people expect a small
    file (one profile, a few new starters) to be done when they press the
    button and to land on what it made, as before; a large one (a whole
    organisation, the DDaT table) takes long enough to outlast a request's
    timeout, so its page follows the job instead, showing how far it has got
    (and the API answers 202 with the job to follow)."""
    return not jobs.in_background() or len(data) < settings.IMPORTS_IN_BACKGROUND_FROM_BYTES


def forget_claimed(job):
    """Delete the upload a finished import job was given, whether it wrote
    it or refused it (a refused file must be uploaded again anyway)."""
    if job.finished and job.params.get("upload"):
        PendingUpload.objects.filter(pk=job.params["upload"]).claimed().delete()
