from django import template

from competency.models import Depth

register = template.Library()

DEPTHS = dict(Depth.choices)


@register.filter
def paragraphs(text):
    """A text's paragraphs: imported texts keep them apart with a blank line."""
    return [part for part in (text or "").split("\n\n") if part.strip()]


@register.filter
def depth_label(value):
    return DEPTHS.get(value, "–")


@register.filter
def get(mapping, key):
    return mapping.get(key)


@register.simple_tag
def titled_sections():
    """The document's tables of a title and one more column, in page order."""
    return [
        ("work_activities", "Work activities", "Details"),
        ("training", "Training", "Details"),
        ("pdas", "Personal development activities", "Details"),
        ("qualifications", "Qualifications", "Awarding body"),
    ]


@register.filter
def listify(value):
    return [value]


@register.filter
def get_item(link, kind):
    """The catalogue item a profile link points at."""
    return getattr(link, kind.field)
