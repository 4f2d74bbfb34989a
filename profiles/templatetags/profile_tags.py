from django import template

from competency.models import KnowledgeItem
from profiles.sections import DEPTH_LABELS, NO_DEPTH, SECTIONS

register = template.Library()

TYPES = dict(KnowledgeItem.Kind.choices)


@register.filter
def paragraphs(text):
    """A text's paragraphs: imported texts keep them apart with a blank line."""
    return [part for part in (text or "").split("\n\n") if part.strip()]


@register.filter
def depth_label(value):
    return DEPTH_LABELS.get(value, NO_DEPTH)


@register.filter
def type_label(value):
    """A knowledge item's type as published pages word it."""
    return TYPES.get(value, value)


@register.filter
def get(mapping, key):
    return mapping.get(key)


@register.simple_tag
def profile_sections():
    """The sections of a profile, in the published page's order."""
    return SECTIONS


@register.filter
def listify(value):
    return [value]


@register.filter
def get_item(link, section):
    """The catalogue item a profile link points at."""
    return section.item_of(link)


@register.filter
def version_choices(choices):
    """The sides a comparison of versions may choose ("draft" or a version's
    number), as (value, label) pairs for a select."""
    return [
        (choice, "Current draft" if choice == "draft" else f"Version {choice}")
        for choice in choices
    ]
