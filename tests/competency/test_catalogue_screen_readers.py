"""The catalogue pages as a screen reader meets them: a search's words in
the title, and tables with captions, row headers and stacked-table labels.
The layout itself is checked in a browser: tests/browser/
test_small_screens.py."""

import pytest
from django.urls import reverse

from tests import factories
from tests.markup import table_problems, title

pytestmark = pytest.mark.django_db

SITE = "Competency framework"


@pytest.fixture
def used_items(ddat_skill):
    """One item of each kind, each used by a profile, with a change recorded."""
    profile = ddat_skill.uses.first().profile
    knowledge = factories.ProfileKnowledgeFactory(profile=profile).item
    qualification = factories.ProfileQualificationFactory(profile=profile).qualification
    training = factories.ProfileTrainingFactory(profile=profile).training
    training.details = "Changed."
    training.save()
    return {"knowledge": knowledge, "qualifications": qualification, "training": training}


def test_a_catalogue_search_title_carries_its_words(hr, used_items):
    url = reverse("catalogue:components", args=["knowledge"])
    assert title(hr.get(url, {"q": " cloud   platforms "})) == (
        f"Search: cloud platforms – Knowledge and skills – {SITE}"
    )
    assert title(hr.get(url)) == f"Knowledge and skills – {SITE}"
    assert title(hr.get(url, {"q": "   "})) == f"Knowledge and skills – {SITE}"


def test_a_search_too_long_puts_error_first_and_no_search_in_the_title(hr, used_items):
    url = reverse("catalogue:components", args=["training"])
    assert title(hr.get(url, {"q": "x" * 201})) == f"Error: Training – {SITE}"


def test_the_catalogue_index_tables(hr, used_items):
    assert table_problems(hr.get(reverse("catalogue:index"))) == []


def test_the_framework_page_tables(hr, ddat_skill):
    response = hr.get(reverse("catalogue:framework", args=[ddat_skill.category.framework.slug]))
    html = response.content.decode()
    assert "Levels of DDaT" in html and "Skills in Software developer" in html
    assert table_problems(response) == []


def test_the_skill_page_tables(hr, ddat_skill):
    ddat_skill.description = "Changed."
    ddat_skill.save()
    response = hr.get(reverse("catalogue:skill", args=[ddat_skill.pk]))
    html = response.content.decode()
    assert "What Systems design asks for at each level" in html
    assert "Profiles that use this skill" in html and "Change history, newest first" in html
    assert table_problems(response) == []


@pytest.mark.parametrize("kind", ["knowledge", "qualifications", "training"])
def test_the_component_list_and_page_tables(hr, used_items, kind):
    assert table_problems(hr.get(reverse("catalogue:components", args=[kind]))) == []
    response = hr.get(reverse("catalogue:component", args=[kind, used_items[kind].pk]))
    assert table_problems(response) == []
    assert "app-stacked-table" in response.content.decode()
