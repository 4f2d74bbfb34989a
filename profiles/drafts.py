"""Editing a draft: its own texts and the items of each section.

The pages and (next) the API call these. Each locks the profile's row,
checks what the person saw against what is stored, validates, and writes in
one transaction: two HR officers never overwrite each other silently.
"""

from django.core.exceptions import ValidationError
from django.db import transaction

from competency.models import AwardingBody, Depth, KnowledgeItem, Level, Qualification, fingerprint
from profiles.lifecycle import lock
from profiles.models import RoleProfile

# The profile's own texts that the edit form covers.
PROFILE_FIELDS = [
    "title",
    "job_family",
    "role_level",
    "variant",
    "summary",
    "responsibilities",
    "background",
    "prior_knowledge",
    "source",
]


class EditConflict(Exception):
    """Someone else changed fields of the draft since the form was opened."""

    def __init__(self, fields, current):
        super().__init__("The draft changed while you were editing it.")
        self.fields = fields  # names of the fields changed meanwhile
        self.current = current  # their values now


def field_values(profile):
    """The edit form's fields as plain values, to compare and to sign."""
    return {
        name: (profile.job_family_id if name == "job_family" else getattr(profile, name))
        for name in PROFILE_FIELDS
    }


def lock_draft(profile):
    profile = lock(profile)
    if not profile.is_draft:
        raise ValidationError(
            f"'{profile.title}' is {profile.get_status_display().lower()}; start a new draft "
            "to change it."
        )
    return profile


@transaction.atomic
def create_profile(*, title, slug, job_family=None, role_level="", variant=""):
    if RoleProfile.objects.filter(slug=slug).exists():
        raise ValidationError({"slug": "Another profile already has this URL name."})
    return RoleProfile.objects.create(
        title=title, slug=slug, job_family=job_family, role_level=role_level, variant=variant
    )


@transaction.atomic
def update_profile(*, profile, values, base):
    """Save the edit form's values unless someone else changed one of the
    same fields since the form was opened (`base` holds the values then).
    Changes by others to fields this person left alone are kept."""
    profile = lock_draft(profile)
    current = field_values(profile)
    # A conflict is a field both people changed, to different values.
    conflicts = [
        name
        for name in PROFILE_FIELDS
        if current[name] != base.get(name)
        and values[name] != base.get(name)
        and values[name] != current[name]
    ]
    if conflicts:
        raise EditConflict(conflicts, current)
    for name in PROFILE_FIELDS:
        if values[name] != base.get(name):
            setattr(profile, "job_family_id" if name == "job_family" else name, values[name])
    profile.full_clean(exclude=["slug"])
    profile.save()
    return profile


# --- Items -------------------------------------------------------------------


def requirement(section, *, depth="", level=None):
    """What the profile asks of an item of this section, checked: a depth of
    the scale (or none, for behavioural items), or a level (a Level or its
    id; whether it is on the skill's scale is the link's own check)."""
    if section.requirement == "depth":
        if depth and depth not in Depth.values:
            raise ValidationError("Choose a depth from the list.")
        return {"depth": depth or ""}
    if section.requirement == "level":
        if not isinstance(level, Level):
            level = Level.objects.filter(pk=level).first() if _is_id(level) else None
        if level is None:
            raise ValidationError("Choose a level for the skill.")
        return {"level": level}
    return {}


def _is_id(value):
    return isinstance(value, int) or (
        isinstance(value, str) and value.isascii() and value.isdigit()
    )


def _save_link(profile, link, wanted):
    """Set a link's depth or level, check it (a level on the skill's scale),
    save it, and mark the profile changed."""
    for name, value in wanted.items():
        setattr(link, name, value)
    link.full_clean()
    link.save()
    profile.save(update_fields=["updated_at"])
    return link


def _renumber(links):
    """Positions 0..n-1 in the current order; returns the links in order."""
    links = list(links)
    for position, link in enumerate(links):
        if link.position != position:
            link.position = position
            link.save(update_fields=["position"])
    return links


