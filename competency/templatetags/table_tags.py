"""A GOV.UK table: its scrolling wrapper, caption, header row and body.

A template tag rather than an include, because the rows are the page's own
markup and an include cannot wrap markup given to it::

    {% load table_tags %}
    {% table class="app-stacked-table" labelledby="cycles-caption" %}
      {% caption size="m" id="cycles-caption" %}Cycles
      {% head %}{% column "Name" %}{% column "Appraisals" numeric=True %}
      {% body %}{% for cycle in cycles %}<tr class="govuk-table__row">…</tr>{% endfor %}
    {% endtable %}

{% table %} takes:
- labelledby="id" or label="words": the table sits in a region (the
  .app-table-wrapper, which scrolls sideways when the table is too wide)
  named by that element or those words. With neither, no wrapper.
- tabstop=True: the wrapper is a tab stop in the markup, as four appraisal
  tables have always had it (static/app.mjs makes the others one only while
  they scroll).
- class="...": classes beside govuk-table (app-stacked-table for a table
  whose rows stack on small screens; each cell then needs a data-label).

{% caption %} (optional) names the table: visually hidden, or shown with
size="m" (and an id for the wrapper's labelledby). {% head %} holds the
header row's cells, {% body %} the rows. {% column %} writes one header cell.
"""

from django import template
from django.template.base import TextNode, token_kwargs
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

register = template.Library()


def _kwargs(parser, token, allowed):
    bits = token.split_contents()
    name, rest = bits[0], bits[1:]
    kwargs = token_kwargs(rest, parser)
    if rest:
        raise template.TemplateSyntaxError(f"{{% {name} %}} takes only name=value options")
    unknown = set(kwargs) - set(allowed)
    if unknown:
        raise template.TemplateSyntaxError(
            f"{{% {name} %}} does not take {', '.join(sorted(unknown))}"
        )
    return kwargs


def _resolved(kwargs, context):
    return {key: value.resolve(context) for key, value in kwargs.items()}


@register.tag
def table(parser, token):
    options = _kwargs(parser, token, {"labelledby", "label", "tabstop", "class"})
    before = parser.parse(("caption", "head"))
    if any(not isinstance(node, TextNode) or node.s.strip() for node in before):
        raise template.TemplateSyntaxError("{% table %} starts with {% caption %} or {% head %}")
    caption = caption_options = None
    marker = parser.next_token()
    if marker.contents.split()[0] == "caption":
        caption_options = _kwargs(parser, marker, {"size", "id"})
        caption = parser.parse(("head",))
        parser.delete_first_token()
    head = parser.parse(("body",))
    parser.delete_first_token()
    body = parser.parse(("endtable",))
    parser.delete_first_token()
    return TableNode(options, caption_options, caption, head, body)


class TableNode(template.Node):
    def __init__(self, options, caption_options, caption, head, body):
        self.options = options
        self.caption_options = caption_options
        self.caption = caption
        self.head = head
        self.body = body

    def render(self, context):
        options = _resolved(self.options, context)
        extra = options.get("class")
        parts = [format_html('<table class="govuk-table{}">', f" {extra}" if extra else "")]
        if self.caption is not None:
            caption = _resolved(self.caption_options, context)
            size = caption.get("size")
            classes = (
                f"govuk-table__caption govuk-table__caption--{size}"
                if size
                else "govuk-visually-hidden"
            )
            attributes = [("class", classes)]
            if caption.get("id"):
                attributes.append(("id", caption["id"]))
            parts.append(
                format_html(
                    "\n  <caption{}>{}</caption>",
                    format_html_join("", ' {}="{}"', attributes),
                    mark_safe(self.caption.render(context).strip()),  # rendered, so escaped
                )
            )
        parts.append(
            format_html(
                '\n  <thead class="govuk-table__head"><tr class="govuk-table__row">{}</tr></thead>'
                '\n  <tbody class="govuk-table__body">{}</tbody>\n</table>',
                mark_safe(self.head.render(context).strip()),  # rendered, so escaped
                mark_safe(self.body.render(context)),
            )
        )
        html = mark_safe("".join(parts))
        if options.get("labelledby") or options.get("label"):
            name = (
                ("aria-labelledby", options["labelledby"])
                if options.get("labelledby")
                else ("aria-label", options["label"])
            )
            html = format_html(
                '<div class="app-table-wrapper" role="region" {}="{}"{}>\n{}\n</div>',
                *name,
                mark_safe(' tabindex="0"') if options.get("tabstop") else "",
                html,
            )
        return html


@register.simple_tag
def column(text, numeric=False, hidden=False, detail=""):
    """One cell of the header row. numeric=True aligns it to the right (its
    column's cells say so themselves); hidden=True keeps its words for screen
    readers only, for a column of buttons; detail="..." adds a second line in
    small type (the kind of a requirement under its title)."""
    if hidden:
        text = format_html('<span class="govuk-visually-hidden">{}</span>', text)
    if detail:
        text = format_html(
            '{} <span class="govuk-body-s govuk-!-display-block govuk-!-margin-0">{}</span>',
            text,
            detail,
        )
    return format_html(
        '<th scope="col" class="govuk-table__header{}">{}</th>',
        " govuk-table__header--numeric" if numeric else "",
        text,
    )
