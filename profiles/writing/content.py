"""Write a checked role-profile/1 document's content into a profile: its
texts, its links in each section, the levels it names and the catalogue
items it uses (found or made by profiles.writing.catalogue).

The importer (profiles.importing.batch) writes a batch of documents this
way; restoring a version into a draft (profiles.lifecycle) writes one.
"""

from dataclasses import dataclass, field
from types import SimpleNamespace

from competency.history import bulk_create, bulk_delete, bulk_update
from competency.models import Framework, Level
from profiles.documents import ProfileInput, document_fingerprint, profile_document, search_text
from profiles.models import RoleProfile
from profiles.search import add_known_words
from profiles.sections import SECTIONS
from profiles.writing.catalogue import Catalogue

OPTIONAL_KEYS = ("job_family", "role_level", "variant", "version", "source")


@dataclass
class ImportResult:
    profile: RoleProfile
    action: str  # "created", "updated" or "unchanged"
    new_components: int = 0
    reused_components: int = 0
    version: object = None  # the ProfileVersion published, if any
    document: dict = None  # the profile's document after the import
    notes: list = field(default_factory=list)
    shared: list = field(default_factory=list)  # SharedText, changed or kept
    warnings: list = field(default_factory=list)  # texts that look cut off

    def summary(self, *, shared=True):
        doc = self.document or profile_document(self.profile)
        counts = ", ".join(
            [
                f"{len(doc['responsibilities'])} responsibilities",
                f"{len(doc['background'])} background paragraphs",
                f"{len(doc['prior_knowledge'])} prior-knowledge lines",
                *(f"{len(doc[section.key])} {section.plural}" for section in SECTIONS),
            ]
        )
        lines = [f"{self.action.capitalize()} draft '{self.profile.title}' ({self.profile.slug})"]
        if self.action == "unchanged":
            lines[0] = (
                f"Unchanged '{self.profile.title}' ({self.profile.slug}), "
                f"{self.profile.get_status_display().lower()}"
            )
        else:
            lines.append(f"  {counts}")
            lines.append(
                f"  catalogue: {self.new_components} new items, {self.reused_components} reused"
            )
        lines.extend(f"  note: {note}" for note in self.notes)
        if shared:
            lines.extend(f"  note: {text.line()}" for text in self.shared)
        lines.extend(f"  warning: {warning}" for warning in self.warnings)
        if self.version:
            lines.append(f"  published as version {self.version.number}")
        return "\n".join(lines)

    def as_json(self, url):
        """What the API answers for the import (ImportResultSerializer), in
        the request or in its background job's result; `url` is the
        profile's address in the API."""
        return {
            "action": self.action,
            "slug": self.profile.slug,
            "version": self.version.number if self.version else None,
            "summary": self.summary(),
            "url": url,
        }


def normalised(document):
    """A document with every optional key present, as export writes it."""
    return {**{key: None for key in OPTIONAL_KEYS}, **document}


def frameworks_named(docs):
    """The scales of levels of the frameworks the documents' organisation
    skills name, by framework name: (framework, its levels by rank). One
    query, or none; a framework that has no levels yet is looked up only
    when a file names it, to say so."""
    names = {row["framework"] for doc in docs for row in doc["organisation_skills"]}
    if not names:
        return {}
    scales = {}
    for level in Level.objects.filter(framework__name__in=names).select_related("framework"):
        framework = scales.setdefault(level.framework.name, (level.framework, {}))[0]
        # One framework instance for all its levels.
        level.framework = framework
        scales[framework.name][1][level.rank] = level
    return scales


