"""A profile's audit trail: who changed what and when, for the HR page and
the API alike."""

from competency.history import Trail
from profiles.sections import SECTIONS

# How the profile's own related values read in an entry.
PROFILE_VALUES = {"published_version": lambda version: f"Version {version.number}"}


def item_text(item):
    """A catalogue item as a change of a link shows it: its name and, where
    it has them, its details, so that a corrected text shows old and new
    wording rather than one title twice."""
    details = getattr(item, "details", "")
    return f"{item}: {details}" if details else str(item)


def place(position):
    """A link's position as people count, from 1."""
    return str(position + 1)


def profile_trail(profile):
    """The profile's own records and those of its links, newest first (a
    Trail: read a page at a time in the database)."""
    sources = [(profile.history.all(), lambda record: "Profile", (), PROFILE_VALUES)]
    for section in SECTIONS:
        sources.append(
            (
                section.link_model.history.filter(profile_id=profile.pk),
                lambda record, section=section: (
                    f"{section.noun[:1].upper()}{section.noun[1:]}: "
                    # The item as it is now (joined; history keeps its id).
                    f"{getattr(record, section.item_field) or 'an item since deleted'}"
                ),
                # What the item's name is made of, joined too.
                (section.item_field, *(f"{section.item_field}__{r}" for r in section.item_related)),
                {section.item_field: item_text, "position": place},
            )
        )
    return Trail(sources)
