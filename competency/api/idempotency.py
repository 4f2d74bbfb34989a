"""Idempotency-Key on POSTs that create: a retried request gets the first
answer and writes nothing twice.

    @idempotent
    def create(self, request, *args, **kwargs): ...

The key is claimed (a row, unique per person and key) in the same
transaction as the write, so:
- a retry after the first succeeded finds the row and replays its answer;
- a retry while the first is still running waits on the row's unique index
  and then replays the first's answer (or runs, if the first failed);
- a request that fails (any 4xx/5xx exception) keeps no row, so a retry
  tries again;
- the same key with another method, address, query string or body is
  refused (422).
"""

import hashlib
import json
from functools import wraps

from django.db import IntegrityError, transaction
from rest_framework import exceptions
from rest_framework.response import Response

from competency.api.models import IdempotentRequest

HEADER = "HTTP_IDEMPOTENCY_KEY"
MAX_KEY = 255
# Headers of the first answer that a replay repeats.
KEPT_HEADERS = ("Location", "ETag")


class KeyReused(exceptions.APIException):
    status_code = 422
    default_detail = (
        "This Idempotency-Key was used for a different request; use a new key for a new request."
    )
    default_code = "idempotency_key_reused"


def _digest(request):
    """A digest of what was sent: the query string (`?publish=true` is
    another request), then the body as the view's parser read it. Never
    request.body first: Django refuses one larger than
    DATA_UPLOAD_MAX_MEMORY_SIZE with an HTML page, where the importer's own
    limit should answer. A file sent as the body (an import's) is its bytes;
    a form or a JSON object its fields, and a form's files their contents."""
    digest = hashlib.sha256(request.META.get("QUERY_STRING", "").encode() + b"\n")
    data = request.data
    if isinstance(data, bytes | bytearray):
        digest.update(data)
        return digest.hexdigest()
    if not hasattr(data, "getlist"):  # JSON: an object, a list or a value
        digest.update(json.dumps(data, sort_keys=True, default=str).encode())
        return digest.hexdigest()
    for name in sorted(data):
        digest.update(f"{name}={data.getlist(name)!r};".encode())
    for name in sorted(request.FILES):
        for upload in request.FILES.getlist(name):
            upload.seek(0)
            digest.update(f"{name}:{upload.name}:".encode())
            for chunk in upload.chunks():
                digest.update(chunk)
            upload.seek(0)
    return digest.hexdigest()


def _replay(record):
    response = Response(record.response, status=record.status, headers=record.headers)
    response["Idempotent-Replayed"] = "true"
    return response


def idempotent(handler):
    """Wrap a viewset method that creates, so that Idempotency-Key works."""

    @wraps(handler)
    def wrapper(self, request, *args, **kwargs):
        key = request.META.get(HEADER)
        if key is None or not request.user.is_authenticated:
            return handler(self, request, *args, **kwargs)
        if not key.strip() or len(key) > MAX_KEY:
            raise exceptions.ValidationError(
                {"Idempotency-Key": [f"Give a key of 1 to {MAX_KEY} characters."]}
            )
        asked = {"method": request.method, "path": request.path, "request_digest": _digest(request)}
        with transaction.atomic():
            try:
                with transaction.atomic():
                    record = IdempotentRequest.objects.create(key=key, user=request.user, **asked)
            except IntegrityError:
                record = IdempotentRequest.objects.get(key=key, user=request.user)
                if any(getattr(record, name) != value for name, value in asked.items()):
                    raise KeyReused() from None
                return _replay(record)
            response = handler(self, request, *args, **kwargs)
            if response.status_code >= 400:
                # An error answered without raising: not kept, so a retry runs.
                transaction.set_rollback(True)
                return response
            record.status = response.status_code
            record.response = response.data
            record.headers = {name: response[name] for name in KEPT_HEADERS if name in response}
            record.save(update_fields=["status", "response", "headers"])
        return response

    return wrapper
