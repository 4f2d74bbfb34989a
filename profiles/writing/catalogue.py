"""Catalogue matching: the catalogue items a document names, found by their
texts or made, each kind in one query per batch. A shared text that an
import would change in every profile using it is held back unless the
import says to change it (SharedText)."""

from dataclasses import dataclass

from django.db import IntegrityError, router, transaction
from django.db.models import Value

from competency.history import bulk_create, bulk_update
from competency.models import (
    AwardingBody,
    Category,
    Component,
    KnowledgeItem,
    Qualification,
    Skill,
    SkillLevel,
    fingerprint,
)
from profiles.fingerprints import forget
from profiles.models import JobFamily, ProfileSkill, RoleProfile
from profiles.sections import BY_KEY, SECTIONS


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


def _component_key(section, row):
    return fingerprint(*section.new_item(row).identity())


def _find_or_create(model, wanted, known, key, **where):
    """Create the rows `wanted` (key: unsaved row) in bulk with their
    history, or, where another import created some of them meanwhile (its
    transaction held ours on the unique index until it committed), use
    those. A row's key is its values of the fields `key` names (one field:
    the value itself); `where` narrows the look-up. Adds the rows to
    `known` (key: row) and returns the keys created here."""
    if not wanted:
        return set()
    ordered = [wanted[k] for k in sorted(wanted)]  # one order: no crosswise waits
    try:
        with transaction.atomic():
            bulk_create(model, ordered)
        known.update(wanted)
        return set(wanted)
    except IntegrityError:
        found = _rows_by_key(model, key, list(wanted), where)
        rest = {k: row for k, row in wanted.items() if k not in found}
        for row in rest.values():
            row.pk = None
            row._state.adding = True
        bulk_create(model, [rest[k] for k in sorted(rest)])
        known.update(found)
        known.update(rest)
        return set(rest)


def _rows_by_key(model, key, keys, where):
    """The rows of `model` with these keys (see _find_or_create), by key."""
    if len(key) == 1:
        (field,) = key
        return {
            getattr(row, field): row
            for row in model.objects.filter(**where, **{f"{field}__in": keys})
        }
    lookups = {f"{field}__in": {k[i] for k in keys} for i, field in enumerate(key)}
    rows = model.objects.filter(**where, **lookups)
    return {tuple(getattr(row, field) for field in key): row for row in rows}


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
        _find_or_create(AwardingBody, missing, self.bodies, ("name",))
        keys = [(row["title"], self.bodies[row["awarding_body"]].pk) for row in rows]
        missing = {
            (title, body): Qualification(title=title, awarding_body_id=body)
            for title, body in keys
            if (title, body) not in self.qualification_rows
        }
        created = _find_or_create(
            Qualification, missing, self.qualification_rows, ("title", "awarding_body_id")
        )
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
        policy,
        later=None,
    ):
        """Find or create the framework skills, and bring their texts up to
        the file's where nobody else shows them. Skill texts belong to the
        framework: a text that other profiles show changes only when the
        person chose to update it everywhere (`policy.update_shared`;
        published versions keep the
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
        _find_or_create(Category, missing, self.categories, ("framework_id", "name"), parent=None)

        def skill_key(row, level):
            return (self.categories[(level.framework_id, row["category"])].pk, row["skill"])

        missing = {}
        for row, level in pairs:
            key = skill_key(row, level)
            if key not in self.skill_rows and key not in missing:
                missing[key] = Skill(
                    category_id=key[0], name=row["skill"], description=row["description"]
                )
        _find_or_create(Skill, missing, self.skill_rows, ("category_id", "name"))
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
        _find_or_create(SkillLevel, missing, self.skill_levels, ("skill_id", "level_id"))
        if not policy.update_catalogue:
            return skills

        if policy.update_shared:
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
                    SharedText(
                        skill.name, what, target.description, new, profiles, policy.update_shared
                    )
                )
                if not policy.update_shared:
                    continue
            target.description = new
            changed[type(target)].append(target)
        for model, targets in changed.items():
            bulk_update(model, targets, ["description"])
        # In bulk, without the signals: the documents showing these texts
        # changed, so their fingerprints are not known (profiles.fingerprints).
        rewritten = {s.pk for s in changed[Skill]} | {t.skill_id for t in changed[SkillLevel]}
        if rewritten:
            forget(
                RoleProfile.objects.filter(
                    pk__in=ProfileSkill.objects.filter(skill__in=rewritten).values("profile")
                )
            )
        return skills
