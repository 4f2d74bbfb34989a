"""Write checked role-profile/1 documents as drafts, and preview doing so.

Every import is all or nothing. A preview is the same import rolled back,
so it can never disagree with the real one; what the person saw (the
profile's fingerprint then) travels to the confirmation and is compared
under the row lock before anything is written.
"""

from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils.text import slugify

from competency.history import bulk_create
from competency.models import (
    AwardingBody,
    Category,
    Component,
    Framework,
    Qualification,
    Skill,
    SkillLevel,
    fingerprint,
)
from profiles import lifecycle
from profiles.documents import (
    ChangedSinceConfirmed,
    document_fingerprint,
    profile_document,
)
from profiles.importing.reading import ProfileInput
from profiles.models import JobFamily, RoleProfile
from profiles.sections import SECTIONS, max_length

OPTIONAL_KEYS = ("job_family", "role_level", "variant", "version", "source")
# The profile's own texts an import writes, with the field that bounds each.
PROFILE_LIMITS = {
    "title": max_length(RoleProfile, "title"),
    "slug": max_length(RoleProfile, "slug"),
    "job_family": max_length(JobFamily, "name"),
    "role_level": max_length(RoleProfile, "role_level"),
    "variant": max_length(RoleProfile, "variant"),
}
CHANGED_MESSAGE = (
    "Nothing was imported: the profile changed after you checked the file. "
    "Upload it again to see what the import would do now."
)


@dataclass
class ImportResult:
    profile: RoleProfile
    action: str  # "created", "updated" or "unchanged"
    new_components: int = 0
    reused_components: int = 0
    version: object = None  # the ProfileVersion published, if any
    notes: list = field(default_factory=list)

    def summary(self):
        doc = profile_document(self.profile)
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
        if self.version:
            lines.append(f"  published as version {self.version.number}")
        return "\n".join(lines)


def normalised(document):
    """A document with every optional key present, as export writes it."""
    return {**{key: None for key in OPTIONAL_KEYS}, **document}


def import_profiles(inputs, *, publish=False, user=None, confirmed=None):
    """Write checked documents as drafts, all or nothing.

    `confirmed` maps a slug to the fingerprint the person previewed ('' for
    a profile that did not exist): a profile that changed since is refused
    with ChangedSinceConfirmed, and nothing is written."""
    with transaction.atomic():
        return [
            import_profile(
                source,
                publish=publish,
                user=user,
                confirmed=(confirmed or {}).get(normalised(source.document)["slug"]),
            )
            for source in inputs
        ]


@transaction.atomic
def import_profile(
    source: ProfileInput, *, publish=False, user=None, confirmed=None
) -> ImportResult:
    """Create or update the draft of the profile with the document's slug.

    Raises ProfileImportError (naming the place in the file) for references
    the catalogue cannot satisfy; nothing is written then."""
    doc = normalised(source.document)
    _check_lengths(source, doc)
    _check_duplicates(source, doc)
    levels = resolve_levels(source, doc)

    profile = RoleProfile.objects.select_for_update().filter(slug=doc["slug"]).first()
    current = profile_document(profile) if profile is not None else None
    if confirmed is not None and document_fingerprint(current) != confirmed:
        raise ChangedSinceConfirmed(CHANGED_MESSAGE)
    if current is not None:
        family = doc["job_family"] or current["job_family"]
        if current == {**doc, "job_family": family, "version": None}:
            # Same content: leave the profile as it is, so importing twice
            # changes nothing (and publishes no empty version).
            result = ImportResult(profile=profile, action="unchanged")
            if publish and profile.is_draft and not lifecycle.same_as_latest_version(profile):
                result.version = lifecycle.publish_profile(profile=profile, user=user)
            return result

    result = ImportResult(profile=profile, action="updated" if profile else "created")
    if profile is None:
        profile = RoleProfile(slug=doc["slug"])
    result.profile = profile
    try:
        with transaction.atomic():
            write_content(profile, doc, levels, result)
    except IntegrityError as exc:
        # Another import created the same slug after we looked.
        if confirmed is not None:
            raise ChangedSinceConfirmed(CHANGED_MESSAGE) from exc
        raise source.error(
            "$.slug", f"another import wrote '{doc['slug']}' at the same time; try again"
        ) from exc
    if publish and not lifecycle.same_as_latest_version(profile):
        result.version = lifecycle.publish_profile(profile=profile, user=user)
    return result


def _check_lengths(source, doc):
    """Texts that do not fit are a clear error on every database (SQLite
    would store them anyway)."""

    def check(path, value, limit):
        if value and len(value) > limit:
            raise source.error(
                path, f"this text is {len(value)} characters long; at most {limit} fit here"
            )

    for key, limit in PROFILE_LIMITS.items():
        check(f"$.{key}", doc[key], limit)
    for section in SECTIONS:
        limits = section.limits()
        for index, row in enumerate(doc[section.key]):
            for key, limit in limits.items():
                check(f"$.{section.key}[{index}].{key}", row[key], limit)


def _check_duplicates(source, doc):
    for section in SECTIONS:
        seen = set()
        for index, row in enumerate(doc[section.key]):
            key = section.item_key(row)
            if key in seen:
                raise source.error(
                    f"$.{section.key}[{index}]",
                    f"'{section.name(row)}' appears twice in {section.plural}; a profile lists "
                    "each item once",
                )
            seen.add(key)


