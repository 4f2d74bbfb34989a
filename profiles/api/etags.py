"""A profile's ETag, and the row lock under which If-Match is checked.

A profile's ETag is its document's fingerprint (documents.
document_fingerprint, what the services' `confirmed=` compares under the row
lock) followed by its status and version in force, so a publish or archive,
which leaves the text alone, still changes it. Every write takes If-Match
and checks it inside the write's transaction, under the lock.
"""

from competency.api.conditional import if_match
from competency.api.problems import PreconditionFailed
from profiles import lifecycle
from profiles.documents import document_fingerprint, profile_document


def state_of(profile):
    return f"{profile.status}.{profile.published_version_id or 0}"


def profile_etag(profile, document):
    return f"{document_fingerprint(document)}.{state_of(profile)}"


def lock_confirmed(request, profile):
    """Lock the profile's row and check If-Match's state part against it;
    the fingerprint part is returned for the service's `confirmed=`, which
    compares it under the same lock. Call inside transaction.atomic()."""
    tag = if_match(request)
    locked = lifecycle.lock(profile)
    if tag is None:  # If-Match: *
        return locked, None
    fingerprint, _, state = tag.partition(".")
    if state != state_of(locked):
        raise PreconditionFailed()
    return locked, fingerprint


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
