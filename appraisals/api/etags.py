"""ETags of the routes about people (a person, their check-ins and
probation): a fingerprint of what the caller reads, and If-Match checked
against the row as locked now."""

import hashlib
import json

from competency.api.conditional import if_match
from competency.api.problems import PreconditionFailed


def etag_of(body):
    """The ETag of a representation: a fingerprint of what the caller reads,
    its addresses left out (they depend on the host asked). So a 304 is
    never stale, and If-Match compares what the writer last saw with the
    row as locked now."""
    kept = {key: value for key, value in body.items() if key not in ("url", "links")}
    return hashlib.sha256(json.dumps(kept, sort_keys=True, default=str).encode()).hexdigest()[:32]


def check_if_match(request, current):
    """If-Match against the ETag of the row as locked now: call inside the
    write's transaction, after select_for_update. 428 without it, 412 when
    stale."""
    tag = if_match(request)
    if tag is not None and tag != current:
        raise PreconditionFailed()
