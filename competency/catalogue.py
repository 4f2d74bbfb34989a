"""The kinds of the shared component library, described once.

The catalogue pages list and search each kind from here, and role profiles'
sections (profiles.sections) name the kind they draw their items from, so a
kind's slug, title and search fields are written in one place.
"""

from dataclasses import dataclass
from operator import attrgetter

from competency.models import (
    DevelopmentActivity,
    KnowledgeItem,
    Qualification,
    Training,
    WorkActivity,
)


@dataclass(frozen=True)
class ComponentKind:
    """One kind of the component library."""

    slug: str
    title: str
    model: type
    search_fields: tuple = ("title", "details")
    search_hint: str = "Words from the title or details"
    related: tuple = ()
    # An extra column of the list and row of the page: (label, attribute).
    extra: tuple | None = None
    # What each using profile asks of the item, on the link row: (label, attribute).
    requirement: tuple | None = None

    @property
    def noun(self):
        return self.model._meta.verbose_name

    @property
    def plural(self):
        return self.model._meta.verbose_name_plural

    @property
    def has_details(self):
        # Qualifications are a title and an awarding body, nothing more.
        return any(field.name == "details" for field in self.model._meta.fields)

    def items(self):
        return self.model.objects.select_related(*self.related)

    def extra_value(self, item):
        return read(item, self.extra[1]) if self.extra else None

    def requirement_of(self, use):
        return read(use, self.requirement[1]) if self.requirement else None


def read(obj, attribute):
    """A dotted attribute of obj, called if it is a method (get_FOO_display)."""
    value = attrgetter(attribute)(obj)
    return value() if callable(value) else value


COMPONENT_KINDS = {
    kind.slug: kind
    for kind in [
        ComponentKind(
            "knowledge",
            "Knowledge and skills",
            KnowledgeItem,
            extra=("Type", "get_kind_display"),
            requirement=("Depth", "get_depth_display"),
        ),
        ComponentKind("work-activities", "Work activities", WorkActivity),
        ComponentKind("training", "Training", Training),
        ComponentKind("pdas", "Personal development activities", DevelopmentActivity),
        ComponentKind(
            "qualifications",
            "Qualifications",
            Qualification,
            search_fields=("title", "awarding_body__name"),
            search_hint="Words from the title or the awarding body",
            related=("awarding_body",),
            extra=("Awarding body", "awarding_body.name"),
        ),
    ]
}