def _link(profile, section, link_id):
    link = section.links(profile).filter(pk=link_id).first()
    if link is None:
        raise ValidationError(f"That {section.noun} is no longer in this profile.")
    return link


@transaction.atomic
def add_item(*, profile, section, item, depth="", level=None):
    """Add a catalogue item at the end of its section."""
    wanted = requirement(section, depth=depth, level=level)
    profile = lock_draft(profile)
    links = section.links(profile)
    if links.filter(**{section.item_field: item}).exists():
        raise ValidationError(f"'{item}' is already in this profile.")
    link = section.link_model(profile=profile, position=links.count(), **{section.item_field: item})
    return _save_link(profile, link, wanted)


@transaction.atomic
def add_new_item(*, profile, section, title, details="", item_type="", awarding_body="", depth=""):
    """Write a new catalogue item (or find the one with exactly this text)
    and add it; both or neither, so a failed add leaves no orphan item."""
    item = create_item(
        section=section,
        title=title,
        details=details,
        item_type=item_type,
        awarding_body=awarding_body,
    )
    add_item(profile=profile, section=section, item=item, depth=depth)
    return item


@transaction.atomic
def create_item(*, section, title, details="", item_type="", awarding_body=""):
    """A new catalogue item, or the existing one with exactly this text."""
    model = section.item_model
    if model is Qualification:
        body, _ = AwardingBody.objects.get_or_create(name=awarding_body)
        item, _ = Qualification.objects.get_or_create(title=title, awarding_body=body)
        return item
    candidate = model(title=title, details=details)
    if model is KnowledgeItem:
        candidate.kind = item_type
    existing = model.objects.filter(key=fingerprint(*candidate.identity())).first()
    if existing:
        return existing
    candidate.full_clean(exclude=["key"])
    candidate.save()
    return candidate


@transaction.atomic
def move_item(*, profile, section, link_id, offset, seen_position=None):
    """Move a link up (offset -1) or down (+1) the profile's list.

    `seen_position` is where the person saw it: if the list changed since,
    the move is refused rather than applied to a list they have not seen."""
    profile = lock_draft(profile)
    links = _renumber(section.links(profile).order_by("position", "id"))
    index = next((i for i, link in enumerate(links) if link.pk == link_id), None)
    if index is None:
        raise ValidationError(f"That {section.noun} is no longer in this profile.")
    if seen_position is not None and seen_position != index:
        raise ValidationError(
            f"The {section.plural} were reordered while you were looking; check the order and "
            "try again."
        )
    other = index + offset
    if 0 <= other < len(links):
        first, second = links[index], links[other]
        first.position, second.position = second.position, first.position
        first.save(update_fields=["position"])
        second.save(update_fields=["position"])
        profile.save(update_fields=["updated_at"])


@transaction.atomic
def change_item(*, profile, section, link_id, depth="", level=None, seen=None):
    """Change a link's depth or level. `seen` is the value the person saw
    (a depth, or a level's id): if someone changed it since, nothing is
    overwritten and the error says what it is now."""
    if section.requirement is None:
        raise ValidationError(f"A {section.noun} has no depth or level to change.")
    wanted = requirement(section, depth=depth, level=level)
    profile = lock_draft(profile)
    link = _link(profile, section, link_id)
    is_depth = section.requirement == "depth"
    now = link.depth if is_depth else link.level_id
    if seen is not None and str(seen) != str(now):
        shown = (link.get_depth_display() or "no depth") if is_depth else link.level
        raise ValidationError(
            f"Someone changed the {section.requirement} of ‘{section.item_of(link)}’ to "
            f"{shown} while you were looking; nothing was overwritten."
        )
    return _save_link(profile, link, wanted)


@transaction.atomic
def remove_item(*, profile, section, link_id):
    profile = lock_draft(profile)
    _link(profile, section, link_id).delete()
    _renumber(section.links(profile).order_by("position", "id"))
    profile.save(update_fields=["updated_at"])
