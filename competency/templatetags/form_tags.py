"""Tags for templates/includes/field.html."""

from html import escape

from django import template
from django.utils.safestring import mark_safe

register = template.Library()


def _escaped(value):
    # What {{ value }} writes: safe text as it is, anything else escaped.
    return value.__html__() if hasattr(value, "__html__") else escape(str(value))


@register.simple_tag
def select_options(field):
    """The <option>s of a bound select field, the chosen one marked.

    Written here rather than as a loop in the template: a menu of a few
    hundred skills took tens of milliseconds through the template engine,
    and the loop asked the menu's length first, which for a menu of
    database rows is one more query (a COUNT)."""
    current = str(field.value())
    options = [
        f'<option value="{_escaped(value)}"{" selected" if str(value) == current else ""}>'
        f"{_escaped(label)}</option>"
        for value, label in field.field.choices
    ]
    # Every value and label was escaped above.
    return mark_safe("\n".join(options))
