"""What differs between two role-profile/1 documents.

One comparison serves both questions people ask: what changed between two
versions of a profile, and how two profiles differ (Senior against Lead:
what do I need to grow into?). Items are matched by what they are (a
title, or framework, category and skill), so a moved item is not reported
as removed and added, and a changed depth or level is named as such.
"""

from dataclasses import dataclass, field

from competency.models import Depth

DEPTH_LABELS = dict(Depth.choices)
TYPE_LABELS = {"behavioural": "Behavioural", "technical": "Technical", "other": "Other"}

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

SECTIONS = [
    ("organisation_skills", "Organisation skills"),
    ("knowledge_skills", "Knowledge and skills"),
    ("work_activities", "Work activities"),
    ("training", "Training"),
    ("pdas", "Personal development activities"),
    ("qualifications", "Qualifications"),
]


def identity(section, item):
    if section == "organisation_skills":
        return (item["framework"], item["category"], item["skill"])
    return item["title"]


def label(section, item):
    if section == "organisation_skills":
        return item["skill"]
    return item["title"]


def describe(section, item):
    """The attribute that matters when comparing, in words."""
    if section == "organisation_skills":
        return f"{item['level']} – {item['level_name']}"
    if section == "knowledge_skills":
        return DEPTH_LABELS.get(item["depth"], "No depth given")
    if section == "qualifications":
        return item["awarding_body"]
    return ""


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


def _rank(section, item):
    if section == "organisation_skills":
        return item["level"]
    if section == "knowledge_skills" and item["depth"]:
        return Depth.rank(item["depth"])
    return 0


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
    for key, title in SECTIONS:
        old = {identity(key, item): item for item in before.get(key, [])}
        new = {identity(key, item): item for item in after.get(key, [])}
        section = SectionDiff(key, title)
        for ident, item in new.items():
            if ident not in old:
                section.added.append((label(key, item), describe(key, item)))
        for ident, item in old.items():
            if ident not in new:
                section.removed.append((label(key, item), describe(key, item)))
                continue
            other = new[ident]
            if item == other:
                section.same += 1
                continue
            what = []
            if describe(key, item) != describe(key, other):
                what.append(
                    "level"
                    if key == "organisation_skills"
                    else "depth"
                    if key == "knowledge_skills"
                    else "awarding body"
                )
            for part in ("details", "description", "level_description", "type"):
                if item.get(part) != other.get(part):
                    what.append(part.replace("_", " "))
            direction = _rank(key, other) - _rank(key, item)
            section.changed.append(
                Change(
                    label(key, item),
                    describe(key, item),
                    describe(key, other),
                    direction=(direction > 0) - (direction < 0),
                    what=", ".join(what),
                )
            )
        sections.append(section)
    return DocumentDiff(fields=fields, sections=sections)
