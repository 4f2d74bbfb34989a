"""Every date on the pages' forms is GOV.UK's date input (competency.forms.
DateField): a day, a month and a year, refused in words that read naturally
and name the date by its label, with what was typed kept."""

from datetime import date

import pytest
from django import forms
from django.urls import reverse

from appraisals.forms import (
    ActionForm,
    CheckInForm,
    CycleForm,
    ObjectiveForm,
    PersonForm,
    ProbationDecisionForm,
)
from appraisals.models import Cycle
from competency.forms import DateField

pytestmark = pytest.mark.django_db


def typed(name, day, month, year):
    return {f"{name}-day": day, f"{name}-month": month, f"{name}-year": year}


class OneDate(forms.Form):
    closes_on = DateField(
        label="Closes on", error_messages={"required": "Enter the date the cycle closes"}
    )


@pytest.mark.parametrize(
    "day, month, year, message, red",
    [
        ("", "", "", "Enter the date the cycle closes", ["day", "month", "year"]),
        ("7", "12", "", "Closes on must include a year", ["year"]),
        ("", "12", "", "Closes on must include a day and year", ["day", "year"]),
        ("31", "2", "2026", "Closes on must be a real date", ["day", "month", "year"]),
        ("7", "13", "2026", "Closes on must be a real date", ["month"]),
        ("32", "12", "2026", "Closes on must be a real date", ["day"]),
        ("x", "12", "2026", "Closes on must be a real date", ["day"]),
        ("7", "Decembre", "2026", "Closes on must be a real date", ["month"]),
        ("7", "12", "26", "Closes on must include a year with 4 numbers", ["year"]),
    ],
)
def test_a_date_is_refused_in_words_that_name_it(day, month, year, message, red):
    form = OneDate(typed("closes_on", day, month, year))
    assert form.errors["closes_on"] == [message]
    assert list(form.fields["closes_on"].parts_in_error) == red
    # The error summary links to the first box in error.
    assert form["closes_on"].id_for_label == f"id_closes_on-{red[0]}"


@pytest.mark.parametrize(
    "day, month, year",
    [("7", "12", "2026"), (" 07 ", "12", "2026"), ("7", "Dec", "2026"), ("7", "december", "2026")],
)
def test_a_date_is_read_from_its_three_boxes(day, month, year):
    form = OneDate(typed("closes_on", day, month, year))
    assert form.is_valid(), form.errors
    assert form.cleaned_data["closes_on"] == date(2026, 12, 7)


def test_one_value_as_yyyy_mm_dd_is_read_as_the_api_sends_it_and_nothing_else():
    assert OneDate({"closes_on": "2026-12-07"}).is_valid()
    form = OneDate({"closes_on": "07/12/2026"})
    assert form.errors["closes_on"] == ["Closes on must be a real date, written as YYYY-MM-DD"]


def test_the_page_shows_three_boxes_with_what_was_typed_and_the_red_ones(hr):
    response = hr.post(
        reverse("appraisals:cycle_create"),
        {"name": "Mid-year", "kind": "mid_year", **typed("opens_on", "1", "10", "2026")}
        | typed("closes_on", "7", "12", ""),
    )
    html = response.content.decode()
    assert response.context["form"].errors["closes_on"] == ["Closes on must include a year"]
    assert '<legend class="govuk-fieldset__legend ">Closes on</legend>' in html
    assert 'name="closes_on-day" type="text" inputmode="numeric" value="7"' in html
    assert (
        'class="govuk-input govuk-date-input__input govuk-input--width-4 govuk-input--error" '
        'id="id_closes_on-year"'
    ) in html
    assert 'id="id_closes_on-day"' in html and 'govuk-input--width-2" id="id_closes_on-day"' in html
    assert '<a href="#id_closes_on-year">Closes on must include a year</a>' in html
    assert not Cycle.objects.exists()


def test_a_cycle_set_up_with_the_three_boxes(hr):
    response = hr.post(
        reverse("appraisals:cycle_create"),
        {"name": "Mid-year", "kind": "mid_year"}
        | typed("opens_on", "1", "10", "2026")
        | typed("closes_on", "30", "Nov", "2026"),
    )
    assert response.status_code == 302
    cycle = Cycle.objects.get()
    assert (cycle.opens_on, cycle.closes_on) == (date(2026, 10, 1), date(2026, 11, 30))
    # Shown again as the three boxes' values.
    page = hr.get(reverse("appraisals:cycle_edit", kwargs={"pk": cycle.pk}))
    assert page.context["form"]["closes_on"].value() == ["30", "11", "2026"]


def test_every_date_of_every_page_form_is_the_one_date_field():
    dated = {
        CycleForm: ["opens_on", "closes_on"],
        PersonForm: ["start_date", "probation_end_date", "leaving_date"],
        ObjectiveForm: ["due_on"],
        ActionForm: ["due_on"],
        CheckInForm: ["held_on"],
        ProbationDecisionForm: ["extended_to"],
    }
    for form, names in dated.items():
        fields = form.base_fields
        assert [name for name, field in fields.items() if isinstance(field, DateField)] == names
        assert not any(isinstance(field, forms.DateField) for field in fields.values())
