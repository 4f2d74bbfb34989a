"""Write checked role-profile/1 documents as drafts, and preview doing so.

Every import is all or nothing. A preview is the same import rolled back,
so it can never disagree with the real one; what the person saw (the
profile's fingerprint then) travels to the confirmation and is compared
under the row lock before anything is written.
"""

from dataclasses import dataclass, field

from django.db import IntegrityError, transaction

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
from profiles.search import refresh_search_text
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
class SharedText:
    """A framework text the file words differently from the catalogue, which
    other profiles show too: the import asks before changing it for them."""

    skill: str
    what: str  # "description", or "description at 3 – Practitioner"
    current: str
    new: str
    profiles: list  # (title, slug) of each other profile that shows the text
    updated: bool = False

    def line(self):
        users = f"{len(self.profiles)} other profile(s)"
        if self.updated:
            return f"updated the {self.what} of skill '{self.skill}' everywhere: {users} use it"
        return (
            f"kept the catalogue's current {self.what} of skill '{self.skill}', which {users} "
            "use: this profile shows that text, not the file's (updating shared texts would "
            "change it everywhere)"
        )


@dataclass
class ImportResult:
    profile: RoleProfile
    action: str  # "created", "updated" or "unchanged"
    new_components: int = 0
    reused_components: int = 0
    version: object = None  # the ProfileVersion published, if any
    notes: list = field(default_factory=list)
    shared: list = field(default_factory=list)  # SharedText, changed or kept
    warnings: list = field(default_factory=list)  # texts that look cut off

    def summary(self, *, shared=True):
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
        if shared:
            lines.extend(f"  note: {text.line()}" for text in self.shared)
        lines.extend(f"  warning: {warning}" for warning in self.warnings)
        if self.version:
            lines.append(f"  published as version {self.version.number}")
        return "\n".join(lines)


def normalised(document):
    """A document with every optional key present, as export writes it."""
    return {**{key: None for key in OPTIONAL_KEYS}, **document}


def import_profiles(
    inputs,
    *,
    publish=False,
    user=None,
    confirmed=None,
    update_shared_texts=False,
    confirmed_shared=None,
):
    """Write checked documents as drafts, all or nothing.

    `confirmed` maps a slug to the fingerprint the person previewed ('' for
    a profile that did not exist): a profile that changed since is refused
    with ChangedSinceConfirmed, and nothing is written. A skill text that
    other profiles show changes only with `update_shared_texts`, and, with
    `confirmed_shared` (slug to shared_fingerprint() of the preview's
    list), only from the text the person saw."""
    with transaction.atomic():
        return [
            import_profile(
                source,
                publish=publish,
                user=user,
                confirmed=(confirmed or {}).get(slug := normalised(source.document)["slug"]),
                update_shared_texts=update_shared_texts,
                confirmed_shared=(confirmed_shared or {}).get(slug),
            )
            for source in inputs
        ]


def shared_fingerprint(shared):
    """A fingerprint of the shared texts an import would change: which, from
    what and to what."""
    rows = [[text.skill, text.what, text.current, text.new] for text in shared]
    return document_fingerprint(rows)


@transaction.atomic
def import_profile(
    source: ProfileInput,
    *,
    publish=False,
    user=None,
    confirmed=None,
    update_shared_texts=False,
    confirmed_shared=None,
) -> ImportResult:
    """Create or update the draft of the profile with the document's slug.

    Raises ProfileImportError (naming the place in the file) for references
    the catalogue cannot satisfy; nothing is written then. Framework texts
    that other profiles show keep their current wording unless
    `update_shared_texts`; the result lists them either way."""
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
            result = ImportResult(
                profile=profile, action="unchanged", warnings=cut_off_texts(source, doc)
            )
            if publish and profile.is_draft and not lifecycle.same_as_latest_version(profile):
                result.version = lifecycle.publish_profile(profile=profile, user=user)
            return result

    result = ImportResult(
        profile=profile,
        action="updated" if profile else "created",
        warnings=cut_off_texts(source, doc),
    )
    if profile is None:
        profile = RoleProfile(slug=doc["slug"])
    result.profile = profile
    try:
        with transaction.atomic():
            write_content(profile, doc, levels, result, update_shared=update_shared_texts)
            # The shared texts were read under their rows' locks: changing
            # them from anything but what the person saw would overwrite a
            # colleague's edition unseen.
            if confirmed_shared is not None and shared_fingerprint(result.shared) != (
                confirmed_shared
            ):
                raise ChangedSinceConfirmed(CHANGED_MESSAGE)
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
                f"unknown framework '{row['framework']}'; load it first: "
                "'manage.py load_ddat_scale' loads DDaT's scale of levels, and "
                "'manage.py import_framework' (or the framework import page) any other",
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


def write_content(profile, doc, levels, result, *, update_catalogue=True, update_shared=False):
    """Replace the profile's texts and links with the document's, as a draft."""
    if doc["job_family"]:
        profile.job_family = JobFamily.objects.for_name(doc["job_family"])
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
                _skill(
                    profile,
                    row,
                    level,
                    result,
                    update_catalogue=update_catalogue,
                    update_shared=update_shared,
                )
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
    refresh_search_text(profile)


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


