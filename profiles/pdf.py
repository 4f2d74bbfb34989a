"""Role profiles as PDF, rendered by WeasyPrint from the same document
template as the page, with a stylesheet of its own. WeasyPrint may read only
the application's static files: nothing is fetched from anywhere else."""

import mimetypes
from pathlib import Path

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

STATIC_PREFIX = "static:/"


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


def render_pdf(request, document):
    html = render_to_string("profiles/pdf.html", {"document": document}, request=request)
    return HTML(string=html, base_url=STATIC_PREFIX, url_fetcher=StaticFilesOnly()).write_pdf()
