"""What differs between two role-profile/1 documents.

One comparison serves both questions people ask: what changed between two
versions of a profile, and how two profiles differ (Senior against Lead:
what do I need to grow into?). Items are matched by what they are (a
title, or framework, category and skill), so a moved item is not reported
as removed and added, and a changed depth or level is named as such.
"""

from bisect import bisect_left
from dataclasses import dataclass, field

from competency.word_diff import word_diff
from profiles.sections import SECTIONS

TEXT_FIELDS = [
    ("title", "Title"),
    ("job_family", "Job family"),
    ("role_level", "Role level"),
    ("variant", "Variant"),
    ("summary", "Summary"),
    ("responsibilities", "Responsibilities"),
    ("background", "Background"),
    ("prior_knowledge", "Prior knowledge and skills"),
    ("source", "Credit line"),
]


@dataclass
class Change:
    label: str
    before: str
    after: str
    # For levels and depths: +1 when B asks for more than A.
    direction: int = 0
    what: str = ""
    # An item's texts that changed, each (label, WordDiff): its details, or a
    # skill's descriptions, old and new with the changed words marked.
    texts: list = field(default_factory=list)


@dataclass
class SectionDiff:
    key: str
    title: str
    added: list = field(default_factory=list)  # (label, description)
    removed: list = field(default_factory=list)
    changed: list = field(default_factory=list)  # Change
    # Items in both whose place in the order changed: (label, from, to),
    # positions counted from 1.
    moved: list = field(default_factory=list)
    same: int = 0

    @property
    def has_changes(self):
        return bool(self.added or self.removed or self.changed or self.moved)


@dataclass
class DocumentDiff:
    fields: list  # Change, for the profile's own texts
    sections: list  # SectionDiff

    @property
    def has_changes(self):
        return bool(self.fields) or any(section.has_changes for section in self.sections)


def _text(value):
    if isinstance(value, list):
        return "\n".join(value)
    return value or ""


def _moved(old_keys, new_keys):
    """The items in both lists that changed places, as few as explain the
    new order: those off a longest run of items still in their old relative
    order (so moving one item names that item, not every one it passed)."""
    common = set(old_keys) & set(new_keys)
    rank = {key: index for index, key in enumerate(k for k in old_keys if k in common)}
    sequence = [key for key in new_keys if key in common]
    # Patience sorting: a longest increasing run of old ranks, in n log n.
    tails, tail_index, previous = [], [], [None] * len(sequence)
    for index, key in enumerate(sequence):
        value = rank[key]
        place = bisect_left(tails, value)
        if place == len(tails):
            tails.append(value)
            tail_index.append(index)
        else:
            tails[place] = value
            tail_index[place] = index
        previous[index] = tail_index[place - 1] if place else None
    keep = set()
    index = tail_index[-1] if tail_index else None
    while index is not None:
        keep.add(sequence[index])
        index = previous[index]
    return [key for key in sequence if key not in keep]


def diff_documents(before: dict, after: dict, *, moves=True) -> DocumentDiff:
    """What changed from `before` to `after`. With `moves`, a change of an
    item's place in its section's order is named too (between versions of a
    profile; two different profiles' orders are not comparable)."""
    fields = [
        Change(name, _text(before.get(key)), _text(after.get(key)))
        for key, name in TEXT_FIELDS
        if _text(before.get(key)) != _text(after.get(key))
    ]
    sections = []
    for section in SECTIONS:
        key = section.key
        old = {section.match_key(item): item for item in before.get(key, [])}
        new = {section.match_key(item): item for item in after.get(key, [])}
        result = SectionDiff(key, section.heading)
        for ident, item in new.items():
            if ident not in old:
                result.added.append((section.name(item), section.describe(item)))
        for ident, item in old.items():
            if ident not in new:
                result.removed.append((section.name(item), section.describe(item)))
                continue
            other = new[ident]
            if item == other:
                result.same += 1
                continue
            what = []
            if section.describe(item) != section.describe(other):
                what.append(section.requirement_word)
            what += [
                part.replace("_", " ")
                for part in section.compared_parts
                if item.get(part) != other.get(part)
            ]
            direction = section.rank(other) - section.rank(item)
            result.changed.append(
                Change(
                    section.name(item),
                    section.describe(item),
                    section.describe(other),
                    direction=(direction > 0) - (direction < 0),
                    what=", ".join(what),
                    texts=[
                        (
                            part.replace("_", " ").capitalize(),
                            word_diff(_text(item.get(part)), _text(other.get(part))),
                        )
                        for part in section.compared_parts
                        if item.get(part) != other.get(part)
                    ],
                )
            )
        if moves:
            old_keys = [section.match_key(item) for item in before.get(key, [])]
            new_keys = [section.match_key(item) for item in after.get(key, [])]
            old_places = {ident: place for place, ident in enumerate(old_keys, start=1)}
            new_places = {ident: place for place, ident in enumerate(new_keys, start=1)}
            moved = _moved(old_keys, new_keys)
            result.moved = [
                (section.name(new[ident]), old_places[ident], new_places[ident]) for ident in moved
            ]
            # A moved item is listed, so it is not one of "the same" too.
            result.same -= sum(1 for ident in moved if old[ident] == new[ident])
        sections.append(result)
    return DocumentDiff(fields=fields, sections=sections)
