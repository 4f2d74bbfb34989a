"""The header's navigation: what each role uses, the current page marked,
and the signed-in person's name shown on the page. The cast: Harriet is HR,
Mo manages Sam, Sam manages nobody."""

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def menu(html):
    """(text, aria-current) of each navigation link, in order."""
    nav = re.search(r'<ul class="govuk-service-navigation__list".*?</ul>', html, re.S).group(0)
    return [
        (re.sub(r"<[^>]+>", "", text).strip(), current or None)
        for current, text in re.findall(
            r'<a class="govuk-service-navigation__link" href="[^"]*"'
            r'(?: aria-current="(\w+)")?>(.*?)</a>',
            nav,
            re.S,
        )
    ]


def shown_name(html):
    # The name, then the link to what waits for them.
    return re.search(r'<span class="app-account__name">(.*?)</span>\s*<a', html, re.S).group(1)


def test_hr_see_home_people_cycles_profiles_catalogue_imports_and_tokens(cast):
    html = cast.client("hr").get(reverse("appraisals:cycles")).content.decode()
    assert menu(html) == [
        ("Home", None),
        ("People", None),
        ("Cycles", "page"),
        ("Role profiles", None),
        ("Catalogue", None),
        ("Imports", None),
        ("API tokens", None),
    ]
    assert "Signed in as </span>harriet" in shown_name(html)


def test_a_page_under_an_item_marks_it_as_its_section(cast, appraisal):
    html = (
        cast.client("hr")
        .get(reverse("appraisals:cycle", kwargs={"pk": appraisal.cycle.pk}))
        .content.decode()
    )
    assert ("Cycles", "true") in menu(html)
    html = cast.client("hr").get(reverse("api_tokens:list")).content.decode()
    assert ("API tokens", "page") in menu(html)


def test_a_manager_sees_home_their_team_and_the_profiles(cast):
    html = cast.client("manager").get(reverse("home")).content.decode()
    assert menu(html) == [("Home", "page"), ("My team", None), ("Role profiles", None)]
    assert shown_name(html).endswith("Mo")
    html = cast.client("manager").get(reverse("insight:heatmap")).content.decode()
    assert ("My team", "true") in menu(html)


def test_staff_see_home_and_the_profiles_with_their_name(cast):
    html = cast.client("person").get(reverse("profiles:list")).content.decode()
    assert menu(html) == [("Home", None), ("Role profiles", "page")]
    assert shown_name(html).endswith("Sam")


def test_someone_signed_out_sees_no_navigation(cast):
    html = cast.client("anonymous").get(reverse("login")).content.decode()
    assert "govuk-service-navigation__list" not in html
