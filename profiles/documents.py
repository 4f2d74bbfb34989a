"""The role-profile/1 interchange document: building one from a profile,
checking one against the schema, what a person may read of a profile, a
document read from a file (ProfileInput) and the error of one that cannot
be imported.

The schema file is the project's copy of ../shared/schema (a test keeps the
two identical), so the application does not depend on a folder outside it.
"""

import hashlib
import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from django.core.exceptions import ValidationError
from jsonschema import Draft202012Validator

from competency.problems import ChangedProblem, FileProblem
from competency.roles import is_hr
from profiles.sections import SECTIONS

SCHEMA_NAME = "role-profile/1"
SCHEMA_PATH = Path(__file__).resolve().parent / "schema" / "role-profile.schema.json"


@cache
def slug_validator():
    """A profile's URL name as role-profile/1 says it (lower-case letters,
    digits, single hyphens), for the forms and the API that make one."""
    from django.core.validators import RegexValidator

    pattern = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))["properties"]["slug"]["pattern"]
    return RegexValidator(
        pattern, "Use lower-case letters a–z, digits and single hyphens, e.g. 'data-engineer'."
    )


@cache
def validator():
    return Draft202012Validator(json.loads(SCHEMA_PATH.read_text(encoding="utf-8")))


def schema_errors(document):
    """The document's schema errors, shallowest first, as (json path, message)."""
    errors = sorted(validator().iter_errors(document), key=lambda e: (len(e.path), e.json_path))
    return [(error.json_path, error.message) for error in errors]


def profile_document(profile, *, version=None, rows=None):
    """The role-profile/1 document of a profile's current content.

    Reads each section's links in one query, whatever the profile's size;
    `rows` (section key to the section's document rows) is for a writer
    that has just written the links and holds their rows already."""
    if rows is None:
        rows = {section.key: section.document_rows(profile) for section in SECTIONS}
    return {
        "schema": SCHEMA_NAME,
        "title": profile.title,
        "slug": profile.slug,
        "job_family": profile.job_family.name if profile.job_family_id else None,
        "role_level": profile.role_level or None,
        "variant": profile.variant or None,
        "version": version,
        "summary": profile.summary,
        "responsibilities": list(profile.responsibilities),
        "background": list(profile.background),
        "prior_knowledge": list(profile.prior_knowledge),
        **{section.key: rows[section.key] for section in SECTIONS},
        "source": profile.source or None,
    }


def readable(profile, user):
    """(document, version) of what this person reads of the profile: HR
    the working copy (version None), everyone else the version in force.
    None when they may read nothing of it."""
    if is_hr(user):
        return profile_document(profile), None
    version = profile.published_version if user.is_authenticated else None
    if version is None:
        return None
    return version.document, version


def search_text(document):
    """The words a profile is found by: its texts and its items' titles,
    details and skill names, values only (a search for "level_description"
    or "schema" must not find every profile because the JSON says so)."""
    parts = [document["title"], document["summary"]]
    for key in ("responsibilities", "background", "prior_knowledge"):
        parts += document[key]
    for section in SECTIONS:
        parts += [row[key] or "" for row in document[section.key] for key in section.searched_keys]
    return "\n".join(part for part in parts if part)


def document_fingerprint(document):
    """A short fingerprint of a profile's content. What a person confirmed
    (a publish page, an import preview) carries it, and the write compares
    it under the row lock; the API will send it as the ETag."""
    if document is None:
        return ""
    text = json.dumps(document, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


class ChangedSinceConfirmed(ChangedProblem, ValidationError):
    """What a person confirmed is no longer what would be written: someone
    changed it in between. Nothing was written.

    Confirmed by If-Match (the API's ETag), the precondition failed (412);
    by a fingerprint in the body, as an import confirms its preview, it is a
    conflict (409)."""

    if_match_status = 412

    def problem_detail(self):
        return " ".join(self.messages)


class ProfileImportError(FileProblem, Exception):
    """Bad input: says which file, where in it, and what was expected."""

    def __init__(self, message, *, name="", where=""):
        super().__init__(message)
        self.name = name
        self.where = where
        self.message = message

    def __str__(self):
        place = ", ".join(part for part in (self.name, self.where) if part)
        return f"{place}: {self.message}" if place else self.message


@dataclass
class ProfileInput:
    """A checked document and how to point back into the file it came from.

    Checked means valid role-profile/1 (read_profile checks every file):
    an import publishes such a document without checking it again."""

    name: str
    document: dict
    format: str  # "text" or "json"
    lines: dict = field(default_factory=dict)

    def where(self, path):
        """'line 412' for page text, the JSON path itself for JSON."""
        if self.format == "json":
            return path
        # The nearest recorded place: "$.x[3].level", then "$.x[3]", then "$.x".
        while path in self.lines or max(path.rfind("."), path.rfind("[")) > 1:
            if path in self.lines:
                return f"line {self.lines[path]}"
            path = path[: max(path.rfind("."), path.rfind("["))]
        return ""

    def error(self, path, message):
        return ProfileImportError(message, name=self.name, where=self.where(path))


# The order keys are written in. PostgreSQL's jsonb keeps no key order, so a
# stored version is put back into this order when it is written out.
KEY_ORDER = {
    key: position
    for position, key in enumerate(
        [
            "schema",
            "title",
            "slug",
            "job_family",
            "role_level",
            "variant",
            "version",
            "summary",
            "responsibilities",
            "background",
            "prior_knowledge",
            "work_activities",
            "knowledge_skills",
            "training",
            "pdas",
            "qualifications",
            "organisation_skills",
            "source",
            # inside items
            "depth",
            "details",
            "type",
            "awarding_body",
            "framework",
            "category",
            "skill",
            "description",
            "level",
            "level_name",
            "level_description",
        ]
    )
}


def _ordered(value):
    if isinstance(value, dict):
        return {
            key: _ordered(value[key])
            for key in sorted(value, key=lambda key: (KEY_ORDER.get(key, len(KEY_ORDER)), key))
        }
    if isinstance(value, list):
        return [_ordered(item) for item in value]
    return value


def dumps(document):
    """The canonical text of a document: stable key order, readable Unicode."""
    return json.dumps(_ordered(document), ensure_ascii=False, indent=2) + "\n"
