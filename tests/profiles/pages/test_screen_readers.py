"""The profile pages as a screen reader meets them: titles that say where
you are (a version's number, a search's words, an error first), tables with
captions and row headers, stacked-table labels, and controls named for their
item. The layout itself is checked in a browser: tests/browser/
test_small_screens.py."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse

from profiles import lifecycle
from profiles.forms import CreateProfileForm
from tests import factories
from tests.markup import label_for, table_problems, title

pytestmark = pytest.mark.django_db

SITE = "Competency framework"


@pytest.fixture
def editable(lead):
    lifecycle.start_draft(profile=lead)
    lead.refresh_from_db()
    return lead


# Titles


def test_a_version_page_title_carries_its_number(hr, lead):
    response = hr.get(reverse("profiles:version", args=[lead.slug, 1]))
    assert title(response) == f"Version 1 – Lead Data Engineer – Technical – {SITE}"


def test_a_reader_sees_the_profile_page_titled_as_the_profile_not_a_version(staff, lead):
    # Readers read the version in force on the profile's own page: it is the
    # profile, so its title is the profile's.
    response = staff.get(reverse("profiles:detail", args=[lead.slug]))
    assert title(response) == f"Lead Data Engineer – Technical – {SITE}"
    response = staff.get(reverse("profiles:version", args=[lead.slug, 1]))
    assert title(response) == f"Version 1 – Lead Data Engineer – Technical – {SITE}"


def test_a_search_page_title_carries_its_words(hr, lead):
    response = hr.get(reverse("profiles:list"), {"q": "  stream   processing "})
    assert title(response) == f"Search: stream processing – Role profiles – {SITE}"
    assert title(hr.get(reverse("profiles:list"))) == f"Role profiles – {SITE}"
    # Filtering without words is no search.
    response = hr.get(reverse("profiles:list"), {"role_level": "Lead"})
    assert title(response) == f"Role profiles – {SITE}"


def test_a_reader_s_search_title_carries_its_words_too(staff, lead):
    response = staff.get(reverse("profiles:list"), {"q": "metadata"})
    assert title(response) == f"Search: metadata – Role profiles – {SITE}"


def test_an_impossible_filter_is_an_error_the_list_explains_first(hr, lead):
    response = hr.get(reverse("profiles:list"), {"q": "data", "job_family": "no-such-family"})
    assert title(response) == f"Error: Search: data – Role profiles – {SITE}"
    html = response.content.decode()
    assert "There is a problem" in html
    assert '<a href="#id_job_family">Select a valid choice.' in html


def test_the_add_page_title_carries_the_search(hr, editable):
    factories.KnowledgeItemFactory(title="Apache Kafka")
    response = hr.get(reverse("profiles:add", args=[editable.slug, "knowledge"]), {"q": "kafka"})
    assert title(response) == (
        f"Search: kafka – Add knowledge/skills item to Lead Data Engineer – Technical – {SITE}"
    )


def test_a_refused_add_puts_error_first_in_the_title(hr, editable):
    existing = editable.work_activity_links.first().activity
    response = hr.post(
        reverse("profiles:add", args=[editable.slug, "work-activities"]), {"item": existing.pk}
    )
    assert response.status_code == 400
    assert title(response).startswith("Error: Add work activity to ")


def test_a_new_item_with_a_missing_title_puts_error_first_in_the_title(hr, editable):
    response = hr.post(
        reverse("profiles:add", args=[editable.slug, "training"]),
        {"action": "create", "title": "", "details": "Typed"},
    )
    assert response.status_code == 400
    assert title(response).startswith("Error: Add training item to ")


def test_the_add_page_without_an_error_has_none_in_its_title(hr, editable):
    response = hr.get(reverse("profiles:add", args=[editable.slug, "training"]))
    assert title(response) == f"Add training item to Lead Data Engineer – Technical – {SITE}"


def test_creating_a_profile_without_a_title_puts_error_first(hr):
    response = hr.post(reverse("profiles:create"), {"title": "", "slug": ""})
    assert title(response).startswith("Error: Create a role profile")


@pytest.mark.parametrize(
    "context",
    [
        pytest.param(lambda form: {"forms_with_errors": [form]}, id="forms_with_errors"),
        pytest.param(lambda form: {"has_errors": True}, id="has_errors"),
        pytest.param(lambda form: {"form": form}, id="form"),
    ],
)
def test_any_page_can_put_error_first_in_its_title(context):
    """The edit page (and any other) gets the prefix from base.html by
    naming its errors in one of these ways, without a block of its own."""
    form = CreateProfileForm(data={"title": ""})
    assert form.errors
    page = Template('{% extends "base.html" %}{% block title %}Edit X{% endblock %}')
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    html = page.render(Context({"request": request, **context(form)}))
    assert f"<title>Error: Edit X – {SITE}</title>" in html
    clean = page.render(Context({"request": request, "forms_with_errors": [], "has_errors": False}))
    assert f"<title>Edit X – {SITE}</title>" in clean


# Tables


def test_the_profile_page_tables_have_captions_row_headers_and_labels(hr, lead):
    response = hr.get(reverse("profiles:detail", args=[lead.slug]))
    assert table_problems(response) == []
    html = response.content.decode()
    assert "<caption" in html and "app-stacked-table" in html


def test_a_version_page_tables_have_captions_row_headers_and_labels(staff, lead):
    response = staff.get(reverse("profiles:version", args=[lead.slug, 1]))
    assert table_problems(response) == []


def test_the_versions_page_table_has_a_caption_row_headers_and_labels(hr, lead):
    response = hr.get(reverse("profiles:versions", args=[lead.slug]))
    assert table_problems(response) == []
    assert "app-stacked-table" in response.content.decode()


def test_the_audit_trail_table_has_a_caption_row_headers_and_labels(hr, editable):
    response = hr.get(reverse("profiles:audit", args=[editable.slug]))
    assert table_problems(response) == []
    assert "Changes to Lead Data Engineer – Technical and its items, newest first" in (
        response.content.decode()
    )


@pytest.mark.parametrize("kind", ["skills", "knowledge", "qualifications"])
def test_the_add_page_table_has_a_caption_row_headers_and_labels(hr, editable, kind):
    factories.KnowledgeItemFactory(title="Apache Kafka")
    factories.QualificationFactory(title="Kafka Developer")
    factories.SkillFactory(
        category=editable.skill_links.first().skill.category, name="Kafka operations"
    )
    response = hr.get(reverse("profiles:add", args=[editable.slug, kind]), {"q": "kafka"})
    assert response.context["page_obj"].object_list
    assert table_problems(response) == []


# Form controls


def test_each_level_select_on_the_add_page_is_named_for_its_skill(hr, editable):
    category = editable.skill_links.first().skill.category
    agile = factories.SkillFactory(category=category, name="Agile working")
    response = hr.get(reverse("profiles:add", args=[editable.slug, "skills"]), {"q": "agile"})
    assert label_for(response, f"level-{agile.pk}") == "Level for Agile working"


def test_each_depth_select_on_the_add_page_is_named_for_its_item(hr, editable):
    kafka = factories.KnowledgeItemFactory(title="Apache Kafka")
    response = hr.get(reverse("profiles:add", args=[editable.slug, "knowledge"]), {"q": "kafka"})
    assert label_for(response, f"depth-{kafka.pk}") == "Depth for Apache Kafka"
