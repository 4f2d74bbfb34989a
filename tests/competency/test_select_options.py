"""A select's options as includes/field.html writes them: every value and
label escaped, the chosen one marked, and a menu of rows read in one query."""

import pytest
from django import forms
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext

from competency.models import Framework
from tests import factories


class Choosing(forms.Form):
    colour = forms.ChoiceField(choices=[("", "Any"), ("r&d", "R&D <lab>"), ("blue", "Blue")])
    framework = forms.ModelChoiceField(Framework.objects.order_by("name"), required=False)


def rendered(form, name):
    template = Template('{% include "includes/field.html" with field=form.' + name + " %}")
    return template.render(Context({"form": form}))


def test_values_and_labels_are_escaped_and_the_chosen_one_is_marked():
    html = rendered(Choosing({"colour": "r&d"}), "colour")
    assert '<option value="r&amp;d" selected>R&amp;D &lt;lab&gt;</option>' in html
    assert '<option value="blue">Blue</option>' in html
    assert '<option value="">Any</option>' in html


@pytest.mark.django_db
def test_a_menu_of_rows_is_one_query_whatever_its_length():
    for number in range(5):
        factories.FrameworkFactory(name=f"Framework {number}")
    with CaptureQueriesContext(connection) as queries:
        html = rendered(Choosing(), "framework")
    assert len(queries) == 1
    assert html.count("<option") == 6
    chosen = Framework.objects.get(name="Framework 3")
    html = rendered(Choosing({"framework": chosen.pk}), "framework")
    assert f'<option value="{chosen.pk}" selected>Framework 3</option>' in html
