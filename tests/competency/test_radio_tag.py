"""A radio button as {% radio %} writes it: values escaped as {{ value }}
escapes them, checked by `chosen` or `checked`, and a hint tied to it."""

from django.template import Context, Template
from django.utils.safestring import mark_safe


def rendered(arguments, **context):
    return Template("{% load form_tags %}{% radio " + arguments + " %}").render(Context(context))


def test_the_radio_its_label_and_no_hint():
    html = rendered(
        'id="level-3" name="level" value=3 label="3 – Practitioner" chosen=level', level=2
    )
    assert html == (
        '\n<div class="govuk-radios__item">\n'
        '  <input class="govuk-radios__input" id="level-3" name="level" type="radio" value="3">\n'
        '  <label class="govuk-label govuk-radios__label" for="level-3">3 – Practitioner</label>\n'
        "  \n</div>\n"
    )


def test_checked_when_its_value_is_the_answer_or_when_told():
    assert " checked" in rendered('id="a" name="n" value=3 label="x" chosen=level', level=3)
    assert " checked" not in rendered('id="a" name="n" value=3 label="x" chosen=level', level="3")
    assert " checked" not in rendered('id="a" name="n" value="" label="x" chosen=None')
    assert " checked" in rendered('id="a" name="n" value=1 label="x" checked=True')


def test_text_is_escaped_unless_safe_and_the_hint_describes_the_radio():
    html = rendered(
        'id=id name="n" value=value label=label hint=hint',
        id='r"1',
        value="<v>",
        label="<b>bold</b>",
        hint="Less & more",
    )
    assert 'id="r&quot;1"' in html
    assert 'value="&lt;v&gt;"' in html
    assert "&lt;b&gt;bold&lt;/b&gt;" in html
    assert 'aria-describedby="r&quot;1-hint"' in html
    assert (
        '<div id="r&quot;1-hint" class="govuk-hint govuk-radios__hint">Less &amp; more</div>'
        in html
    )
    safe = rendered(
        'id="a" name="n" value=1 label=label hint="h" hint_id="own"', label=mark_safe("<i>ok</i>")
    )
    assert "<i>ok</i>" in safe
    assert 'aria-describedby="own"' in safe and '<div id="own"' in safe
