"""The heatmap's cells, written in Python: a page holds up to 1,500 of
them, and the template language (and even format_html per cell) spent most
of the page's time on them. Every text from the database is escaped."""

from html import escape

from django import template
from django.utils.safestring import mark_safe

register = template.Library()

EMPTY = (
    '<td class="govuk-table__cell">'
    '<span class="govuk-visually-hidden">Not in their profile</span></td>'
)


def _cell(cell):
    if cell is None:
        return EMPTY
    if cell.state == "no_level":
        shown, hidden = cell.rating, ", no level required"
    elif cell.state == "not_rated":
        shown, hidden = cell.word, f", required {cell.required}"
    else:
        shown, hidden = cell.word, f": rated {cell.rating}, required {cell.required}"
    return (
        f'<td class="govuk-table__cell app-gap app-gap--{cell.state}">'
        f'<span class="app-gap__symbol" aria-hidden="true">{cell.symbol}</span> '
        f'{escape(shown)}<span class="govuk-visually-hidden">{escape(hidden)}</span></td>'
    )


@register.simple_tag
def gap_cells(cells):
    """A row's cells: the gap in a word and a symbol (the colour repeats
    them), the ratings in words for screen readers."""
    return mark_safe("".join(_cell(cell) for cell in cells))  # each text escaped in _cell
