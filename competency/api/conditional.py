"""ETags and conditional requests: no lost updates, no needless bodies.

A resource's ETag is a fingerprint of what the caller reads (for a role
profile, profiles.documents.document_fingerprint of its document). The
services take that fingerprint as `confirmed=` and compare it under the row
lock, inside the write's transaction, so the check and the write cannot be
separated:

    locked, confirmed = lock_confirmed(request, p)   # profiles/api/etags.py
    publish_profile(profile=locked, confirmed=confirmed)  # 412 when stale
    return with_etag(Response(...), fingerprint)

A write whose ETag is not a service's fingerprint (a cycle, an appraisal's
revision) locks the row and checks If-Match against it in one step:

    with transaction.atomic():
        locked = cycles.lock(cycle)
        check_if_match(request, cycle_etag(locked))  # 428 without, 412 when stale
        ...write under the same lock...

If-Match is RFC 9110's: a list of entity tags, compared strongly (a weak
tag never matches), a malformed value 400; a 412 carries the current ETag
so the client can read, merge and retry. A read answers 304 when the caller
already has it:

    return not_modified(request, fingerprint) or with_etag(Response(body), fingerprint)
"""

import re

from rest_framework import exceptions, status
from rest_framework.response import Response

from competency.api.problems import PreconditionFailed, PreconditionRequired

# RFC 9110 section 8.8.3: entity-tag = [ "W/" ] DQUOTE *etagc DQUOTE, etagc
# any visible character but DQUOTE (and obs-text). A field is a list of them,
# separated by commas, with optional whitespace and empty elements.
_ENTITY_TAG = re.compile(r'\s*(W/)?"([\x21\x23-\x7e\x80-\xff]*)"\s*')
MALFORMED = (
    "{header} must be * or a list of entity tags as the ETag header gives them "
    '(e.g. "abc123"), separated by commas.'
)


def quoted(fingerprint):
    return f'"{fingerprint}"'


def _tags(header, name):
    """The entity tags of an If-Match / If-None-Match field as (weak, value)
    pairs, or ["*"]. A value that is neither is the client's mistake: 400
    naming the header, never a silent mismatch."""
    if header.strip() == "*":
        return ["*"]
    tags = []
    for part in header.split(","):
        if not part.strip():
            continue  # the list syntax allows empty elements
        match = _ENTITY_TAG.fullmatch(part)
        if match is None:
            raise exceptions.ValidationError({name: [MALFORMED.format(header=name)]})
        tags.append((bool(match.group(1)), match.group(2)))
    if not tags:
        raise exceptions.ValidationError({name: [MALFORMED.format(header=name)]})
    return tags


def if_match_tags(request):
    """The fingerprints If-Match names, compared strongly (RFC 9110 13.1.1:
    a weak tag never matches, so it is left out, which may leave none); None
    for `If-Match: *` (any version will do). Raises PreconditionRequired
    (428) when the header is missing and a 400 when it is malformed."""
    header = request.META.get("HTTP_IF_MATCH")
    if header is None:
        raise PreconditionRequired()
    tags = _tags(header, "If-Match")
    if tags == ["*"]:
        return None
    return [value for weak, value in tags if not weak]


def check_if_match(request, current):
    """If-Match against `current`, the ETag of the row as locked now: call
    inside the write's transaction, after locking the row. 428 without
    If-Match, 412 (carrying the current ETag) when none of its tags is
    current. Returns the tag matched, or None for `If-Match: *`."""
    tags = if_match_tags(request)
    if tags is None:
        return None
    if current not in tags:
        raise PreconditionFailed(etag=current)
    return current


def not_modified(request, fingerprint):
    """A 304 response when If-None-Match names the current ETag (weak
    comparison, RFC 9110 13.1.2), else None."""
    header = request.META.get("HTTP_IF_NONE_MATCH")
    if header is None:
        return None
    try:
        tags = _tags(header, "If-None-Match")
    except exceptions.ValidationError:
        # A read is never refused for a cache's mangled validator: the
        # representation is simply sent again.
        return None
    if tags == ["*"] or fingerprint in (value for _, value in tags):
        return with_etag(Response(status=status.HTTP_304_NOT_MODIFIED), fingerprint)
    return None


def with_etag(response, fingerprint):
    response["ETag"] = quoted(fingerprint)
    return response
