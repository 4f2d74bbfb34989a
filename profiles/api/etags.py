"""A profile's ETag, and the row lock under which If-Match is checked.

A profile's ETag is its document's fingerprint (documents.
document_fingerprint, what the services' `confirmed=` compares under the row
lock) followed by its status and version in force, so a publish or archive,
which leaves the text alone, still changes it. Every write takes If-Match
and checks it inside the write's transaction, under the lock.

A list row carries the same ETag without a document built per row: the
fingerprints are stored with the profile's row (profiles/fingerprints.py):
the version in force's, which readers read, and the working copy's, HR's.
"""

from competency.api.conditional import if_match_tags
from competency.api.problems import PreconditionFailed
from profiles import lifecycle
from profiles.documents import document_fingerprint, profile_document


def state_of(profile):
    return _state(profile.status, profile.published_version_id)


def _state(status, published_version_id):
    return f"{status}.{published_version_id or 0}"


def profile_etag(profile, document):
    return f"{document_fingerprint(document)}.{state_of(profile)}"


def row_etag(row, fingerprint):
    """profile_etag() of a list row (its values: `status` and
    `published_version_id`) from the stored fingerprint of the document
    this caller reads (for HR profiles.fingerprints.known_fingerprints's)."""
    return f"{fingerprint}.{_state(row['status'], row['published_version_id'])}"


def current_etag(profile):
    """The ETag a writer (HR) reads for `profile` now: its working copy's."""
    return profile_etag(profile, profile_document(profile))


def lock_confirmed(request, profile):
    """Lock the profile's row and pick the tag of If-Match (one or a list,
    compared strongly) whose state part is the row's now; its fingerprint
    part is returned for the service's `confirmed=`, which compares it under
    the same lock. None of them current: 412 with the current ETag. Call
    inside transaction.atomic()."""
    tags = if_match_tags(request)
    locked = lifecycle.lock(profile)
    if tags is None:  # If-Match: *
        return locked, None
    state = state_of(locked)
    candidates = [
        fingerprint for fingerprint, _, of in (t.partition(".") for t in tags) if of == state
    ]
    if not candidates:
        raise PreconditionFailed(etag=current_etag(locked))
    if len(candidates) > 1:
        # Several reads of the same state: the one whose text is current.
        now = document_fingerprint(profile_document(locked))
        candidates = [now] if now in candidates else candidates[-1:]
    return locked, candidates[0]


def lock_unchanged(request, profile):
    """lock_confirmed(), and the fingerprint checked at once: for the item
    services, which take no `confirmed=`, the check runs here under the
    same lock and in the same transaction as their write."""
    locked, confirmed = lock_confirmed(request, profile)
    lifecycle.check_confirmed(
        profile_document(locked) if confirmed is not None else None,
        confirmed,
        "The draft changed since you read it, so nothing was changed. Read it again.",
    )
    return locked
