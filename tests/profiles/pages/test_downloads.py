"""Downloads of a profile (JSON and PDF) say which text they are: its
version, publication date and status, in the file, its name and its headers.
Readers only ever get the version in force; a published version's PDF is
built once."""

import io
import json
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from profiles import drafts, lifecycle, pdf
from profiles.models import VersionPDF
from tests import factories
from tests.cast import account, client_as

pytestmark = pytest.mark.django_db


def download(client, profile, kind, **params):
    return client.get(reverse(f"profiles:{kind}", args=[profile.slug]), params)


def pdf_pages(response):
    """The text of each page of a PDF response."""
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    return [" ".join(page.extract_text().split()) for page in reader.pages]


def filename(response):
    return response["Content-Disposition"].removeprefix("attachment; filename=").strip('"')


def published_on(version):
    moment = timezone.localtime(version.published_at)
    return f"{moment.day} {moment:%B %Y}"


def publish_again(profile, summary):
    """Open a draft, change its summary and publish it as the next version."""
    open_draft(profile, summary)
    return lifecycle.publish_profile(profile=profile)


def open_draft(profile, summary):
    profile.refresh_from_db()
    if not profile.is_draft:
        lifecycle.start_draft(profile=profile)
        profile.refresh_from_db()
    values = drafts.field_values(profile)
    drafts.update_profile(profile=profile, values={**values, "summary": summary}, base=values)


@pytest.fixture
def renders():
    """Counts the PDFs actually rendered (not served from a kept copy)."""
    with mock.patch.object(pdf, "render_pdf", wraps=pdf.render_pdf) as render:
        yield render


# What the main page of a published profile gives.


@pytest.mark.parametrize("person", ["staff", "hr"])
def test_the_main_pages_pdf_is_labelled_with_the_version_in_force(person, request, lead):
    client = request.getfixturevalue(person)
    version = lead.versions.get()
    response = download(client, lead, "pdf")
    assert response.status_code == 200
    assert filename(response) == "lead-data-engineer-technical-v1.pdf"
    status = f"Version 1, published {published_on(version)}, in force"
    first, *_ = pages = pdf_pages(response)
    assert status in first
    assert not any("Draft" in page for page in pages)
    assert response["Role-Profile-Status"] == status


@pytest.mark.parametrize("person", ["staff", "hr"])
def test_the_main_pages_json_carries_the_version_in_force(person, request, lead):
    client = request.getfixturevalue(person)
    version = lead.versions.get()
    response = download(client, lead, "json")
    assert response.status_code == 200
    assert filename(response) == "lead-data-engineer-technical-v1.json"
    document = json.loads(response.content)
    assert document["version"] == 1
    assert document == version.document
    assert response["Role-Profile-Status"] == (
        f"Version 1, published {published_on(version)}, in force"
    )
    assert response["Last-Modified"]


def test_a_version_page_and_version_links_give_the_same_labelled_file(hr, lead):
    publish_again(lead, "The second text.")
    response = download(hr, lead, "json", version="2")
    assert filename(response) == "lead-data-engineer-technical-v2.json"
    assert json.loads(response.content)["version"] == 2
    page = hr.get(reverse("profiles:version", args=[lead.slug, 2])).content.decode()
    assert f"{reverse('profiles:pdf', args=[lead.slug])}?version=2" in page


def test_the_pdf_has_a_footer_with_title_version_date_and_page_on_every_page(staff, lead):
    version = lead.versions.get()
    pages = pdf_pages(download(staff, lead, "pdf"))
    assert len(pages) > 1
    for number, page in enumerate(pages, start=1):
        assert f"Lead Data Engineer – Technical · Version 1, published {published_on(version)}" in (
            page
        ), number
        assert f"Page {number} of {len(pages)}" in page


def test_the_pdf_is_tagged_with_its_title_and_language(staff, lead):
    content = download(staff, lead, "pdf").content
    reader = PdfReader(io.BytesIO(content))
    catalog = reader.trailer["/Root"]
    assert "/StructTreeRoot" in catalog
    assert catalog["/MarkInfo"]["/Marked"]
    assert catalog["/StructTreeRoot"]["/K"]  # not an empty tree
    assert reader.metadata.title == "Lead Data Engineer – Technical, version 1"
    assert reader.trailer["/Root"]["/Lang"] == "en-GB"


# HR's working copy of a draft.


