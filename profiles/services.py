"""Every change of a role profile's content or status goes through here, so
the admin, the commands and (later) the pages and the API share one set of
rules. Each function validates before it writes and runs in a transaction."""

import hashlib
import json
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.text import slugify

from competency.history import bulk_create
from competency.models import (
    AwardingBody,
    Category,
    DevelopmentActivity,
    Framework,
    KnowledgeItem,
    Qualification,
    Skill,
    SkillLevel,
    Training,
    WorkActivity,
    fingerprint,
)
from profiles.documents import profile_document, schema_errors
from profiles.importing import ProfileInput
from profiles.models import (
    JobFamily,
    ProfileDevelopmentActivity,
    ProfileKnowledge,
    ProfileQualification,
    ProfileSkill,
    ProfileTraining,
    ProfileVersion,
    ProfileWorkActivity,
    RoleProfile,
)

OPTIONAL_KEYS = ("job_family", "role_level", "variant", "version", "source")

# The sections of title-and-details components: (document key, component
# model, link model, the link's field for the component).
TITLED_SECTIONS = [
    ("work_activities", WorkActivity, ProfileWorkActivity, "activity"),
    ("training", Training, ProfileTraining, "training"),
    ("pdas", DevelopmentActivity, ProfileDevelopmentActivity, "activity"),
]
LINK_MODELS = [
    ProfileWorkActivity,
    ProfileKnowledge,
    ProfileTraining,
    ProfileDevelopmentActivity,
    ProfileQualification,
    ProfileSkill,
]


