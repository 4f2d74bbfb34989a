"""ETags and conditional requests: no lost updates, no needless bodies.

A resource's ETag is a fingerprint of what the caller reads (for a role
profile, profiles.documents.document_fingerprint of its document). The
services take that fingerprint as `confirmed=` and compare it under the row
lock, inside the write's transaction, so the check and the write cannot be
separated:

    confirmed = if_match(request)               # 428 without If-Match
    publish_profile(profile=p, confirmed=confirmed)  # 412 when stale
    return with_etag(Response(...), fingerprint)

A write whose ETag is not a service's fingerprint (a cycle, an appraisal's
revision) locks the row and checks If-Match against it in one step:

    with transaction.atomic():
        locked = cycles.lock(cycle)
        check_if_match(request, cycle_etag(locked))  # 428 without, 412 when stale
        ...write under the same lock...

and a read answers 304 when the caller already has it:

    return not_modified(request, fingerprint) or with_etag(Response(body), fingerprint)
"""

from rest_framework import status
from rest_framework.response import Response

from competency.api.problems import PreconditionFailed, PreconditionRequired


def quoted(fingerprint):
    return f'"{fingerprint}"'


def _tags(header):
    """The entity tags of an If-Match / If-None-Match header, unquoted
    (weak tags compare by their value, as If-None-Match's weak comparison
    says); ["*"] for a star."""
    tags = []
    for part in header.split(","):
        part = part.strip()
        if part.startswith("W/"):
            part = part[2:]
        if part:
            tags.append(part.strip('"'))
    return tags


def if_match(request):
    """The fingerprint the caller says they last read, for a service's
    `confirmed=`; None for `If-Match: *` (any version will do). Raises
    PreconditionRequired (428) when the header is missing."""
    header = request.META.get("HTTP_IF_MATCH")
    if header is None:
        raise PreconditionRequired()
    tags = _tags(header)
    if not tags or tags == ["*"]:
        return None
    if len(tags) > 1:
        # The services compare against one fingerprint; a list of several
        # is a client that kept older reads: it must say which it means.
        raise PreconditionRequired("Send one ETag in If-Match, the one you last read.")
    return tags[0]


def check_if_match(request, current):
    """If-Match against `current`, the ETag of the row as locked now: call
    inside the write's transaction, after locking the row. 428 without
    If-Match, 412 when stale. Returns the tag, or None for `If-Match: *`."""
    tag = if_match(request)
    if tag is not None and tag != current:
        raise PreconditionFailed()
    return tag


def not_modified(request, fingerprint):
    """A 304 response when If-None-Match names the current ETag, else None."""
    header = request.META.get("HTTP_IF_NONE_MATCH")
    if header is None:
        return None
    tags = _tags(header)
    if "*" in tags or fingerprint in tags:
        return with_etag(Response(status=status.HTTP_304_NOT_MODIFIED), fingerprint)
    return None


def with_etag(response, fingerprint):
    response["ETag"] = quoted(fingerprint)
    return response
