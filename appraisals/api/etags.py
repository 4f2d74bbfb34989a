"""ETags of the routes about people (a person, their check-ins and
probation): a fingerprint of what the caller reads. If-Match is checked
against it with competency.api.conditional.check_if_match."""

import hashlib
import json


def etag_of(body):
    """The ETag of a representation: a fingerprint of what the caller reads,
    its addresses left out (they depend on the host asked), and the row's
    own `etag` field. So a 304 is
    never stale, and If-Match compares what the writer last saw with the
    row as locked now."""
    # updated_at too: a write that changed nothing moves it (every save
    # does), and must not make the content look changed.
    kept = {
        key: value
        for key, value in body.items()
        if key not in ("url", "links", "etag", "updated_at")
    }
    return hashlib.sha256(json.dumps(kept, sort_keys=True, default=str).encode()).hexdigest()[:32]