@dataclass
class ImportResult:
    profile: RoleProfile
    action: str  # "created", "updated" or "unchanged"
    new_components: int = 0
    reused_components: int = 0
    version: ProfileVersion | None = None
    notes: list = field(default_factory=list)

    def summary(self):
        doc = profile_document(self.profile)
        counts = ", ".join(
            f"{len(doc[key])} {label}"
            for key, label in (
                ("responsibilities", "responsibilities"),
                ("background", "background paragraphs"),
                ("prior_knowledge", "prior-knowledge lines"),
                ("work_activities", "work activities"),
                ("knowledge_skills", "knowledge/skills items"),
                ("training", "training items"),
                ("pdas", "PDAs"),
                ("qualifications", "qualifications"),
                ("organisation_skills", "organisation skills"),
            )
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


def import_profiles(inputs, *, publish=False, user=None):
    """Write checked documents as drafts, all or nothing."""
    with transaction.atomic():
        return [import_profile(source, publish=publish, user=user) for source in inputs]


@transaction.atomic
def import_profile(source: ProfileInput, *, publish=False, user=None) -> ImportResult:
    """Create or update the draft of the profile with the document's slug.

    Raises ProfileImportError (naming the place in the file) for references
    the catalogue cannot satisfy; nothing is written then."""
    doc = normalised(source.document)
    _check_lengths(source, doc)
    _check_duplicates(source, doc)
    levels = _resolve_levels(source, doc)

    profile = RoleProfile.objects.select_for_update().filter(slug=doc["slug"]).first()
    if profile is not None:
        current = profile_document(profile)
        family = doc["job_family"] or current["job_family"]
        if current == {**doc, "job_family": family, "version": None}:
            # Same content: leave the profile as it is, so importing twice
            # changes nothing (and publishes no empty version).
            result = ImportResult(profile=profile, action="unchanged")
            if publish and profile.is_draft and not _same_as_latest_version(profile):
                result.version = publish_profile(profile=profile, user=user)
            return result

    result = ImportResult(profile=profile, action="updated" if profile else "created")
    if profile is None:
        profile = RoleProfile(slug=doc["slug"])
    result.profile = profile
    try:
        with transaction.atomic():
            _write_profile(profile, doc, levels, result)
    except IntegrityError as exc:
        # Another import created the same slug after we looked.
        raise source.error(
            "$.slug", f"another import wrote '{doc['slug']}' at the same time; try again"
        ) from exc
    if publish and not _same_as_latest_version(profile):
        result.version = publish_profile(profile=profile, user=user)
    return result


# Field lengths of the tables an import writes, checked first so that a long
# text is a clear error on every database (SQLite would store it anyway).
LIMITS = {
    "title": 200,
    "slug": 200,
    "job_family": 100,
    "role_level": 50,
    "variant": 100,
}
ITEM_LIMITS = {
    "work_activities": {"title": 255},
    "knowledge_skills": {"title": 255},
    "training": {"title": 255},
    "pdas": {"title": 255},
    "qualifications": {"title": 255, "awarding_body": 200},
    "organisation_skills": {"category": 200, "skill": 200},
}


def _check_lengths(source, doc):
    def check(path, value, limit):
        if value and len(value) > limit:
            raise source.error(
                path, f"this text is {len(value)} characters long; at most {limit} fit here"
            )

    for key, limit in LIMITS.items():
        check(f"$.{key}", doc[key], limit)
    for section, limits in ITEM_LIMITS.items():
        for index, row in enumerate(doc[section]):
            for key, limit in limits.items():
                check(f"$.{section}[{index}].{key}", row[key], limit)


def _same_as_latest_version(profile, document=None):
    """Whether the draft (its `document`, if already built) says exactly
    what its latest version says."""
    latest = profile.versions.order_by("-number").first()
    if latest is None:
        return False
    return {**latest.document, "version": None} == (document or profile_document(profile))


def _check_duplicates(source, doc):
    def key_of(section, row):
        if section == "organisation_skills":
            return (row["framework"], row["category"], row["skill"])
        if section == "qualifications":
            return (row["title"], row["awarding_body"])
        if section == "knowledge_skills":
            return (row["type"], row["title"], row["details"])
        return (row["title"], row["details"])

    for section in (
        "work_activities",
        "knowledge_skills",
        "training",
        "pdas",
        "qualifications",
        "organisation_skills",
    ):
        seen = set()
        for index, row in enumerate(doc[section]):
            key = key_of(section, row)
            if key in seen:
                name = row.get("skill") or row["title"]
                raise source.error(
                    f"$.{section}[{index}]",
                    f"'{name}' appears twice in {section.replace('_', ' ')}; a profile lists "
                    "each item once",
                )
            seen.add(key)


def _resolve_levels(source, doc):
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


def _write_profile(profile, doc, levels, result, *, update_catalogue=True):
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

    for model in LINK_MODELS:
        model.objects.filter(profile=profile).delete()

    for key, component_model, link_model, link_field in TITLED_SECTIONS:
        components = _components(
            component_model,
            [component_model(title=row["title"], details=row["details"]) for row in doc[key]],
            result,
        )
        bulk_create(
            link_model,
            [
                link_model(profile=profile, position=position, **{link_field: component})
                for position, component in enumerate(components)
            ],
        )

    rows = doc["knowledge_skills"]
    items = _components(
        KnowledgeItem,
        [KnowledgeItem(title=r["title"], details=r["details"], kind=r["type"]) for r in rows],
        result,
    )
    bulk_create(
        ProfileKnowledge,
        [
            ProfileKnowledge(
                profile=profile, position=position, item=item, depth=row["depth"] or ""
            )
            for position, (item, row) in enumerate(zip(items, rows, strict=True))
        ],
    )

    qualifications = [
        _qualification(row["title"], row["awarding_body"], result) for row in doc["qualifications"]
    ]
    bulk_create(
        ProfileQualification,
        [
            ProfileQualification(profile=profile, position=position, qualification=qualification)
            for position, qualification in enumerate(qualifications)
        ],
    )

    bulk_create(
        ProfileSkill,
        [
            ProfileSkill(
                profile=profile,
                position=position,
                skill=_skill(profile, row, level, result, update_catalogue=update_catalogue),
                level=level,
            )
            for position, (row, level) in enumerate(
                zip(doc["organisation_skills"], levels, strict=True)
            )
        ],
    )


def _components(model, candidates, result):
    """Reuse catalogue items with the same text; create the others."""
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
        # Restoring an old version's requirements: today's framework texts stay.
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


@transaction.atomic
def publish_profile(*, profile, user=None) -> ProfileVersion:
    """Freeze a draft's content as the next numbered version."""
    profile = RoleProfile.objects.select_for_update().get(pk=profile.pk)
    if profile.status != RoleProfile.Status.DRAFT:
        raise ValidationError(
            f"Only a draft can be published; '{profile.title}' is {profile.get_status_display()}."
        )
    current = profile_document(profile)
    if _same_as_latest_version(profile, current):
        raise ValidationError(
            f"Nothing has changed since version {profile.versions.latest().number}; "
            "there is nothing new to publish."
        )
    number = (profile.versions.aggregate(last=Max("number"))["last"] or 0) + 1
    document = {**current, "version": number}
    errors = schema_errors(document)
    if errors:
        path, message = errors[0]
        raise ValidationError(f"The profile cannot be published: {path}: {message}")
    version = ProfileVersion.objects.create(
        profile=profile, number=number, document=document, published_by=user
    )
    profile.status = RoleProfile.Status.PUBLISHED
    profile.published_version = version
    profile.save(update_fields=["status", "published_version", "updated_at"])
    return version


@transaction.atomic
def start_draft(*, profile, version=None) -> RoleProfile:
    """Reopen a published or archived profile as a draft, optionally from the
    content of one of its published versions."""
    profile = RoleProfile.objects.select_for_update().get(pk=profile.pk)
    if profile.is_draft:
        raise ValidationError(f"'{profile.title}' is already a draft.")
    if version is not None:
        if version.profile_id != profile.pk:
            raise ValidationError("That version belongs to another profile.")
        source = ProfileInput(name=str(version), document=version.document, format="json")
        doc = normalised(version.document)
        _write_profile(
            profile,
            doc,
            _resolve_levels(source, doc),
            ImportResult(profile, "updated"),
            update_catalogue=False,
        )
    else:
        profile.status = RoleProfile.Status.DRAFT
        profile.save(update_fields=["status", "updated_at"])
    return profile


@transaction.atomic
def archive_profile(*, profile) -> RoleProfile:
    """Withdraw a profile from use; its published versions stay readable."""
    profile = RoleProfile.objects.select_for_update().get(pk=profile.pk)
    if profile.status == RoleProfile.Status.ARCHIVED:
        raise ValidationError(f"'{profile.title}' is already archived.")
    profile.status = RoleProfile.Status.ARCHIVED
    # Withdrawn: readers no longer find it until a new version is published.
    profile.published_version = None
    profile.save(update_fields=["status", "published_version", "updated_at"])
    return profile


# --- Editing a draft in the browser -----------------------------------------


@dataclass(frozen=True)
class Kind:
    """One kind of catalogue item a profile links to."""

    slug: str
    label: str  # singular, lower case
    plural: str
    section: str  # the document's key
    link_model: type
    field: str  # the link's field for the item
    attribute: str | None = None  # "depth" or "level"

    @property
    def item_model(self):
        return self.link_model._meta.get_field(self.field).related_model

    @property
    def item_related(self):
        """What an item's name is made of, to fetch with it (see __str__)."""
        return {"skill": ["category__framework"], "qualification": ["awarding_body"]}.get(
            self.field, []
        )

    def items(self):
        return self.item_model.objects.select_related(*self.item_related)

    def links(self, profile):
        return getattr(profile, self.link_model._meta.default_related_name)


KINDS = {
    kind.slug: kind
    for kind in [
        Kind(
            "skills",
            "organisation skill",
            "organisation skills",
            "organisation_skills",
            ProfileSkill,
            "skill",
            "level",
        ),
        Kind(
            "knowledge",
            "knowledge/skills item",
            "knowledge and skills",
            "knowledge_skills",
            ProfileKnowledge,
            "item",
            "depth",
        ),
        Kind(
            "work-activities",
            "work activity",
            "work activities",
            "work_activities",
            ProfileWorkActivity,
            "activity",
        ),
        Kind("training", "training item", "training", "training", ProfileTraining, "training"),
        Kind(
            "pdas",
            "personal development activity",
            "personal development activities",
            "pdas",
            ProfileDevelopmentActivity,
            "activity",
        ),
        Kind(
            "qualifications",
            "qualification",
            "qualifications",
            "qualifications",
            ProfileQualification,
            "qualification",
        ),
    ]
}

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


def _lock_draft(profile):
    profile = RoleProfile.objects.select_for_update().get(pk=profile.pk)
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
    profile = _lock_draft(profile)
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


def _renumber(links):
    """Positions 0..n-1 in the current order; returns the links in order."""
    links = list(links)
    for position, link in enumerate(links):
        if link.position != position:
            link.position = position
            link.save(update_fields=["position"])
    return links


@transaction.atomic
def add_item(*, profile, kind, item, depth="", level=None):
    profile = _lock_draft(profile)
    links = kind.links(profile)
    if links.filter(**{kind.field: item}).exists():
        raise ValidationError(f"'{item}' is already in this profile.")
    link = kind.link_model(profile=profile, position=links.count(), **{kind.field: item})
    return _save_link(profile, kind, link, depth=depth, level=level)


def _save_link(profile, kind, link, *, depth, level):
    """Set a link's depth or level, check it (a level on the skill's scale),
    save it, and mark the profile changed."""
    if kind.attribute == "depth":
        link.depth = depth or ""
    elif kind.attribute == "level":
        link.level = level
    link.full_clean()
    link.save()
    profile.save(update_fields=["updated_at"])
    return link


def _link(profile, kind, link_id):
    link = kind.links(profile).filter(pk=link_id).first()
    if link is None:
        raise ValidationError(f"That {kind.label} is no longer in this profile.")
    return link


@transaction.atomic
def create_item(*, kind, title, details="", item_type="", awarding_body=""):
    """A new catalogue item, or the existing one with exactly this text."""
    model = kind.item_model
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
def move_item(*, profile, kind, link_id, offset, seen_position=None):
    """Move a link up (offset -1) or down (+1) the profile's list.

    `seen_position` is where the person saw it: if the list changed since,
    the move is refused rather than applied to a list they have not seen."""
    profile = _lock_draft(profile)
    links = _renumber(kind.links(profile).order_by("position", "id"))
    index = next((i for i, link in enumerate(links) if link.pk == link_id), None)
    if index is None:
        raise ValidationError(f"That {kind.label} is no longer in this profile.")
    if seen_position is not None and seen_position != index:
        raise ValidationError(
            f"The {kind.plural} were reordered while you were looking; check the order and "
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
def change_item(*, profile, kind, link_id, depth="", level=None, seen=None):
    """Change a link's depth or level. `seen` is the value the person saw
    (a depth, or a level's id): if someone changed it since, nothing is
    overwritten and the error says what it is now."""
    profile = _lock_draft(profile)
    link = _link(profile, kind, link_id)
    now = link.depth if kind.attribute == "depth" else link.level_id
    if seen is not None and str(seen) != str(now):
        shown = link.get_depth_display() or "no depth" if kind.attribute == "depth" else link.level
        raise ValidationError(
            f"Someone changed the {kind.attribute} of ‘{getattr(link, kind.field)}’ to "
            f"{shown} while you were looking; nothing was overwritten."
        )
    return _save_link(profile, kind, link, depth=depth, level=level)


@transaction.atomic
def remove_item(*, profile, kind, link_id):
    profile = _lock_draft(profile)
    _link(profile, kind, link_id).delete()
    _renumber(kind.links(profile).order_by("position", "id"))
    profile.save(update_fields=["updated_at"])


def document_fingerprint(document):
    """A short fingerprint of a profile's content, to tell whether it changed
    between a preview (or a confirmation page) and its confirmation."""
    if document is None:
        return ""
    text = json.dumps(document, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def draft_fingerprint(slug):
    """The fingerprint of the profile with this slug now ('' if none)."""
    profile = RoleProfile.objects.filter(slug=slug).first()
    return document_fingerprint(profile_document(profile) if profile else None)


@dataclass
class Preview:
    action: str
    slug: str
    summary: str
    fingerprint: str  # of the profile as it was when previewed
    differences: object = None  # a DocumentDiff against the current content
    unpublished: bool = False  # the import replaces changes never published


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
                    and not _same_as_latest_version(existing, before)
                    and existing.versions.exists()
                )
                fingerprint = document_fingerprint(before)
                (result,) = import_profiles([source])
                after = profile_document(result.profile)
                previews.append(
                    Preview(
                        action=result.action,
                        slug=slug,
                        summary=result.summary(),
                        fingerprint=fingerprint,
                        differences=diff_documents(before, after) if before else None,
                        unpublished=unpublished,
                    )
                )
            raise _Rollback
    except _Rollback:
        pass
    return previews


class _Rollback(Exception):
    pass