def resolve_levels(source, doc):
    """The framework level of every organisation skill, or an error naming it."""
    names = {row["framework"] for row in doc["organisation_skills"]}
    frameworks = {
        framework.name: framework
        for framework in Framework.objects.filter(name__in=names).prefetch_related("levels")
    }
    levels = []
    for index, row in enumerate(doc["organisation_skills"]):
        framework = frameworks.get(row["framework"])
        if framework is None:
            raise source.error(
                f"$.organisation_skills[{index}].framework",
                f"unknown framework '{row['framework']}'; load it first "
                "(manage.py seed_demo loads DDaT)",
            )
        scale = {level.rank: level for level in framework.levels.all()}
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
        update_catalogue=False,
    )


def write_content(profile, doc, levels, result, *, update_catalogue=True):
    """Replace the profile's texts and links with the document's, as a draft."""
    if doc["job_family"]:
        profile.job_family, _ = JobFamily.objects.get_or_create(
            name=doc["job_family"], defaults={"slug": slugify(doc["job_family"])}
        )
    profile.title = doc["title"]
    profile.role_level = doc["role_level"] or ""
    profile.variant = doc["variant"] or ""
    profile.summary = doc["summary"]
    profile.responsibilities = doc["responsibilities"]
    profile.background = doc["background"]
    profile.prior_knowledge = doc["prior_knowledge"]
    profile.source = doc["source"] or ""
    profile.status = RoleProfile.Status.DRAFT
    profile.save()

    for section in SECTIONS:
        section.link_model.objects.filter(profile=profile).delete()

    for section in SECTIONS:
        rows = doc[section.key]
        if section.key == "organisation_skills":
            items = [
                _skill(profile, row, level, result, update_catalogue=update_catalogue)
                for row, level in zip(rows, levels, strict=True)
            ]
            extras = [{"level": level} for level in levels]
        elif section.key == "qualifications":
            items = [_qualification(row["title"], row["awarding_body"], result) for row in rows]
            extras = [{} for _ in rows]
        else:
            items = _components(section.item_model, [section.new_item(row) for row in rows], result)
            extras = [
                {"depth": row["depth"] or ""} if section.requirement == "depth" else {}
                for row in rows
            ]
        bulk_create(
            section.link_model,
            [
                section.link_model(
                    profile=profile, position=position, **{section.item_field: item}, **extra
                )
                for position, (item, extra) in enumerate(zip(items, extras, strict=True))
            ],
        )


def _components(model, candidates, result):
    """Reuse catalogue items with the same text; create the others."""
    assert issubclass(model, Component)
    keys = [fingerprint(*candidate.identity()) for candidate in candidates]
    known = {component.key: component for component in model.objects.filter(key__in=keys)}
    new = {}
    for candidate, key in zip(candidates, keys, strict=True):
        if key not in known and key not in new:
            candidate.key = key
            new[key] = candidate
    bulk_create(model, list(new.values()))
    result.new_components += len(new)
    result.reused_components += len(candidates) - len(new)
    known.update(new)
    return [known[key] for key in keys]


def _qualification(title, body_name, result):
    body, _ = AwardingBody.objects.get_or_create(name=body_name)
    qualification, created = Qualification.objects.get_or_create(title=title, awarding_body=body)
    if created:
        result.new_components += 1
    else:
        result.reused_components += 1
    return qualification


def _skill(profile, row, level, result, *, update_catalogue=True):
    """Find or create the framework skill and bring its texts up to the
    file's. Skill texts belong to the framework, so the newest published page
    wins; published versions keep the text they were published with, and the
    summary names any skill whose text changes under other profiles."""
    category, _ = Category.objects.get_or_create(
        framework=level.framework, parent=None, name=row["category"]
    )
    skill, _ = Skill.objects.get_or_create(
        category=category, name=row["skill"], defaults={"description": row["description"]}
    )
    skill_level, _ = SkillLevel.objects.get_or_create(
        skill=skill, level=level, defaults={"description": row["level_description"]}
    )
    changed = []
    if not update_catalogue:
        return skill
    if skill.description != row["description"]:
        skill.description = row["description"]
        skill.save(update_fields=["description"])
        changed.append("description")
    if skill_level.description != row["level_description"]:
        skill_level.description = row["level_description"]
        skill_level.save(update_fields=["description"])
        changed.append(f"description at {level}")
    if changed:
        others = skill.uses.exclude(profile=profile).values("profile").distinct().count()
        if others:
            result.notes.append(
                f"updated the {' and '.join(changed)} of skill '{skill.name}', which "
                f"{others} other profile(s) use"
            )
    return skill


# --- Preview -----------------------------------------------------------------


@dataclass
class ImportPreview:
    action: str
    slug: str
    summary: str
    fingerprint: str  # of the profile as it was when previewed ('' if none)
    differences: object = None  # a DocumentDiff against the current content
    unpublished: bool = False  # the import replaces changes never published


class _RollBack(Exception):
    """Raised inside a preview's transaction so that nothing is kept."""


def preview_imports(inputs):
    """What importing these files would do, writing nothing: for each, the
    summary, what would change in the current profile, and whether that
    throws away a draft's unpublished changes."""
    from profiles.diff import diff_documents

    previews = []
    try:
        with transaction.atomic():
            for source in inputs:
                slug = normalised(source.document)["slug"]
                existing = RoleProfile.objects.filter(slug=slug).first()
                before = profile_document(existing) if existing else None
                unpublished = bool(
                    existing
                    and existing.is_draft
                    and not lifecycle.same_as_latest_version(existing, before)
                    and existing.versions.exists()
                )
                (result,) = import_profiles([source])
                after = profile_document(result.profile)
                previews.append(
                    ImportPreview(
                        action=result.action,
                        slug=slug,
                        summary=result.summary(),
                        fingerprint=document_fingerprint(before),
                        differences=diff_documents(before, after) if before else None,
                        unpublished=unpublished,
                    )
                )
            raise _RollBack
    except _RollBack:
        pass
    return previews
