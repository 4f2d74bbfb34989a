"""The profile page follows the published page, so an HR officer can hold the
two side by side: the same parts in the same order, with the same headings,
labels and skill names."""

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

PUBLISHED_ORDER = [
    "Summary",
    "Background",
    "Prior Knowledge and Skills",
    "Work Activities",
    "Knowledge/Skills",
    "Training Activities",
    "PDAs",
    "Qualifications",
    "Organisation Skills",
]


def headings(html):
    return [
        re.sub(r"\s+", " ", text).strip()
        for text in re.findall(r"<h[23][^>]*>(.*?)</h[23]>", html, flags=re.S)
    ]


@pytest.mark.parametrize("who", ["staff", "hr"])
def test_the_parts_come_in_the_published_order_with_the_published_headings(request, lead, who):
    client = request.getfixturevalue(who)
    html = client.get(reverse("profiles:detail", args=[lead.slug])).content.decode()
    shown = [heading for heading in headings(html) if heading in PUBLISHED_ORDER]
    assert shown == PUBLISHED_ORDER


def test_knowledge_types_and_skill_names_read_as_published(staff, lead):
    html = staff.get(reverse("profiles:detail", args=[lead.slug])).content.decode()
    for label in ("Behavioural Skills", "Technical Knowledge and Skills"):
        assert f">{label}</td>" in html
    # Skill names keep their category, as the published page prints them.
    assert "Data – Data engineering and manipulation" in html
    # A behavioural item's depth says why there is none.
    assert "No depth (behavioural)" in html


def test_a_version_page_uses_the_same_layout(hr, lead):
    html = hr.get(reverse("profiles:version", args=[lead.slug, 1])).content.decode()
    shown = [heading for heading in headings(html) if heading in PUBLISHED_ORDER]
    assert shown == PUBLISHED_ORDER
