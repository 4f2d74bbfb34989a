"""A published version's body as HTML, drawn once and kept.

The body of a profile page (its summary, background and six sections) is
drawn from the role-profile/1 document alone. A published version's
document never changes (ProfileVersion refuses to save twice and a
database trigger refuses UPDATE), so the HTML drawn from it can be kept
under the version's id (and its publication time, so that an id used
again after a database is restored or a test rolled back is another key)
for as long as the code that draws it is the same:
the key also carries a digest of that code (the template, its filters and
the sections' headings), so a release that changes how a body is drawn
reads new keys even from a cache shared across releases. Nothing else goes
into the body: who is reading, the version's status and the links around
it are drawn by the page each time. A working copy (HR's draft) changes
with every edit, so it is never kept.
"""

import hashlib
from pathlib import Path

from django.core.cache import cache
from django.template.loader import render_to_string

TEMPLATE = "profiles/_document.html"
# Everything that decides how a document is drawn.
_SOURCES = [
    Path(__file__).resolve().parent.parent / "templates" / TEMPLATE,
    Path(__file__).resolve().parent / "templatetags" / "profile_tags.py",
    Path(__file__).resolve().parent / "sections.py",
]
DIGEST = hashlib.sha256(b"".join(path.read_bytes() for path in _SOURCES)).hexdigest()[:16]
# A day unused and it goes; the cache's own limit culls it sooner if need be.
TIMEOUT = 24 * 3600


def document_body(document, version=None):
    """The HTML of a document's body; kept by version id when it is a
    published version's (frozen) document."""
    if version is None:
        return render_to_string(TEMPLATE, {"document": document})
    key = f"profile-body:{version.pk}:{version.published_at.timestamp()}:{DIGEST}"
    body = cache.get(key)
    if body is None:
        body = render_to_string(TEMPLATE, {"document": document})
        cache.set(key, body, TIMEOUT)
    return body
