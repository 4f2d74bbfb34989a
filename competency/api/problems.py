"""One error shape for the whole API: RFC 9457 problem details.

Every error, whether DRF raised it (401, 403, 404, 405, 406, 415, 429),
a precondition failed (412, 428) or a service refused (Django's
ValidationError, ChangedSinceConfirmed), is answered as
`application/problem+json`:

    {"type": "about:blank", "title": "Conflict", "status": 409,
     "detail": "Only a draft can be published; ...",
     "errors": [{"pointer": "#/title", "detail": "This field is required."}]}

`errors` appears for invalid input only: one entry per message, with a JSON
pointer into the request body (or to the query parameter's name).
"""

import math

from django.core.exceptions import PermissionDenied
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import set_rollback

from competency import problems
from competency.problems import FILE_REFUSED, INVALID

CONTENT_TYPE = "application/problem+json"


class PreconditionRequired(exceptions.APIException):
    status_code = status.HTTP_428_PRECONDITION_REQUIRED
    default_detail = (
        "Send If-Match with the ETag of the resource as you last read it, so that nobody's "
        "change is overwritten unseen."
    )
    default_code = "precondition_required"


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = (
        "The resource changed since you read it (its ETag is not the one in If-Match); "
        "nothing was written. Read it again and retry."
    )
    default_code = "precondition_failed"

    def __init__(self, detail=None, code=None, *, etag=None):
        super().__init__(detail, code)
        # The resource's ETag now, sent back in the 412's ETag header.
        self.etag = etag


class FileRefused(exceptions.ValidationError):
    """A table or document sent to import that cannot be imported as it is
    (unreadable, too large, missing, or with problems at rows): invalid input
    titled as the framework and profile importers' refusals are."""


def problem(status_code, detail, *, type="about:blank", title=None, errors=None, headers=None):
    """A problem details response. `title` defaults to the status's name."""
    return problem_response(
        problems.body(status_code, detail, type=type, title=title, errors=errors), headers
    )


def problem_response(body, headers=None):
    return Response(body, status=body["status"], headers=headers)


def _message(value):
    if isinstance(value, list) and value:
        return _message(value[0])
    if isinstance(value, dict) and value:
        return _message(next(iter(value.values())))
    return str(value)


def to_problem(exc, request=None):
    """The problem response for an exception, or None for one that is not
    an error of the request (left to Django: a 500)."""
    # An app's refusal, as its exception declares it (competency/problems.py),
    # or Django's ValidationError from a service.
    refusal = problems.details(
        exc, if_match=request is not None and "HTTP_IF_MATCH" in request.META
    )
    if refusal is not None:
        return problem_response(refusal)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    if not isinstance(exc, exceptions.APIException):
        return None
    headers = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None):
        headers["Retry-After"] = str(math.ceil(exc.wait))
    if getattr(exc, "etag", None):
        headers["ETag"] = f'"{exc.etag}"'
    if isinstance(exc, exceptions.ValidationError):
        errors = list(problems.pointers(exc.detail))
        return problem(
            400,
            problems.summary(errors),
            type=INVALID,
            title=FILE_REFUSED if isinstance(exc, FileRefused) else "Invalid input",
            errors=errors,
            headers=headers,
        )
    return problem(exc.status_code, _message(exc.detail), headers=headers)


def exception_handler(exc, context):
    """DRF's EXCEPTION_HANDLER: every error as problem details."""
    request = context.get("request")
    response = to_problem(exc, request)
    if response is None:
        return None
    # Whatever the view wrote before failing is undone.
    set_rollback()
    renderer = getattr(request, "accepted_renderer", None)
    if renderer is None or renderer.format == "json":
        response.content_type = CONTENT_TYPE
    return response
