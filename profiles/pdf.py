"""Role profiles as PDF, rendered by WeasyPrint from the same document
template as the page, with a stylesheet of its own. WeasyPrint may read only
the application's static files: nothing is fetched from anywhere else.

A published version's PDF is built once and kept (VersionPDF); a draft's is
rendered on every download, since its text can change at any moment."""

import hashlib
import mimetypes
from functools import cached_property
from pathlib import Path

import weasyprint
from django.contrib.staticfiles import finders
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from profiles.models import VersionPDF

STATIC_PREFIX = "static:/"
STYLESHEET = "pdf.css"


class StaticFilesOnly(URLFetcher):
    """Serves `static:/NAME` from the static files; refuses every other URL."""

    def fetch(self, url, headers=None):
        if not url.startswith(STATIC_PREFIX):
            raise ValueError(f"PDF rendering reads local static files only, not {url}")
        path = finders.find(url.removeprefix(STATIC_PREFIX))
        if path is None:
            raise ValueError(f"No static file {url}")
        content_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
        return URLFetcherResponse(
            url, Path(path).read_bytes(), headers={"Content-Type": content_type}
        )


def render_pdf(html):
    # PDF/UA-1: a tagged PDF (headings, lists and tables a screen reader can
    # follow, page furniture marked as such) whose title and language come
    # from the HTML's <title> and lang.
    return HTML(string=html, base_url=STATIC_PREFIX, url_fetcher=StaticFilesOnly()).write_pdf(
        pdf_variant="pdf/ua-1"
    )


def rendering_digest(html):
    """What decides every byte of the PDF: the HTML, the stylesheet and the
    renderer. A release that changes any of them gets new PDFs."""
    stylesheet = Path(finders.find(STYLESHEET)).read_bytes()
    digest = hashlib.sha256(weasyprint.__version__.encode())
    for part in (html.encode(), stylesheet):
        digest.update(hashlib.sha256(part).digest())
    return digest.hexdigest()


class Rendering:
    """The PDF of one download. Its HTML depends on the download only (not on
    who asks), so a published version's PDF is shared by all its readers."""

    def __init__(self, download):
        self.download = download
        self.html = render_to_string(
            "profiles/pdf.html",
            {"document": download.document, "download": download, "stylesheet": STYLESHEET},
        )

    @cached_property
    def digest(self):
        return rendering_digest(self.html)

    def pdf(self):
        """A published version's PDF from its kept copy (built on the first
        request); a draft's freshly rendered."""
        if not self.download.frozen:
            return render_pdf(self.html)
        version = self.download.version
        kept = VersionPDF.objects.filter(version=version, digest=self.digest)
        for pdf in kept.values_list("pdf", flat=True):
            return bytes(pdf)
        pdf = render_pdf(self.html)
        try:
            with transaction.atomic():
                VersionPDF.objects.create(version=version, digest=self.digest, pdf=pdf)
                # Only the newest rendering of a version is ever asked for
                # again (a status moves on, never back), so older ones go.
                VersionPDF.objects.filter(version=version).exclude(digest=self.digest).delete()
        except IntegrityError:
            # Another request built the same PDF meanwhile: theirs is kept,
            # and this copy says the same.
            pass
        return pdf
