"""Editing a draft: its own texts and the items of each section.

The pages and (next) the API call these. Each locks the profile's row,
checks what the person saw against what is stored, validates, and writes in
one transaction: two HR officers never overwrite each other silently.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction

from competency.history import SHIFTED
from competency.models import AwardingBody, Depth, KnowledgeItem, Level, Qualification, fingerprint
from competency.numbers import positive_number
from competency.problems import ChangedProblem
from profiles.documents import profile_document
from profiles.lifecycle import check_confirmed, lock
from profiles.models import RoleProfile
from profiles.search import refresh_search_text

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


class EditConflict(ChangedProblem, Exception):
    """Someone else changed fields of the draft since the form was opened."""

    def __init__(self, fields, current):
        super().__init__("The draft changed while you were editing it.")
        self.fields = fields  # names of the fields changed meanwhile
        self.current = current  # their values now

    def problem_detail(self):
        return f"{self} Changed meanwhile: {', '.join(self.fields)}."


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
    profile = RoleProfile.objects.create(
        title=title, slug=slug, job_family=job_family, role_level=role_level, variant=variant
    )
    refresh_search_text(profile)
    return profile


@transaction.atomic
def update_profile(*, profile, values, base, confirmed=None):
    """Save the edit form's values unless someone else changed one of the
    same fields since the form was opened (`base` holds the values then).
    Changes by others to fields this person left alone are kept.

    `confirmed`, when given, is the fingerprint of the whole draft as the
    caller last read it (the API's If-Match): any change since refuses the
    save (ChangedSinceConfirmed), not only a change to the same fields."""
    profile = lock_draft(profile)
    if confirmed is not None:
        check_confirmed(
            profile_document(profile),
            confirmed,
            "The draft changed since you read it, so your changes were not saved. Read it again.",
        )
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
    # Only what this press changes is written: every button of the edit
    # page saves the texts, and a press that changes none of them (a move,
    # a removal) must not leave an audit record that says nothing.
    changed = [
        name
        for name in PROFILE_FIELDS
        if values[name] != base.get(name) and values[name] != current[name]
    ]
    if not changed:
        return profile
    for name in changed:
        setattr(profile, "job_family_id" if name == "job_family" else name, values[name])
    profile.full_clean(exclude=["slug"])
    profile.save(update_fields=[*changed, "updated_at"])
    refresh_search_text(profile)
    return profile


# --- Items -------------------------------------------------------------------


def requirement(section, *, depth="", level=None):
    """What the profile asks of an item of this section, checked: a depth of
    the scale (or none, for behavioural items), or a level (a Level or its
    id; whether it is on the skill's scale is the link's own check). A
    refusal names its field, so the API answers 400 pointing at it."""
    if section.requirement == "depth":
        if depth and depth not in Depth.values:
            raise ValidationError({"depth": "Choose a depth from the list."})
        return {"depth": depth or ""}
    if section.requirement == "level":
        if not isinstance(level, Level):
            number = positive_number(level)
            level = Level.objects.filter(pk=number).first() if number is not None else None
        if level is None:
            raise ValidationError({"level": "Choose a level for the skill."})
        return {"level": level}
    return {}


def _changed(profile):
    """Mark the profile changed, and its search text with it. The change is
    an item's, whose own record says what it was: the profile's row gets no
    record of its own (it would name no field)."""
    profile.save_without_historical_record(update_fields=["updated_at"])
    refresh_search_text(profile)


def _save_link(profile, link, wanted):
    """Set a link's depth or level, check it (a level on the skill's scale),
    save it, and mark the profile changed."""
    for name, value in wanted.items():
        setattr(link, name, value)
    link.full_clean()
    link.save()
    _changed(profile)
    return link


def _renumber(links, moved=None):
    """Positions 0..n-1 in the current order; returns the links in order.
    Every link but `moved` (the one a person moved) only shifts: its record
    says so (SHIFTED), and the audit trail shows the move or removal alone."""
    links = list(links)
    for position, link in enumerate(links):
        if link.position != position:
            link.position = position
            if link is not moved:
                link._change_reason = SHIFTED
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
    if section.catalogue is None:
        raise ValidationError(
            f"{section.plural.capitalize()} come from their framework: import it, then add "
            "them from the catalogue."
        )
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


@dataclass(frozen=True)
class Moved:
    """Where a move left an item: its 0-based position among `count`."""

    item: object
    position: int
    count: int


def _move(profile, section, link_id, target, seen_position):
    """Move a link to index `target` (a function of its index and the number
    of links, so it is computed on the list as it is under the lock)."""
    profile = lock_draft(profile)
    links = _renumber(section.ordered_links(profile))
    index = next((i for i, link in enumerate(links) if link.pk == link_id), None)
    if index is None:
        raise ValidationError(f"That {section.noun} is no longer in this profile.")
    if seen_position is not None and seen_position != index:
        raise ValidationError(
            f"The {section.plural} were reordered while you were looking; check the order and "
            "try again."
        )
    link = links.pop(index)
    position = target(index, len(links) + 1, section.item_of(link))
    links.insert(position, link)
    if position != index:
        _renumber(links, moved=link)
        _changed(profile)
    return Moved(section.item_of(link), position, len(links))


@transaction.atomic
def move_item(*, profile, section, link_id, offset, seen_position=None):
    """Move a link up (offset -1) or down (+1) the profile's list.

    `seen_position` is where the person saw it: if the list changed since,
    the move is refused rather than applied to a list they have not seen."""
    return _move(
        profile,
        section,
        link_id,
        lambda index, count, item: min(max(index + offset, 0), count - 1),
        seen_position,
    )


@transaction.atomic
def move_item_to(*, profile, section, link_id, to, seen_position=None):
    """Move a link to position `to`, counted from 1 as people count (what
    they typed: anything but a whole number in range is refused)."""

    def target(index, count, item):
        if not isinstance(to, int) or not 1 <= to <= count:
            raise ValidationError(
                f"Enter a position from 1 to {count} to move ‘{item}’ to.",
                code="position",
            )
        return to - 1

    return _move(profile, section, link_id, target, seen_position)


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
    """Take an item out of the profile (the catalogue keeps it); returns it."""
    profile = lock_draft(profile)
    link = _link(profile, section, link_id)
    item = section.item_of(link)
    link.delete()
    _renumber(section.links(profile).order_by("position", "id"))
    _changed(profile)
    return item


@transaction.atomic
def correct_item(
    *, profile, section, link_id, seen, title, details="", item_type="", awarding_body=""
):
    """Correct the text of one item of this profile: the link points at the
    catalogue item with the new text (an existing one, or a new one) in the
    same place and with the same depth or level. Catalogue items are shared
    and identified by their text, so the old one stays as it is for every
    other profile that uses it.

    `seen` is the id of the item the person corrected: if someone pointed
    the link elsewhere meanwhile, nothing is overwritten."""
    if section.catalogue is None:
        raise ValidationError(
            f"An {section.noun}'s text belongs to its framework; correct it with a framework "
            "import."
        )
    profile = lock_draft(profile)
    link = _link(profile, section, link_id)
    old = section.item_of(link)
    if str(old.pk) != str(seen):
        raise ValidationError(
            f"Someone changed this {section.noun} to ‘{old}’ while you were correcting it; "
            "nothing was overwritten."
        )
    item = create_item(
        section=section,
        title=title,
        details=details,
        item_type=item_type,
        awarding_body=awarding_body,
    )
    if item.pk == old.pk:
        raise ValidationError("That is the text it has already: change it, or go back.")
    if section.links(profile).filter(**{section.item_field: item}).exists():
        # The transaction undoes the new catalogue item, if one was made.
        raise ValidationError(f"‘{item}’ is already in this profile's {section.plural}.")
    setattr(link, section.item_field, item)
    link.save(update_fields=[section.item_field])
    _changed(profile)
    return old, item


# --- One press of the edit form ----------------------------------------------


@dataclass(frozen=True)
class ItemAction:
    """What one of the edit form's item buttons asks, besides saving the
    texts: "up", "down", "move" (to position `to`, from 1), "remove" or
    "change" (the depth or level, which every press saves anyway)."""

    verb: str
    section: object
    link_id: int
    to: int | None = None
    seen_position: int | None = None


@dataclass(frozen=True)
class Requirement:
    """A depth or level chosen on the edit form: `wanted` (a depth, or a
    level's id) for the link, and `seen`, what the form showed."""

    section: object
    link_id: int
    wanted: str
    seen: str


@transaction.atomic
def save_draft(*, profile, values, base, requirements=(), action=None):
    """One press of the edit form: save the texts (refused with EditConflict
    when someone changed the same fields meanwhile), every depth or level
    the person changed, then the item action of the button pressed. All or
    nothing: when any part is refused, nothing of the press is written.

    Returns what the action did: the item and where it went (Moved), the
    removed item, or the changed link."""
    profile = update_profile(profile=profile, values=values, base=base)
    for wanted in requirements:
        if wanted.wanted == wanted.seen:
            continue
        change_item(
            profile=profile,
            section=wanted.section,
            link_id=wanted.link_id,
            seen=wanted.seen,
            **{
                "depth" if wanted.section.requirement == "depth" else "level": wanted.wanted,
            },
        )
    if action is None:
        return None
    section = action.section
    if action.verb in ("up", "down"):
        return move_item(
            profile=profile,
            section=section,
            link_id=action.link_id,
            offset=-1 if action.verb == "up" else 1,
            seen_position=action.seen_position,
        )
    if action.verb == "move":
        return move_item_to(
            profile=profile,
            section=section,
            link_id=action.link_id,
            to=action.to,
            seen_position=action.seen_position,
        )
    if action.verb == "remove":
        return remove_item(profile=profile, section=section, link_id=action.link_id)
    if action.verb == "change":
        # Saved above with the others, if it changed; the link as it is now.
        return _link(profile, section, action.link_id)
    raise ValidationError("That change is not possible.")
