"""Tags for the form partials (templates/includes/field.html and checkbox.html)
and the radio buttons of GOV.UK radios groups."""

from html import escape

from django import template
from django.conf import settings
from django.template.base import render_value_in_context
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


def _written(value, context):
    """What {{ value }} writes (render_value_in_context: localised, then
    escaped), taking the short way for the values these tags are given
    most, a few thousand per appraisal page: text is only escaped, safe
    text kept, and a whole number (USE_THOUSAND_SEPARATOR is off) written
    as its digits. Anything else goes the long way."""
    kind = type(value)
    if not context.autoescape:
        return render_value_in_context(value, context)
    if kind is str:
        return escape(value)
    if kind is SafeString:
        return value
    if kind is int and not settings.USE_THOUSAND_SEPARATOR:
        return str(value)
    return render_value_in_context(value, context)


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


@register.simple_tag(takes_context=True)
def radio(context, id, name, value, label, chosen=None, checked=False, hint=None, hint_id=None):
    """One radio button of a GOV.UK radios group, with its label and optional
    hint; the page writes the group around it (fieldset, legend, errors and
    the <div class="govuk-radios" data-module="govuk-radios">), since groups
    differ in all of those.

        {% radio id="level-3" name="level" value=3 label="3 – Practitioner" chosen=level %}

    The radio is checked when its value equals `chosen` (the group's answer
    so far), or when `checked` is true. A hint describes the radio; its id
    is the radio's with -hint after it, unless hint_id gives another.

    Written here rather than as an included template: an appraisal's page
    draws a few hundred (each requirement's scale), and as includes they
    were a tenth of the page's time. Each value is written as {{ value }}
    writes it (localised, escaped)."""

    def text(value):
        return _written(value, context)

    is_checked = checked or (chosen is not None and value == chosen)
    hint_html = described = ""
    if hint:
        hint_for = text(hint_id) if hint_id else f"{text(id)}-hint"
        described = f' aria-describedby="{hint_for}"'
        hint_html = f'<div id="{hint_for}" class="govuk-hint govuk-radios__hint">{text(hint)}</div>'
    # Every value was escaped by text().
    return mark_safe(
        '\n<div class="govuk-radios__item">\n'
        f'  <input class="govuk-radios__input" id="{text(id)}" name="{text(name)}" type="radio" '
        f'value="{text(value)}"{" checked" if is_checked else ""}{described}>\n'
        f'  <label class="govuk-label govuk-radios__label" for="{text(id)}">{text(label)}</label>\n'
        f"  {hint_html}\n"
        "</div>\n"
    )


@register.simple_tag(takes_context=True)
def textarea(
    context,
    id,
    label,
    value=None,
    name=None,
    rows=None,
    hint=None,
    errors=(),
    label_class="",
    label_hidden="",
    group_class="",
):
    """A textarea that is no form's field, with its label, hint and errors,
    in a GOV.UK form group: what includes/field.html writes for
    widget="textarea" (see there for each part), byte for byte.

        {% textarea id=evidence_id label="Evidence" label_hidden=for_title rows=3 value=typed %}

    Written here rather than included: an appraisal's page draws two per
    requirement (evidence and comment) and one per review item, and as
    includes of field.html and control.html they were a large part of its
    time. Each value is written as {{ value }} writes it (localised,
    escaped)."""

    def text(value):
        return _written(value, context)

    box = text(id)
    described = []
    if hint:
        described.append(f"{box}-hint")
    if errors:
        described.append(f" {box}-error")
    # The blank lines and indents are those of the include's template lines.
    parts = [
        '\n\n\n\n\n<div class="govuk-form-group',
        f" {text(group_class)}" if group_class else "",
        " govuk-form-group--error" if errors else "",
        '">\n  \n',
        f'  <label class="govuk-label {text(label_class)}" for="{box}">{text(label)}',
        f'<span class="govuk-visually-hidden">{text(label_hidden)}</span>' if label_hidden else "",
        "</label>\n  ",
        f'<div id="{box}-hint" class="govuk-hint">{text(hint)}</div>' if hint else "",
        "\n  ",
        *(
            f'\n  <p id="{box}-error" class="govuk-error-message">'
            f'<span class="govuk-visually-hidden">Error:</span> {text(error)}</p>\n  '
            for error in errors
        ),
        '\n  \n  <textarea class="govuk-textarea',
        " govuk-textarea--error" if errors else "",
        f'" id="{box}" name="{text(name or id)}" rows="{text(rows or 5)}"',
        f' aria-describedby="{"".join(described)}"' if described else "",
        f">{'' if value is None else text(value)}</textarea>\n  \n  \n</div>\n\n\n\n",
    ]
    # Every value was escaped by text().
    return mark_safe("".join(parts))