def resolve_levels(source, doc, frameworks=None):
    """The framework level of every organisation skill, or an error naming it."""
    if frameworks is None:
        frameworks = frameworks_named([doc])
    levels = []
    for index, row in enumerate(doc["organisation_skills"]):
        framework, scale = frameworks.get(row["framework"], (None, {}))
        if framework is None:
            framework = Framework.objects.filter(name=row["framework"]).first()
        if framework is None:
            raise source.error(
                f"$.organisation_skills[{index}].framework",
                f"unknown framework '{row['framework']}'; load it first: "
                "'manage.py load_ddat_scale' loads DDaT's scale of levels, and "
                "'manage.py import_framework' (or the framework import page) any other",
            )
        level = scale.get(row["level"])
        if level is None or level.name != row["level_name"]:
            expected = ", ".join(str(step) for step in scale.values())
            raise source.error(
                f"$.organisation_skills[{index}].level",
                f"unknown level '{row['level']} – {row['level_name']}' for "
                f"'{row['skill']}'; the {framework.name} scale has: {expected}",
            )
        levels.append(level)
    return levels


@dataclass(frozen=True)
class Policy:
    """What a write may do beyond the profile's own texts and links, decided
    once by its caller and handed down whole (batch, profile, section,
    catalogue) rather than as a flag at each level.

    - publish: publish each profile as written (an import that asks to);
    - update_catalogue: bring catalogue texts up to the document's where
      nobody else shows them (an import); restoring a version never does,
      since a version's skill texts are history, not news;
    - update_shared: change a framework text that other profiles show too
      (the person chose to update it everywhere)."""

    publish: bool = False
    update_catalogue: bool = True
    update_shared: bool = False


# Restoring a version: today's framework texts stay.
RESTORING = Policy(update_catalogue=False)


def restore_content(profile, version):
    """Make a profile's draft say what one of its versions said. Today's
    framework texts stay: a version's skill texts are history, not news."""
    source = ProfileInput(name=str(version), document=version.document, format="json")
    doc = normalised(version.document)
    write_content(
        profile,
        doc,
        resolve_levels(source, doc),
        ImportResult(profile, "updated"),
        policy=RESTORING,
    )


def _link_shape(section, rows):
    """What a section's links are made of (items and what is asked of each),
    from document rows: equal shapes need no link written."""
    if section.requirement == "level":
        return [(section.item_key(row), row["level"]) for row in rows]
    return rows


# The profile's own fields an import writes (the rest are the version in
# force's, which publishing writes).
CONTENT_FIELDS = [
    "job_family",
    "title",
    "role_level",
    "variant",
    "summary",
    "responsibilities",
    "background",
    "prior_knowledge",
    "source",
    "status",
    "search_text",
    "working_fingerprint",
    "updated_at",
]
# Of those, the ones the audit trail records.
OWN_FIELDS = [
    name
    for name in CONTENT_FIELDS
    if name not in ("search_text", "working_fingerprint", "updated_at")
]