def test_hr_download_a_draft_labelled_as_a_draft_based_on_the_last_version(hr, lead, renders):
    open_draft(lead, "Work in progress.")
    response = download(hr, lead, "pdf")
    assert filename(response) == "lead-data-engineer-technical-draft.pdf"
    first, *_ = pdf_pages(response)
    assert "Draft, not published; based on version 1" in first
    assert "Work in progress." in first
    assert "no-store" in response["Cache-Control"]
    assert "ETag" not in response
    json_response = download(hr, lead, "json")
    assert filename(json_response) == "lead-data-engineer-technical-draft.json"
    assert json.loads(json_response.content)["version"] is None
    assert json_response["Role-Profile-Status"] == "Draft, not published; based on version 1"
    # A draft can change at any moment: its PDF is rendered every time.
    download(hr, lead, "pdf")
    assert renders.call_count == 2
    assert not VersionPDF.objects.exists()


def test_a_never_published_draft_says_so(hr, draft):
    response = download(hr, draft, "pdf")
    assert filename(response) == "payroll-officer-draft.pdf"
    assert "Draft, never published" in pdf_pages(response)[0]


# Denials: readers never get a draft, a superseded or a withdrawn text.


@pytest.mark.parametrize("kind", ["json", "pdf"])
def test_readers_get_the_version_in_force_never_the_draft(manager, lead, kind):
    open_draft(lead, "Not for readers yet.")
    response = download(manager, lead, kind)
    assert response.status_code == 200
    assert filename(response) == f"lead-data-engineer-technical-v1.{kind}"
    assert response["Role-Profile-Status"].endswith(", in force")
    assert b"Not for readers yet." not in response.content


@pytest.mark.parametrize("kind", ["json", "pdf"])
@pytest.mark.parametrize("person", ["staff", "manager"])
def test_readers_cannot_download_a_draft_or_a_superseded_version(
    request, person, kind, lead, draft, archived
):
    client = request.getfixturevalue(person)
    publish_again(lead, "The second text.")
    assert download(client, lead, kind, version="1").status_code == 404
    assert download(client, lead, kind, version="2").status_code == 200
    assert download(client, lead, kind, version="3").status_code == 404
    assert download(client, draft, kind).status_code == 404
    assert download(client, archived, kind).status_code == 404
    assert download(client, archived, kind, version="1").status_code == 404


@pytest.mark.parametrize("bad", ["abc", "0", "-1", "²", "1.0", "9" * 10, "9" * 5000])
def test_nonsense_version_numbers_are_404(hr, lead, bad):
    assert download(hr, lead, "json", version=bad).status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(client, lead):
    response = download(client, lead, "pdf")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


# Older versions as HR see them.


def test_hr_see_a_superseded_version_labelled_as_such(hr, lead):
    first = lead.versions.get()
    publish_again(lead, "The second text.")
    publish_again(lead, "The third text.")
    response = download(hr, lead, "pdf", version="1")
    assert filename(response) == "lead-data-engineer-technical-v1.pdf"
    status = f"Version 1, published {published_on(first)}, superseded by version 2"
    assert status in pdf_pages(response)[0]
    assert download(hr, lead, "json", version="1")["Role-Profile-Status"] == status


def test_an_archived_profile_downloads_as_its_withdrawn_version(hr, archived):
    version = archived.versions.get()
    response = download(hr, archived, "json")
    assert filename(response) == "mainframe-operator-v1.json"
    assert json.loads(response.content)["version"] == 1
    assert response["Role-Profile-Status"] == (
        f"Version 1, published {published_on(version)}, withdrawn, not in force"
    )


def test_a_profile_archived_with_unpublished_changes_downloads_as_a_draft(hr, lead):
    open_draft(lead, "Changed, then archived.")
    lifecycle.archive_profile(profile=lead)
    response = download(hr, lead, "json")
    assert filename(response) == "lead-data-engineer-technical-draft.json"
    assert response["Role-Profile-Status"] == (
        "Draft, not published (the profile is archived); based on version 1"
    )


# A published version's PDF is built once.


def test_the_second_download_of_a_version_is_not_rendered_again(staff, lead, renders):
    first = download(staff, lead, "pdf")
    second = download(client_as(account("henry", "HR")), lead, "pdf", version="1")
    assert renders.call_count == 1
    assert first.content == second.content
    assert VersionPDF.objects.get().version == lead.versions.get()


