"""What differs between two role-profile/1 documents.

One comparison serves both questions people ask: what changed between two
versions of a profile, and how two profiles differ (Senior against Lead:
what do I need to grow into?). Items are matched by what they are (a
title, or framework, category and skill), so a moved item is not reported
as removed and added, and a changed depth or level is named as such.
"""

from dataclasses import dataclass, field

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


@dataclass
class SectionDiff:
    key: str
    title: str
    added: list = field(default_factory=list)  # (label, description)
    removed: list = field(default_factory=list)
    changed: list = field(default_factory=list)  # Change
    same: int = 0

    @property
    def has_changes(self):
        return bool(self.added or self.removed or self.changed)


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


def diff_documents(before: dict, after: dict) -> DocumentDiff:
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
                )
            )
        sections.append(result)
    return DocumentDiff(fields=fields, sections=sections)
