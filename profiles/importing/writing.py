"""Write checked role-profile/1 documents as drafts, and preview doing so.

Every import is all or nothing. A preview is the same import rolled back,
so it can never disagree with the real one; what the person saw (the
profile's fingerprint then) travels to the confirmation and is compared
under the row lock before anything is written.
"""

from dataclasses import dataclass, field
from types import SimpleNamespace

from django.db import IntegrityError, router, transaction
from django.db.models import Value

from competency.history import bulk_create, bulk_delete, bulk_update, record_created
from competency.models import (
    AwardingBody,
    Category,
    Component,
    Framework,
    KnowledgeItem,
    Level,
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
    search_text,
)
from profiles.importing.reading import ProfileImportError, ProfileInput
from profiles.models import JobFamily, ProfileSkill, RoleProfile
from profiles.search import add_known_words
from profiles.sections import BY_KEY, SECTIONS, max_length

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
    list), only from the text the person saw.

    Every file is checked before anything is written; then the profiles'
    rows are locked and the catalogue items the whole batch names are looked
    up together, so the queries do not grow with the number of items."""
    inputs = list(inputs)
    with transaction.atomic():
        docs = [normalised(source.document) for source in inputs]
        for source, doc in zip(inputs, docs, strict=True):
            _check_lengths(source, doc)
            _check_duplicates(source, doc)
        frameworks = _frameworks(docs)
        levels = [
            resolve_levels(source, doc, frameworks)
            for source, doc in zip(inputs, docs, strict=True)
        ]
        locked = _lock_profiles({doc["slug"] for doc in docs})
        catalogue = Catalogue(docs, levels)
        later = Later(user, confirmed=confirmed is not None)
        results = [
            _import_one(
                source,
                doc,
                doc_levels,
                catalogue,
                locked,
                later,
                publish=publish,
                user=user,
                confirmed=(confirmed or {}).get(doc["slug"]),
                update_shared_texts=update_shared_texts,
                confirmed_shared=(confirmed_shared or {}).get(doc["slug"]),
            )
            for source, doc, doc_levels in zip(inputs, docs, levels, strict=True)
        ]
        later.write()
        return results


class Later:
    """What a batch's new profiles write once for the whole batch, at its
    end: their links (one INSERT per section and one of their history,
    whatever the number of profiles), the profiles' own audit records (one
    INSERT), their words for "Did you mean" (one INSERT) and, when the
    batch publishes, their first versions (lifecycle.publish_created: three
    queries). Nothing reads a new profile's links, records or versions
    before the batch ends, except a later file of the batch with the same
    slug, which writes what is pending first (`write()`)."""

    def __init__(self, user=None, *, confirmed=False):
        self.user, self.confirmed = user, confirmed
        self.items, self.links, self.texts, self.published, self.created = {}, {}, [], [], []

    def add_items(self, model, items):
        """New catalogue items the batch's new profiles name: their links
        hold the instances, which have their ids once written."""
        self.items.setdefault(model, []).extend(items)

    def add_links(self, model, rows):
        self.links.setdefault(model, []).extend(rows)

    def publish(self, result, *, checked):
        """Publish the profile a result created, as written (its document):
        `checked` when that is the file's own document, which was checked
        against the schema when it was read."""
        self.published.append((result, checked))

    def write(self):
        try:
            # In one order (the sections', as a single import writes them, then
            # by key), so two imports never wait on each other crosswise.
            kinds = [section.item_model for section in SECTIONS]
            for model in sorted(self.items, key=kinds.index):
                bulk_create(model, sorted(self.items[model], key=lambda item: item.key))
        except IntegrityError as exc:
            # Another import created one of the same items after we looked
            # (its transaction held ours on the unique key until it committed).
            if self.confirmed:
                raise ChangedSinceConfirmed(CHANGED_MESSAGE) from exc
            raise ProfileImportError(
                "another import added the same catalogue items at the same time; try again"
            ) from exc
        for model, rows in self.links.items():
            bulk_create(model, rows)
        record_created(RoleProfile, self.created)
        if self.published:
            versions = lifecycle.publish_created(
                [(result.profile, result.document, checked) for result, checked in self.published],
                user=self.user,
            )
            for (result, _), version in zip(self.published, versions, strict=True):
                result.version = version
        # Profiles share most lines (the catalogue's texts): each is split
        # into words once.
        lines = dict.fromkeys(line for text in self.texts for line in text.split("\n"))
        add_known_words("\n".join(lines))
        self.items, self.links, self.texts, self.published, self.created = {}, {}, [], [], []


def _lock_profiles(slugs):
    """The existing profiles of these slugs, their rows locked (in one
    order, so two batches never wait on each other crosswise)."""
    rows = (
        RoleProfile.objects.select_for_update(of=("self",))
        .select_related("job_family")
        .filter(slug__in=slugs)
        .order_by("pk")
    )
    return {profile.slug: profile for profile in rows}


def shared_fingerprint(shared):
    """A fingerprint of the shared texts an import would change: which, from
    what and to what."""
    rows = [[text.skill, text.what, text.current, text.new] for text in shared]
    return document_fingerprint(rows)


def _import_one(
    source: ProfileInput,
    doc,
    levels,
    catalogue,
    locked,
    later,
    *,
    publish=False,
    user=None,
    confirmed=None,
    update_shared_texts=False,
    confirmed_shared=None,
) -> ImportResult:
    """Create or update the draft of the profile with the document's slug
    (its row locked in `locked`, if it exists). Framework texts that other
    profiles show keep their current wording unless `update_shared_texts`;
    the result lists them either way."""
    profile = locked.get(doc["slug"])
    if profile is not None:
        later.write()  # an earlier file of the batch may have made it
    current = profile_document(profile) if profile is not None else None
    if confirmed is not None and document_fingerprint(current) != confirmed:
        raise ChangedSinceConfirmed(CHANGED_MESSAGE)
    if current is not None:
        family = doc["job_family"] or current["job_family"]
        if current == {**doc, "job_family": family, "version": None}:
            # Same content: leave the profile as it is, so importing twice
            # changes nothing (and publishes no empty version).
            result = ImportResult(
                profile=profile,
                action="unchanged",
                warnings=cut_off_texts(source, doc),
                document=current,
            )
            if publish and profile.is_draft:
                result.version = _publish(profile, doc, current, user=user)
            return result

    result = ImportResult(
        profile=profile,
        action="updated" if profile else "created",
        warnings=cut_off_texts(source, doc),
    )
    if profile is None:
        profile = RoleProfile(slug=doc["slug"])
    result.profile = profile
    # No savepoint: any error here ends the whole batch's transaction.
    try:
        result.document = write_content(
            profile,
            doc,
            levels,
            result,
            catalogue=catalogue,
            current=current,
            update_shared=update_shared_texts,
            later=later,
        )
    except IntegrityError as exc:
        # Another import created the same slug (or catalogue item) after we looked.
        if confirmed is not None:
            raise ChangedSinceConfirmed(CHANGED_MESSAGE) from exc
        raise source.error(
            "$.slug", f"another import wrote '{doc['slug']}' at the same time; try again"
        ) from exc
    # The shared texts were read under their rows' locks: changing them
    # from anything but what the person saw would overwrite a colleague's
    # edition unseen.
    if confirmed_shared is not None and shared_fingerprint(result.shared) != confirmed_shared:
        raise ChangedSinceConfirmed(CHANGED_MESSAGE)
    # A later file of the batch with the same slug updates this one.
    locked[doc["slug"]] = profile
    if publish and current is None:
        later.publish(result, checked=result.document == {**doc, "version": None})
    elif publish:
        result.version = _publish(profile, doc, result.document, user=user)
    return result


def _publish(profile, doc, written, *, user):
    """Publish what the import wrote to a profile that existed (`written`,
    its document now) unless its latest version says the same; returns the
    version or None. (A profile the batch created is published by Later.)

    `doc` is the file's document, which read_profile checked against the
    schema (a ProfileInput holds a checked document): when the profile
    says exactly that, it is not checked a second time."""
    return lifecycle.publish_written(
        profile=profile,
        document=written,
        latest=profile.latest_version(),
        checked=written == {**doc, "version": None},
        user=user,
    )


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


def _frameworks(docs):
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
        frameworks = _frameworks([doc])
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
    "updated_at",
]


def write_content(
    profile,
    doc,
    levels,
    result,
    *,
    catalogue=None,
    current=None,
    update_catalogue=True,
    update_shared=False,
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
                update_catalogue=update_catalogue,
                update_shared=update_shared,
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
    if deferred is not None:
        # Its audit record is written with the batch's (Later.write).
        profile.save_without_historical_record()
        later.created.append(profile)
        later.texts.append(profile.search_text)
    else:
        profile.save(update_fields=None if new else CONTENT_FIELDS)
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


def _component_key(section, row):
    return fingerprint(*section.new_item(row).identity())


def _get_or_create_all(model, wanted, fetch):
    """Create the rows `wanted` (key: unsaved row) in bulk with their
    history, or, where another import created some of them meanwhile (its
    transaction held ours on the unique index until it committed), use
    those. Returns (key: row, the keys created here)."""
    if not wanted:
        return {}, set()
    ordered = [wanted[key] for key in sorted(wanted)]  # one order: no crosswise waits
    try:
        with transaction.atomic():
            bulk_create(model, ordered)
        return dict(wanted), set(wanted)
    except IntegrityError:
        found = fetch(list(wanted))
        rest = {key: row for key, row in wanted.items() if key not in found}
        for row in rest.values():
            row.pk = None
            row._state.adding = True
        bulk_create(model, [rest[key] for key in sorted(rest)])
        return {**found, **rest}, set(rest)


# A library item's columns, as read for an import (knowledge items have a kind besides).
COMPONENT_COLUMNS = ("id", "title", "details", "key")


class Catalogue:
    """The catalogue items a batch of documents names, looked up for the
    whole batch at once (a query or two per kind, whatever the number of
    files and items), and created in bulk, with their history, as each
    profile in turn needs them: the first profile to name a new item
    creates it (with its texts) and counts it as new, later ones reuse it."""

    def __init__(self, docs, levels):
        self.docs, self.levels, self.loaded = docs, levels, False
        self.keys = {}

    def component_key(self, section, row):
        """The catalogue key of a document row's item, worked out once per row."""
        if id(row) not in self.keys:
            # The row is kept with its key, so that its id is not reused.
            self.keys[id(row)] = (row, _component_key(section, row))
        return self.keys[id(row)][1]

    def load(self):
        """Read what the batch names, once, when the first profile needs
        writing (a batch of unchanged files reads nothing)."""
        if self.loaded:
            return
        self.loaded = True
        docs, levels = self.docs, self.levels

        def rows(key):
            return [row for doc in docs for row in doc[key]]

        # The library's items of every kind in one query (a UNION of their
        # tables), each row made back into its kind's model.
        self.component_rows = {}
        lookups = []
        for section in SECTIONS:
            if section.catalogue is not None and section.key != "qualifications":
                self.component_rows[section.key] = {}
                keys = {self.component_key(section, row) for row in rows(section.key)}
                if keys:
                    lookups.append(
                        section.item_model.objects.filter(key__in=keys)
                        .order_by()
                        .values_list(
                            Value(section.key),
                            *COMPONENT_COLUMNS,
                            "kind" if section.item_model is KnowledgeItem else Value(""),
                        )
                    )
        if lookups:
            for key, *values in lookups[0].union(*lookups[1:], all=True):
                section = BY_KEY[key]
                names = COMPONENT_COLUMNS
                if section.item_model is KnowledgeItem:
                    names = (*names, "kind")
                item = section.item_model.from_db(
                    router.db_for_read(section.item_model), names, values[: len(names)]
                )
                self.component_rows[section.key][item.key] = item

        # Qualifications with their bodies in one query; bodies only named
        # with qualifications they do not have yet in a second one.
        wanted = rows("qualifications")
        self.bodies, self.qualification_rows = {}, {}
        if wanted:
            names = {row["awarding_body"] for row in wanted}
            for item in Qualification.objects.filter(
                awarding_body__name__in=names, title__in={row["title"] for row in wanted}
            ).select_related("awarding_body"):
                body = self.bodies.setdefault(item.awarding_body.name, item.awarding_body)
                self.qualification_rows[(item.title, body.pk)] = item
            if names - set(self.bodies):
                self.bodies.update(
                    (body.name, body)
                    for body in AwardingBody.objects.filter(name__in=names - set(self.bodies))
                )

        # Skills' texts at their levels, with their skills and categories,
        # in one query; only what that does not find (a category or skill
        # without that text yet) is looked for on its own.
        pairs = [
            (row, level)
            for doc, doc_levels in zip(docs, levels, strict=True)
            for row, level in zip(doc["organisation_skills"], doc_levels, strict=True)
        ]
        self.categories, self.skill_rows, self.skill_levels = {}, {}, {}
        if pairs:
            frameworks = {level.framework_id for _, level in pairs}
            category_names = {row["category"] for row, _ in pairs}
            skill_names = {row["skill"] for row, _ in pairs}
            for text in SkillLevel.objects.filter(
                skill__category__parent=None,
                skill__category__framework__in=frameworks,
                skill__category__name__in=category_names,
                skill__name__in=skill_names,
                level__in={level.pk for _, level in pairs},
            ).select_related("skill__category"):
                skill = self.skill_rows.setdefault(
                    (text.skill.category_id, text.skill.name), text.skill
                )
                category = self.categories.setdefault(
                    (skill.category.framework_id, skill.category.name), skill.category
                )
                skill.category = category
                self.skill_levels[(skill.pk, text.level_id)] = text
            if {(level.framework_id, row["category"]) for row, level in pairs} - set(
                self.categories
            ):
                self.categories.update(
                    ((category.framework_id, category.name), category)
                    for category in Category.objects.filter(
                        parent=None, framework__in=frameworks, name__in=category_names
                    )
                )
            wanted = {
                (self.categories[(level.framework_id, row["category"])].pk, row["skill"])
                for row, level in pairs
                if (level.framework_id, row["category"]) in self.categories
            }
            if wanted - set(self.skill_rows):
                self.skill_rows.update(
                    ((skill.category_id, skill.name), skill)
                    for skill in Skill.objects.filter(
                        category__in={category for category, _ in wanted - set(self.skill_rows)},
                        name__in=skill_names,
                    )
                )

        names = {doc["job_family"] for doc in docs if doc["job_family"]}
        self.families = (
            {family.name: family for family in JobFamily.objects.filter(name__in=names)}
            if names
            else {}
        )

    def job_family(self, name):
        self.load()
        if name not in self.families:
            self.families[name] = JobFamily.objects.for_name(name)
        return self.families[name]

    def components(self, section, rows, result, later=None):
        """Reuse catalogue items with the same text; create the others (or
        leave them to `later`, for a new profile of a batch)."""
        self.load()
        assert issubclass(section.item_model, Component)
        known = self.component_rows[section.key]
        keys = [self.component_key(section, row) for row in rows]
        new = {}
        for row, key in zip(rows, keys, strict=True):
            if key not in known and key not in new:
                new[key] = section.new_item(row)
                new[key].key = key
        if later is not None:
            later.add_items(section.item_model, new.values())
        else:
            bulk_create(section.item_model, [new[key] for key in sorted(new)])
        known.update(new)
        result.new_components += len(new)
        result.reused_components += len(rows) - len(new)
        return [known[key] for key in keys]

    def qualifications(self, rows, result):
        self.load()
        missing = {
            row["awarding_body"]: AwardingBody(name=row["awarding_body"])
            for row in rows
            if row["awarding_body"] not in self.bodies
        }
        found, _ = _get_or_create_all(
            AwardingBody,
            missing,
            lambda names: {body.name: body for body in AwardingBody.objects.filter(name__in=names)},
        )
        self.bodies.update(found)
        keys = [(row["title"], self.bodies[row["awarding_body"]].pk) for row in rows]
        missing = {
            (title, body): Qualification(title=title, awarding_body_id=body)
            for title, body in keys
            if (title, body) not in self.qualification_rows
        }
        found, created = _get_or_create_all(
            Qualification,
            missing,
            lambda keys: {
                (item.title, item.awarding_body_id): item
                for item in Qualification.objects.filter(
                    awarding_body__in={body for _, body in keys},
                    title__in={title for title, _ in keys},
                )
            },
        )
        self.qualification_rows.update(found)
        result.new_components += len(created)
        result.reused_components += len(rows) - len(created)
        items = [self.qualification_rows[key] for key in keys]
        # Each with its body in hand, for the document's rows.
        for item, row in zip(items, rows, strict=True):
            item.awarding_body = self.bodies[row["awarding_body"]]
        return items

    def skills(
        self,
        profile,
        rows,
        levels,
        result,
        *,
        update_catalogue=True,
        update_shared=False,
        later=None,
    ):
        """Find or create the framework skills, and bring their texts up to
        the file's where nobody else shows them. Skill texts belong to the
        framework: a text that other profiles show changes only when the
        person chose to update it everywhere (published versions keep the
        text they were published with either way); otherwise this profile
        shows the catalogue's current text. Either way the result lists it.
        Other profiles include the batch's new ones whose links `later`
        still holds."""
        self.load()
        if not rows:
            return []
        pairs = list(zip(rows, levels, strict=True))

        missing = {
            (level.framework_id, row["category"]): Category(
                framework_id=level.framework_id, parent=None, name=row["category"]
            )
            for row, level in pairs
            if (level.framework_id, row["category"]) not in self.categories
        }
        found, _ = _get_or_create_all(
            Category,
            missing,
            lambda keys: {
                (item.framework_id, item.name): item
                for item in Category.objects.filter(
                    parent=None,
                    framework__in={framework for framework, _ in keys},
                    name__in={name for _, name in keys},
                )
            },
        )
        self.categories.update(found)

        def skill_key(row, level):
            return (self.categories[(level.framework_id, row["category"])].pk, row["skill"])

        missing = {}
        for row, level in pairs:
            key = skill_key(row, level)
            if key not in self.skill_rows and key not in missing:
                missing[key] = Skill(
                    category_id=key[0], name=row["skill"], description=row["description"]
                )
        found, _ = _get_or_create_all(
            Skill,
            missing,
            lambda keys: {
                (item.category_id, item.name): item
                for item in Skill.objects.filter(
                    category__in={category for category, _ in keys},
                    name__in={name for _, name in keys},
                )
            },
        )
        self.skill_rows.update(found)
        skills = [self.skill_rows[skill_key(row, level)] for row, level in pairs]
        # Each with its category and framework in hand, for the document's rows.
        for skill, (row, level) in zip(skills, pairs, strict=True):
            category = self.categories[(level.framework_id, row["category"])]
            category.framework = level.framework
            skill.category = category

        missing = {
            (skill.pk, level.pk): SkillLevel(
                skill_id=skill.pk, level_id=level.pk, description=row["level_description"]
            )
            for (row, level), skill in zip(pairs, skills, strict=True)
            if (skill.pk, level.pk) not in self.skill_levels
        }
        found, _ = _get_or_create_all(
            SkillLevel,
            missing,
            lambda keys: {
                (item.skill_id, item.level_id): item
                for item in SkillLevel.objects.filter(
                    skill__in={skill for skill, _ in keys}, level__in={level for _, level in keys}
                )
            },
        )
        self.skill_levels.update(found)
        if not update_catalogue:
            return skills

        if update_shared:
            # Read under lock what is about to be rewritten for everyone.
            locked = (
                Skill.objects.select_for_update()
                .order_by("pk")
                .in_bulk([skill.pk for skill in skills])
            )
            for skill in skills:
                skill.description = locked[skill.pk].description
            locked = (
                SkillLevel.objects.select_for_update()
                .order_by("pk")
                .in_bulk(
                    [
                        self.skill_levels[(skill.pk, level.pk)].pk
                        for skill, level in zip(skills, levels, strict=True)
                    ]
                )
            )
            for text in locked.values():
                self.skill_levels[(text.skill_id, text.level_id)].description = text.description

        # A skill's description shows wherever the skill is used; a level's
        # description only where the skill is required at that level.
        differing = []
        for (row, level), skill in zip(pairs, skills, strict=True):
            text = self.skill_levels[(skill.pk, level.pk)]
            if skill.description != row["description"]:
                differing.append((skill, skill, "description", row["description"], None))
            if text.description != row["level_description"]:
                differing.append(
                    (skill, text, f"description at {level}", row["level_description"], level)
                )
        if not differing:
            return skills
        # Every use but this profile's own is another profile's (one query).
        uses = ProfileSkill.objects.filter(skill__in={skill.pk for skill, *_ in differing})
        if profile.pk is not None:  # (a profile being created has no uses yet)
            uses = uses.exclude(profile=profile)
        uses = list(uses.values_list("skill_id", "level_id", "profile__title", "profile__slug"))
        uses += [
            (link.skill_id, link.level_id, link.profile.title, link.profile.slug)
            for link in (later.links.get(ProfileSkill, []) if later is not None else [])
            if link.profile is not profile
        ]
        changed = {Skill: [], SkillLevel: []}
        for skill, target, what, new, level in differing:
            profiles = sorted(
                {
                    (title, slug)
                    for skill_id, level_id, title, slug in uses
                    if skill_id == skill.pk and (level is None or level_id == level.pk)
                }
            )
            if profiles:
                result.shared.append(
                    SharedText(skill.name, what, target.description, new, profiles, update_shared)
                )
                if not update_shared:
                    continue
            target.description = new
            changed[type(target)].append(target)
        for model, targets in changed.items():
            bulk_update(model, targets, ["description"])
        return skills


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
                after = result.document
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