def test_a_kept_pdf_costs_a_fixed_number_of_queries(staff, lead, renders):
    download(staff, lead, "pdf")
    with CaptureQueriesContext(connection) as queries:
        response = download(staff, lead, "pdf")
    assert response.status_code == 200
    # session, user (with whether they are HR), the profile with its
    # version in force, that version as the reader may see it, the kept PDF
    assert len(queries) == 5, [query["sql"] for query in queries]
    assert renders.call_count == 1


def test_a_superseded_version_gets_a_new_pdf_that_says_so(hr, lead, renders):
    download(hr, lead, "pdf", version="1")
    publish_again(lead, "The second text.")
    response = download(hr, lead, "pdf", version="1")
    assert "superseded by version 2" in pdf_pages(response)[0]
    assert renders.call_count == 2
    # The copy that said "in force" is gone; the new one is kept.
    assert list(VersionPDF.objects.values_list("version__number", flat=True)) == [1]
    download(hr, lead, "pdf", version="1")
    assert renders.call_count == 2


def test_a_new_layout_gets_a_new_pdf_not_the_kept_one(staff, lead, renders):
    etag = download(staff, lead, "pdf")["ETag"]
    with mock.patch.object(pdf.weasyprint, "__version__", "999.0"):  # a release
        response = staff.get(
            reverse("profiles:pdf", args=[lead.slug]), headers={"if-none-match": etag}
        )
    assert response.status_code == 200
    assert response["ETag"] != etag
    assert renders.call_count == 2
    assert VersionPDF.objects.count() == 1


def test_two_requests_building_the_same_pdf_keep_one(staff, lead):
    version = lead.versions.get()
    real_render = pdf.render_pdf

    def render_while_another_request_does_too(html):
        # The other request finishes first and keeps its copy.
        VersionPDF.objects.create(
            version=version, digest=pdf.rendering_digest(html), pdf=b"%PDF- theirs"
        )
        return real_render(html)

    with mock.patch.object(pdf, "render_pdf", render_while_another_request_does_too):
        response = download(staff, lead, "pdf")
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF-")
    assert bytes(VersionPDF.objects.get().pdf) == b"%PDF- theirs"


# HTTP caching of a published version's files.


@pytest.mark.parametrize("kind", ["json", "pdf"])
def test_a_browser_holding_the_file_is_told_it_has_not_changed(staff, lead, renders, kind):
    response = download(staff, lead, kind)
    assert response["Cache-Control"] == "private, no-cache"
    again = staff.get(
        reverse(f"profiles:{kind}", args=[lead.slug]), headers={"if-none-match": response["ETag"]}
    )
    assert again.status_code == 304
    assert again["ETag"] == response["ETag"]
    assert renders.call_count == (1 if kind == "pdf" else 0)


def test_a_held_file_is_refused_once_it_is_superseded(staff, lead):
    url = reverse("profiles:json", args=[lead.slug])
    etag = staff.get(url, {"version": "1"})["ETag"]
    publish_again(lead, "The second text.")
    assert staff.get(url, {"version": "1"}, headers={"if-none-match": etag}).status_code == 404
    # The main page's file is now version 2: a different file, sent whole.
    response = staff.get(url, headers={"if-none-match": etag})
    assert response.status_code == 200
    assert json.loads(response.content)["version"] == 2


# The links on the profile's pages.


def test_the_download_links_say_which_version_they_give(hr, lead):
    reader = client_as(account("sue", "Staff"))
    for client in (reader, hr):
        content = client.get(reverse("profiles:detail", args=[lead.slug])).content.decode()
        assert "PDF, version 1" in content
        assert "role-profile/1 JSON, version 1" in content
    open_draft(lead, "Work in progress.")
    content = reader.get(reverse("profiles:detail", args=[lead.slug])).content.decode()
    assert "PDF, version 1" in content
    content = hr.get(reverse("profiles:detail", args=[lead.slug])).content.decode()
    assert "PDF, draft" in content


def test_a_profiles_json_with_unusual_characters_keeps_them(hr):
    profile = factories.RoleProfileFactory(title="Ingénieur – Données", slug="ingenieur")
    lifecycle.publish_profile(profile=profile)
    response = download(hr, profile, "json")
    assert "Ingénieur – Données" in response.content.decode()
    assert json.loads(response.content)["title"] == "Ingénieur – Données"