def write_content(
    profile,
    doc,
    levels,
    result,
    *,
    catalogue=None,
    current=None,
    policy=Policy(),
    later=None,
):
    """Replace the profile's texts and links with the document's, as a draft,
    and return the profile's document as written.

    `current` is the profile's document as read under its lock, if the
    caller has it: a section it shows as the file has it keeps its links
    untouched. Otherwise each section's links are compared with the file's:
    links to items no longer listed are removed, the others moved or
    changed in place, the new ones added, each in bulk with its history.

    The document returned is built from the catalogue items just found or
    written (the texts the profile shows, which for a skill may be the
    catalogue's rather than the file's), by the sections' own row(), so it
    is what profile_document() would read back; the search text HR search
    by is built from it and saved with the profile's row.

    A new profile's links and known words are left to `later`, if given,
    to write with the rest of its batch's."""
    if catalogue is None:
        catalogue = Catalogue([doc], [levels])
    new = profile.pk is None
    # What this profile leaves to the end of its batch: only a new one's writes.
    deferred = later if new else None
    # The profile's own fields as stored, to know whether the import changes
    # any (its links keep their own records).
    stored = [getattr(profile, RoleProfile._meta.get_field(name).attname) for name in OWN_FIELDS]
    if doc["job_family"]:
        profile.job_family = catalogue.job_family(doc["job_family"])
    profile.title = doc["title"]
    profile.role_level = doc["role_level"] or ""
    profile.variant = doc["variant"] or ""
    profile.summary = doc["summary"]
    profile.responsibilities = doc["responsibilities"]
    profile.background = doc["background"]
    profile.prior_knowledge = doc["prior_knowledge"]
    profile.source = doc["source"] or ""
    profile.status = RoleProfile.Status.DRAFT

    resolved, shown = [], {}
    for section in SECTIONS:
        rows = doc[section.key]
        if section.key == "organisation_skills":
            items = catalogue.skills(
                profile,
                rows,
                levels,
                result,
                policy=policy,
                later=later,
            )
            extras = [{"level_id": level.pk} for level in levels]
            shown[section.key] = [
                section.row(
                    SimpleNamespace(skill=skill, level=level),
                    catalogue.skill_levels[(skill.pk, level.pk)].description,
                )
                for skill, level in zip(items, levels, strict=True)
            ]
        else:
            if section.key == "qualifications":
                items = catalogue.qualifications(rows, result)
                extras = [{} for _ in rows]
            else:
                items = catalogue.components(section, rows, result, deferred)
                extras = [
                    {"depth": row["depth"] or ""} if section.requirement == "depth" else {}
                    for row in rows
                ]
            shown[section.key] = [
                section.row(SimpleNamespace(**{section.item_field: item}, **extra))
                for item, extra in zip(items, extras, strict=True)
            ]
        resolved.append((section, rows, items, extras))

    document = profile_document(profile, rows=shown)
    # The text HR search by, saved with the row: one write of it (each
    # write of a search text makes PostgreSQL compute its vector again).
    profile.search_text = search_text(document)
    # And its fingerprint, which a list row's ETag shows (profiles.fingerprints).
    profile.working_fingerprint = document_fingerprint(document)
    if deferred is not None:
        # Its audit record is written with the batch's (Later.write).
        profile.save_without_historical_record()
        later.created.append(profile)
        later.texts.append(profile.search_text)
    elif new or stored != [
        getattr(profile, RoleProfile._meta.get_field(name).attname) for name in OWN_FIELDS
    ]:
        profile.save(update_fields=None if new else CONTENT_FIELDS)
        add_known_words(profile.search_text)
    else:
        # Only links change: an audit record of the profile would name no field.
        profile.save_without_historical_record(update_fields=CONTENT_FIELDS)
        add_known_words(profile.search_text)

    for section, rows, items, extras in resolved:
        if current is not None and _link_shape(section, current[section.key]) == _link_shape(
            section, rows
        ):
            continue
        existing = [] if new else list(section.links(profile).order_by("position", "id"))
        _write_links(profile, section, items, extras, existing, deferred)
    return document


def _write_links(profile, section, items, extras, existing, later=None):
    """Bring a section's links from `existing` to `items` in order (a new
    profile's left to `later`, if given)."""
    field = f"{section.item_field}_id"
    by_item = {getattr(link, field): link for link in existing}
    added, changed = [], []
    for position, (item, extra) in enumerate(zip(items, extras, strict=True)):
        link = by_item.pop(item.pk, None)
        if link is None:
            # The item itself, not its id: one the batch has yet to write
            # (Later) has none until then.
            added.append(
                section.link_model(
                    profile=profile, position=position, **{section.item_field: item}, **extra
                )
            )
        elif link.position != position or any(
            getattr(link, name) != value for name, value in extra.items()
        ):
            link.position = position
            for name, value in extra.items():
                setattr(link, name, value)
            changed.append(link)
    if later is not None:
        later.add_links(section.link_model, added)
        return
    bulk_delete(section.link_model, by_item.values())
    names = ["position", *(name.removesuffix("_id") for name in (extras[0] if extras else {}))]
    bulk_update(section.link_model, changed, names)
    bulk_create(section.link_model, added)
