"""Tags for the form partials: templates/includes/field.html, radio.html and
checkbox.html."""

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


@register.simple_tag
def options(choices, selected=None, blank=None, key="pk"):
    """The <option>s of a select that is no form's field, written as
    select_options writes a field's.

    choices: (value, label) pairs, or objects, whose value is their `key`
    attribute (pk unless told) and whose label is str(object). selected: the
    value to mark chosen, compared as text (None marks none). blank: the
    label of a first option whose value is empty, never marked (a browser
    shows the first option when none is); none when not given."""
    chosen = None if selected is None else str(selected)
    pairs = [
        choice if isinstance(choice, (tuple, list)) else (getattr(choice, key), choice)
        for choice in choices
    ]
    options = [f'<option value="">{_escaped(blank)}</option>'] if blank else []
    options += [
        f'<option value="{_escaped(value)}"{" selected" if str(value) == chosen else ""}>'
        f"{_escaped(label)}</option>"
        for value, label in pairs
    ]
    # Every value and label was escaped above.
    return mark_safe("\n".join(options))


@register.simple_tag
def concat(*parts):
    """The parts written as one text, for an id or name made of several:
    {% concat "depth-" section.slug "-" link.pk as control_id %}."""
    return "".join(str(part) for part in parts)


@register.filter
def date_parts(value):
    """(part, width, value typed) of a date input's three boxes, from a
    DateField's value (DateField.prepare_value: the three values)."""
    typed = list(value) if isinstance(value, (list, tuple)) else ["", "", ""]
    return zip(("day", "month", "year"), (2, 2, 4), typed, strict=False)


@register.simple_tag
def choose_radios(field):
    """The radios of a choose box (includes/choose.html) when several rows
    matched what was typed: id, name, value, label, hint and whether it is
    the one chosen."""
    chooser = field.field
    typed = field.data
    chosen = getattr(typed, "choice", "")
    return [
        {
            "id": f"{field.auto_id}-choice-{number}",
            "name": f"{field.html_name}-choice",
            "value": str(row.pk),
            "label": getattr(row, chooser.name_field),
            "hint": chooser.describe(row),
            "checked": str(row.pk) == chosen,
        }
        for number, row in enumerate(chooser.matches, start=1)
    ]
