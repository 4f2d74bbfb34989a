"""Finding and reading profiles: search, filters, sorting, pages, downloads."""

import json

import pytest
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db


def titles(response):
    return [entry["title"] for entry in response.context["entries"]]


@pytest.fixture
def catalogue(lead, draft):
    return lead, draft


def test_search_finds_words_in_skills_and_components(hr, lead, draft):
    assert titles(hr.get(reverse("profiles:list"), {"q": "metadata"})) == [lead.title]
    assert titles(hr.get(reverse("profiles:list"), {"q": "stream processing"})) == [lead.title]
    assert titles(hr.get(reverse("profiles:list"), {"q": "conference talk"})) == [lead.title]
    assert titles(hr.get(reverse("profiles:list"), {"q": "payroll"})) == [draft.title]
    response = hr.get(reverse("profiles:list"), {"q": "astronaut"})
    assert titles(response) == []
    assert "No profiles match" in response.content.decode()


def test_filters_by_family_level_status_and_skill(hr, lead, draft):
    family = factories.JobFamilyFactory(name="Data", slug="data")
    lead.job_family = family
    lead.save()
    assert titles(hr.get(reverse("profiles:list"), {"job_family": "data"})) == [lead.title]
    assert titles(hr.get(reverse("profiles:list"), {"role_level": "Lead"})) == [lead.title]
    assert titles(hr.get(reverse("profiles:list"), {"status": "draft"})) == [draft.title]
    skill = lead.skill_links.first().skill
    assert titles(hr.get(reverse("profiles:list"), {"skill": skill.pk})) == [lead.title]


def test_sorting_and_the_number_of_results(hr, db):
    for name in ("Bravo", "Alpha", "Charlie"):
        factories.RoleProfileFactory(title=name)
    response = hr.get(reverse("profiles:list"), {"sort": "title"})
    assert titles(response) == ["Alpha", "Bravo", "Charlie"]
    assert "3 profiles" in response.content.decode()
    assert titles(hr.get(reverse("profiles:list"), {"sort": "updated"}))[0] == "Charlie"


def test_pages_of_twenty(hr, db):
    for number in range(45):
        factories.RoleProfileFactory(title=f"Role {number:02}")
    first = hr.get(reverse("profiles:list"))
    assert len(titles(first)) == 20
    third = hr.get(reverse("profiles:list"), {"page": 3})
    assert titles(third) == [f"Role {n}" for n in range(40, 45)]
    assert "45 profiles" in third.content.decode()


def test_a_profile_page_reads_like_the_published_page(staff, lead):
    content = staff.get(reverse("profiles:detail", args=[lead.slug])).content.decode()
    for text in (
        "Lead Data Engineer – Technical",
        "At this role level, you will:",
        "set the technical direction for data pipelines across teams",
        "Data engineering and manipulation",
        "4 – Expert",
        "You can set the direction for data engineering across the organisation.",
        "Expert in",
        "Professional Data Engineer",
        "Published version 1",
    ):
        assert text in content, text


def test_the_json_download_is_the_version_document(staff, lead):
    response = staff.get(reverse("profiles:json", args=[lead.slug]))
    assert response["Content-Disposition"] == (
        'attachment; filename="lead-data-engineer-technical-v1.json"'
    )
    assert json.loads(response.content) == lead.versions.get().document


def test_the_pdf_download_is_a_pdf(staff, lead):
    response = staff.get(reverse("profiles:pdf", args=[lead.slug]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_the_pdf_reads_no_remote_files():
    from profiles.pdf import StaticFilesOnly

    fetcher = StaticFilesOnly()
    with pytest.raises(ValueError, match="local static files only"):
        fetcher.fetch("https://example.org/tracker.css")
    with pytest.raises(ValueError, match="local static files only"):
        fetcher.fetch("file:///etc/passwd")
    assert b"@page" in fetcher.fetch("static:/pdf.css").read()