def _skill(profile, row, level, result, *, update_catalogue=True, update_shared=False):
    """Find or create the framework skill, and bring its texts up to the
    file's where nobody else shows them. Skill texts belong to the framework:
    a text that other profiles show changes only when the person chose to
    update it everywhere (published versions keep the text they were
    published with either way); otherwise this profile shows the catalogue's
    current text. Either way the result lists it."""
    category, _ = Category.objects.get_or_create(
        framework=level.framework, parent=None, name=row["category"]
    )
    skill, _ = Skill.objects.get_or_create(
        category=category, name=row["skill"], defaults={"description": row["description"]}
    )
    skill_level, _ = SkillLevel.objects.get_or_create(
        skill=skill, level=level, defaults={"description": row["level_description"]}
    )
    if not update_catalogue:
        return skill
    if update_shared:
        # Read under lock what is about to be rewritten for everyone.
        skill = Skill.objects.select_for_update().get(pk=skill.pk)
        skill_level = SkillLevel.objects.select_for_update().get(pk=skill_level.pk)
    # This profile's own links were removed before its items are written, so
    # every remaining use is another profile's. A skill's description shows
    # wherever the skill is used; a level's description only where the skill
    # is required at that level.
    others = skill.uses.exclude(profile=profile)
    for target, what, new, users in (
        (skill, "description", row["description"], others),
        (
            skill_level,
            f"description at {level}",
            row["level_description"],
            others.filter(level=level),
        ),
    ):
        if target.description == new:
            continue
        profiles = list(
            RoleProfile.objects.filter(skill_links__in=users)
            .distinct()
            .order_by("title")
            .values_list("title", "slug")
        )
        if profiles:
            result.shared.append(
                SharedText(skill.name, what, target.description, new, profiles, update_shared)
            )
            if not update_shared:
                continue
        target.description = new
        target.save(update_fields=["description"])
    return skill


# --- Texts that look cut off ---------------------------------------------------

# A text "ends" when its last character, after any closing quotes or brackets,
# is one of these.
SENTENCE_ENDS = ".!?…"
CLOSERS = "\"'”’)]"


def _ends_sentence(text):
    return text.rstrip().rstrip(CLOSERS)[-1:] in tuple(SENTENCE_ENDS)


def cut_off_texts(source, doc):
    """Warnings for prose that looks cut off, which published pages sometimes
    are (a copy that stopped mid-sentence).

    The heuristic: among texts of one kind (the details of components, the
    descriptions of skills, the descriptions of skill levels), a text looks
    cut off when it does not end a sentence (a full stop, ?, ! or …, perhaps
    followed by a closing quote or bracket) while most of the others of its
    kind do. A page whose style is to leave full stops out is not flagged;
    one-line lists (responsibilities, titles, awarding bodies) are never
    checked. The import goes ahead: this only says where to look."""
    kinds = {}
    for section in SECTIONS:
        for index, row in enumerate(doc[section.key]):
            for key, label in (
                ("details", "details"),
                ("description", "description"),
                ("level_description", "level description"),
            ):
                text = row.get(key)
                if text:
                    name = section.name(row)
                    kinds.setdefault(key, []).append(
                        (
                            f"$.{section.key}[{index}].{key}",
                            f"the {label} of {section.noun} '{name}'",
                            text,
                        )
                    )
    warnings = []
    for texts in kinds.values():
        ended = sum(_ends_sentence(text) for _, _, text in texts)
        for path, label, text in texts:
            others_ended = ended - _ends_sentence(text)
            if _ends_sentence(text) or others_ended * 2 < len(texts) - 1:
                continue
            where = source.where(path)
            tail = text.rstrip()[-30:].lstrip()
            warnings.append(
                f"{label}{f' ({where})' if where else ''} may be cut off: it ends "
                f"‘…{tail}’ without a full stop"
            )
    return warnings


# --- Preview -----------------------------------------------------------------


@dataclass
class ImportPreview:
    action: str
    slug: str
    title: str
    summary: str
    fingerprint: str  # of the profile as it was when previewed ('' if none)
    document: dict = None  # the profile as the import would leave it
    differences: object = None  # a DocumentDiff against the current content
    unpublished: bool = False  # the import replaces changes never published
    was_draft: bool = False  # the profile had a draft open
    shared: list = field(default_factory=list)  # SharedText the person must decide on
    warnings: list = field(default_factory=list)

    @property
    def statement(self):
        """What confirming would do, in plain words."""
        title = f"‘{self.title}’"
        if self.action == "unchanged":
            return f"This changes nothing: {title} already says what the file says."
        if self.action == "created":
            return f"This will create the draft {title}."
        if self.unpublished:
            return f"This will replace the draft of {title} (unpublished changes will be lost)."
        if self.was_draft:
            return f"This will replace the draft of {title}."
        return (
            f"This will start a new draft of {title}; everyone else keeps reading the "
            "published version until the draft is published."
        )


class _RollBack(Exception):
    """Raised inside a preview's transaction so that nothing is kept."""


def preview_imports(inputs):
    """What importing these files would do, writing nothing: for each, the
    summary, the profile as it would look, what would change in the current
    profile, whether that throws away a draft's unpublished changes, and the
    shared texts the person must decide about (shown as they are kept)."""
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
                        title=result.profile.title,
                        summary=result.summary(shared=False),
                        fingerprint=document_fingerprint(before),
                        document=after,
                        differences=diff_documents(before, after) if before else None,
                        unpublished=unpublished,
                        was_draft=bool(existing and existing.is_draft),
                        shared=result.shared,
                        warnings=result.warnings,
                    )
                )
            raise _RollBack
    except _RollBack:
        pass
    return previews
