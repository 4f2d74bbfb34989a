"""A textarea as {% textarea %} writes it: what includes/field.html writes
for widget="textarea", byte for byte, whatever parts are given."""

import itertools

from django.template import Context, Template
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

PARTS = {
    "id": ["r-1-evidence", 'a"<b'],
    "name": [None, "text"],
    "label": ["Evidence", "<i>x</i>", mark_safe("<i>y</i>")],
    "label_hidden": [None, " for <T>"],
    "label_class": [None, "govuk-label--s"],
    "group_class": [None, "govuk-!-margin-top-3"],
    "hint": [None, "", "Needed & more"],
    "errors": [None, [], ["bad <x>"], ["a", "b"]],
    "rows": [None, 2, 0],
    "value": [None, "", "abc\n<d>", 0],
}


def rendered(arguments, **context):
    return Template("{% load form_tags %}{% textarea " + arguments + " %}").render(Context(context))


def test_the_same_text_as_the_include_for_every_combination_of_parts():
    for combination in itertools.product(*PARTS.values()):
        given = {
            part: value for part, value in zip(PARTS, combination, strict=True) if value is not None
        }
        included = render_to_string("includes/field.html", {**given, "widget": "textarea"})
        tagged = rendered(" ".join(f"{part}={part}" for part in given), **given)
        assert tagged == included, given


def test_the_hint_and_errors_describe_the_box_and_text_is_escaped():
    html = rendered(
        'id="c" label="Comment" hint="Say why" errors=errors value=value',
        errors=["Too <long>"],
        value="</textarea><script>",
    )
    assert 'aria-describedby="c-hint c-error"' in html
    assert 'class="govuk-textarea govuk-textarea--error" id="c" name="c" rows="5"' in html
    assert "Too &lt;long&gt;" in html
    assert "&lt;/textarea&gt;&lt;script&gt;</textarea>" in html
