"""Bring whole frameworks in and out.

Three ways in, one way to write: a reader turns a file into FrameworkData
(plain Python, nothing written), then `apply_frameworks` compares it with
the catalogue and writes the difference in one transaction, reporting what
was added, changed, left alone and missing from the file. A preview is the
same run rolled back, so it can never disagree with the real import.

- `read_skills_table`: an organisation's own framework, CSV or XLSX, one row
  per skill level.
- `read_framework_json`: the framework/1 document that `export_framework`
  writes.
- The DDaT role table lives in profiles.importing.framework_import, because it also makes
  job families and role profiles.

Published profile versions keep the text they were published with (their
documents are frozen), so a new edition may update descriptions in place.
"""

import json
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from django.db import transaction
from django.db.backends.base.operations import BaseDatabaseOperations
from django.utils.text import slugify
from jsonschema import Draft202012Validator

from competency.history import bulk_create, bulk_update
from competency.json_input import UNSTORABLE, JSONInputError, load_json, unstorable_text
from competency.models import Category, Framework, Level, Skill, SkillLevel
from competency.tables import MAX_FILE, FileImportError, check_size, read_table

SCHEMA_PATH = Path(__file__).resolve().parent / "schema" / "framework.schema.json"


SCHEMA_NAME = "framework/1"


OGL_ATTRIBUTION = (
    "Contains public sector information from the Digital, Data and Technology "
    "Capability Framework, Crown copyright, licensed under the Open Government "
    "Licence v3.0 (https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/)."
)


# --- What a file says --------------------------------------------------------


@dataclass
class SkillData:
    path: tuple  # category names from the top of the tree down
    name: str
    description: str
    levels: dict = field(default_factory=dict)  # rank -> description
    row: int | None = None


# Far beyond any real framework's tree (DDaT has a few dozen), and a bound
# on the categories one file may make.
MAX_CATEGORIES = 5_000


@dataclass
class FrameworkData:
    name: str
    description: str = ""
    attribution: str = ""
    levels: dict = field(default_factory=dict)  # rank -> (name, description or None)
    skills: dict = field(default_factory=dict)  # (path, name) -> SkillData
    # Category paths in file order (a dict as an ordered set: a file may
    # name thousands, and each is looked up on every row).
    categories: dict = field(default_factory=dict)
    # Where each level came from, to point at the row of a conflict.
    level_rows: dict = field(default_factory=dict)
    name_in_file: str = ""

    def check_lengths(self, file):
        """Every name fits its column, so a long one is a clear error on
        every database (PostgreSQL would refuse it with a crash, SQLite
        would store it anyway)."""

        def check(text, model, what, row=None):
            limit = model._meta.get_field("name").max_length
            if len(text) > limit:
                raise FileImportError(
                    f"the {what} '{text[:40]}…' is {len(text)} characters long; "
                    f"at most {limit} fit",
                    name=file,
                    row=row,
                )

        if len(self.categories) > MAX_CATEGORIES:
            raise FileImportError(
                f"the framework '{self.name[:40]}' has {len(self.categories):,} categories; "
                f"at most {MAX_CATEGORIES:,} are taken (is a column shifted?)",
                name=file,
            )
        check(self.name, Framework, "framework name")
        for rank, (level_name, _) in self.levels.items():
            check(level_name, Level, "level name", self.level_rows.get(rank))
        for path in self.categories:
            check(path[-1], Category, "category name")
        for skill in self.skills.values():
            check(skill.name, Skill, "skill name", skill.row)

    def add_category(self, path):
        for depth in range(1, len(path) + 1):
            self.categories.setdefault(path[:depth], None)

    def add_skill(
        self, path, name, description, *, file, row, column="Skill description", json_path=None
    ):
        """Record a skill, refusing a second, different description of it."""
        self.add_category(path)
        skill = self.skills.get((path, name))
        if skill is None:
            skill = self.skills[(path, name)] = SkillData(path, name, description, row=row)
        elif skill.description != description:
            first = f" than in row {skill.row}" if skill.row else ""
            raise FileImportError(
                f"the skill '{name}' has another description here{first}; "
                "a skill has one description",
                name=file,
                row=row,
                column=None if json_path else column,
                path=json_path,
            )
        return skill

    def add_skill_level(self, skill, rank, description, *, file, row, column, json_path=None):
        known = skill.levels.get(rank)
        if known is not None and known != description:
            raise FileImportError(
                f"the skill '{skill.name}' has two different descriptions at level {rank}",
                name=file,
                row=row,
                column=None if json_path else column,
                path=json_path,
            )
        skill.levels[rank] = description


# --- An organisation's own framework: the skills table ----------------------

SKILLS_COLUMNS = [
    "Framework",
    "Category",
    "Subcategory",
    "Skill",
    "Skill description",
    "Level",
    "Level name",
    "Level description",
]


def read_skills_table(data: bytes, name: str, progress=iter) -> list[FrameworkData]:
    """One row per skill level; levels the scale lacks are made from the file."""
    frameworks = {}
    for row, cells in progress(read_table(data, name, SKILLS_COLUMNS)):
        for column in ("Framework", "Category", "Skill", "Level", "Level name"):
            if not cells[column]:
                raise FileImportError(f"'{column}' is empty", name=name, row=row, column=column)
        rank = _rank(cells["Level"], name=name, row=row)
        framework = frameworks.setdefault(
            cells["Framework"], FrameworkData(name=cells["Framework"])
        )
        level_name = cells["Level name"]
        known = framework.levels.get(rank)
        if known and known[0] != level_name:
            raise FileImportError(
                f"level {rank} is called '{known[0]}' in row {framework.level_rows[rank]} "
                f"and '{level_name}' here",
                name=name,
                row=row,
                column="Level name",
            )
        framework.levels[rank] = (level_name, None)
        framework.level_rows.setdefault(rank, row)
        path = tuple(part for part in (cells["Category"], cells["Subcategory"]) if part)
        skill = framework.add_skill(
            path, cells["Skill"], cells["Skill description"], file=name, row=row
        )
        framework.add_skill_level(
            skill,
            rank,
            cells["Level description"],
            file=name,
            row=row,
            column="Level description",
        )
    return list(frameworks.values())


# Level.rank is a PositiveSmallIntegerField: PostgreSQL stores it as a
# smallint and refuses anything larger (SQLite takes any size, which is how a
# rank of 40000 once passed the tests and failed in production).
MAX_RANK = BaseDatabaseOperations.integer_field_ranges[
    Level._meta.get_field("rank").get_internal_type()
][1]


def _rank(text, *, name, row):
    """The level number in a skills table's 'Level' cell."""
    expected = f"expected a whole number from 1 to {MAX_RANK:,}"
    shown = text if len(text) <= 20 else text[:20] + "…"
    try:
        rank = int(text)
    except ValueError as exc:  # not a number, or one of over 4,300 digits
        raise FileImportError(
            f"'{shown}' is not a level number; {expected}", name=name, row=row, column="Level"
        ) from exc
    if not 1 <= rank <= MAX_RANK:
        raise FileImportError(
            f"level {shown} is out of range; {expected}", name=name, row=row, column="Level"
        )
    return rank


# --- framework/1 JSON --------------------------------------------------------

# framework/1 nests two brackets per level of its category tree, and four
# more for a skill's levels: 32 allows a tree 13 deep, far beyond any real
# framework, and keeps schema validation and the walk below far from
# Python's recursion limit.
MAX_JSON_DEPTH = 32


@cache
def _validator():
    return Draft202012Validator(json.loads(SCHEMA_PATH.read_text(encoding="utf-8")))


def read_framework_json(data: bytes, name: str) -> list[FrameworkData]:
    try:
        check_size(data, name)
        document = load_json(data.decode("utf-8-sig"), max_depth=MAX_JSON_DEPTH, max_size=MAX_FILE)
    except UnicodeDecodeError as exc:
        raise FileImportError("the file is not UTF-8 text", name=name) from exc
    except JSONInputError as exc:
        raise FileImportError(exc.message, name=name) from exc
    except json.JSONDecodeError as exc:
        raise FileImportError(
            f"this is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})",
            name=name,
        ) from exc
    errors = sorted(_validator().iter_errors(document), key=lambda e: len(e.path))
    if errors:
        error = errors[0]
        message = f"does not match {SCHEMA_NAME}: {error.message}"
        if error.validator == "maximum" and list(error.path)[-1:] == ["rank"]:
            # The schema's bound is the column's (MAX_RANK), said in words.
            message = (
                f"rank {error.instance} is out of range; a level's rank is a whole number "
                f"from 1 to {MAX_RANK:,}"
            )
        raise FileImportError(message, name=name, path=error.json_path)
    if path := unstorable_text(document):
        raise FileImportError(UNSTORABLE, name=name, path=path)
    framework = FrameworkData(
        name=document["name"],
        description=document.get("description", ""),
        attribution=document.get("attribution", ""),
    )
    for index, level in enumerate(document["levels"]):
        if level["rank"] > MAX_RANK:
            raise FileImportError(
                f"rank {level['rank']} is out of range; a level's rank is a whole number "
                f"from 1 to {MAX_RANK:,}",
                name=name,
                path=f"$.levels[{index}].rank",
            )
        framework.levels[level["rank"]] = (level["name"], level.get("description", ""))

    def walk(categories, parent, json_path):
        for index, category in enumerate(categories):
            path = (*parent, category["name"])
            here = f"{json_path}[{index}]"
            framework.add_category(path)
            for skill_index, skill in enumerate(category.get("skills", [])):
                skill_path = f"{here}.skills[{skill_index}]"
                data = framework.add_skill(
                    path,
                    skill["name"],
                    skill.get("description", ""),
                    file=name,
                    row=None,
                    json_path=f"{skill_path}.description",
                )
                for level_index, level in enumerate(skill.get("levels", [])):
                    if level["rank"] not in framework.levels:
                        raise FileImportError(
                            f"level {level['rank']} is not on the framework's scale",
                            name=name,
                            path=f"{skill_path}.levels[{level_index}].rank",
                        )
                    framework.add_skill_level(
                        data,
                        level["rank"],
                        level.get("description", ""),
                        file=name,
                        row=None,
                        column=None,
                        json_path=f"{skill_path}.levels[{level_index}]",
                    )
            walk(category.get("categories", []), path, f"{here}.categories")

    walk(document["categories"], (), "$.categories")
    return [framework]


def export_framework(framework: Framework) -> dict:
    """The framework/1 document: scale, category tree, skills and level texts."""
    levels = list(framework.levels.order_by("rank"))
    rank_of = {level.pk: level.rank for level in levels}
    categories = list(framework.categories.order_by("name"))
    skills = defaultdict(list)
    for skill in Skill.objects.filter(category__framework=framework).order_by("name"):
        skills[skill.category_id].append(skill)
    skill_levels = defaultdict(list)
    for row in SkillLevel.objects.filter(skill__category__framework=framework).order_by(
        "level__rank"
    ):
        skill_levels[row.skill_id].append(row)
    children = defaultdict(list)
    for category in categories:
        children[category.parent_id].append(category)

    def tree(parent_id):
        return [
            {
                "name": category.name,
                "skills": [
                    {
                        "name": skill.name,
                        "description": skill.description,
                        "levels": [
                            {"rank": rank_of[row.level_id], "description": row.description}
                            for row in skill_levels[skill.pk]
                        ],
                    }
                    for skill in skills[category.pk]
                ],
                "categories": tree(category.pk),
            }
            for category in children[parent_id]
        ]

    return {
        "schema": SCHEMA_NAME,
        "name": framework.name,
        "description": framework.description,
        "attribution": framework.attribution,
        "levels": [
            {"rank": level.rank, "name": level.name, "description": level.description}
            for level in levels
        ],
        "categories": tree(None),
    }


# --- Writing: compare, then write the difference -----------------------------


@dataclass
class Tally:
    added: list = field(default_factory=list)
    changed: list = field(default_factory=list)
    unchanged: int = 0
    missing: list = field(default_factory=list)

    def line(self, label):
        parts = [
            f"{len(self.added)} added",
            f"{len(self.changed)} changed",
            f"{self.unchanged} unchanged",
        ]
        if self.missing:
            parts.append(f"{len(self.missing)} not in the new file")
        return f"  {label}: {', '.join(parts)}"


@dataclass
class FrameworkReport:
    framework: str
    created: bool = False
    levels: Tally = field(default_factory=Tally)
    skills: Tally = field(default_factory=Tally)
    skill_levels: Tally = field(default_factory=Tally)
    notes: list = field(default_factory=list)
    changed_skill_ids: list = field(default_factory=list)

    def lines(self):
        head = f"Framework {self.framework}: {'created' if self.created else 'updated'}"
        lines = [
            head,
            self.levels.line("levels"),
            self.skills.line("skills"),
            self.skill_levels.line("skill level descriptions"),
        ]
        lines += [f"    not in the new file: {name}" for name in self.skills.missing[:20]]
        if len(self.skills.missing) > 20:
            lines.append(f"    … and {len(self.skills.missing) - 20} more")
        lines += [f"  note: {note}" for note in self.notes]
        return lines


class _RollBack(Exception):
    """Raised inside the transaction to roll a preview back."""


def apply_frameworks(frameworks, *, name="", preview=False, progress=iter, extra=None, before=None):
    """Write frameworks (and, through `extra`, what depends on them) in one
    transaction. With preview=True nothing is kept; the reports say what an
    import would do.

    `before(frameworks)` is called with the file's frameworks that exist,
    their rows locked, before anything is written: it may raise to refuse
    (a confirmation that no longer holds)."""
    for data in frameworks:
        data.check_lengths(name)
    reports = []
    try:
        with transaction.atomic():
            existing = Framework.objects.select_for_update().filter(
                name__in=[data.name for data in frameworks]
            )
            if before is not None:
                before(list(existing.order_by("name")))
            for data in frameworks:
                reports.append(apply_framework(data, name=name, progress=progress))
            if extra is not None:
                reports.extend(extra())
            if preview:
                raise _RollBack
    except _RollBack:
        pass
    return reports


def apply_framework(data: FrameworkData, *, name="", progress=iter) -> FrameworkReport:
    framework = Framework.objects.select_for_update().filter(name=data.name).first()
    report = FrameworkReport(framework=data.name, created=framework is None)
    if framework is None:
        framework = Framework.objects.create(
            name=data.name,
            slug=_free_slug(data.name),
            description=data.description,
            attribution=data.attribution,
        )
    else:
        changed = []
        if data.description and framework.description != data.description:
            framework.description = data.description
            changed.append("description")
        if data.attribution and framework.attribution != data.attribution:
            framework.attribution = data.attribution
            changed.append("attribution")
        if changed:
            framework.save(update_fields=changed)

    scale = _apply_levels(framework, data, report, name)
    categories = _apply_categories(framework, data)
    skills = _apply_skills(framework, data, categories, report, progress)
    _apply_skill_levels(data, skills, scale, report, progress)
    return report


def _free_slug(name):
    base = slugify(name) or "framework"
    slug, n = base, 2
    while Framework.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def _apply_levels(framework, data, report, name):
    scale = {level.rank: level for level in framework.levels.all()}
    for rank, (level_name, description) in sorted(data.levels.items()):
        level = scale.get(rank)
        if level is None:
            scale[rank] = Level.objects.create(
                framework=framework, rank=rank, name=level_name, description=description or ""
            )
            report.levels.added.append(f"{rank} – {level_name}")
        elif level.name != level_name:
            raise FileImportError(
                f"level {rank} of {framework.name} is '{level.name}', but the file calls it "
                f"'{level_name}'",
                name=name,
                row=data.level_rows.get(rank),
                column="Level name" if data.level_rows else None,
            )
        elif description is not None and level.description != description:
            level.description = description
            level.save(update_fields=["description"])
            report.levels.changed.append(str(level))
        else:
            report.levels.unchanged += 1
    return scale


def _apply_categories(framework, data):
    """The category node for every path in the file, made where missing."""
    nodes = {}
    existing = {(c.parent_id, c.name): c for c in framework.categories.all()}
    for path in data.categories:
        parent = nodes.get(path[:-1]) if len(path) > 1 else None
        key = (parent.pk if parent else None, path[-1])
        node = existing.get(key)
        if node is None:
            node = existing[key] = Category.objects.create(
                framework=framework, parent=parent, name=path[-1]
            )
        nodes[path] = node
    return nodes


def _apply_skills(framework, data, categories, report, progress):
    existing = {
        (skill.category_id, skill.name): skill
        for skill in Skill.objects.filter(category__framework=framework).select_related("category")
    }
    seen = set()
    new, changed = [], []
    skills = {}
    for key, row in progress(data.skills.items()):
        category = categories[row.path]
        skill = existing.get((category.pk, row.name))
        seen.add((category.pk, row.name))
        if skill is None:
            skill = Skill(category=category, name=row.name, description=row.description)
            new.append(skill)
            report.skills.added.append(row.name)
        elif skill.description != row.description:
            skill.description = row.description
            changed.append(skill)
            report.skills.changed.append(row.name)
        else:
            report.skills.unchanged += 1
        skills[key] = skill
    _write(Skill, new, changed)
    report.skills.missing = sorted(
        f"{skill.category.name} – {skill.name}"
        for key, skill in existing.items()
        if key not in seen
    )
    report.changed_skill_ids = [skill.pk for skill in changed]
    return skills


def _apply_skill_levels(data, skills, scale, report, progress):
    skill_ids = [skill.pk for skill in skills.values()]
    existing = {
        (row.skill_id, row.level_id): row for row in SkillLevel.objects.filter(skill__in=skill_ids)
    }
    new, changed = [], []
    for key, row in progress(data.skills.items()):
        skill = skills[key]
        for rank, description in sorted(row.levels.items()):
            level = scale[rank]
            current = existing.get((skill.pk, level.pk))
            label = f"{row.name} at {level}"
            if current is None:
                new.append(SkillLevel(skill=skill, level=level, description=description))
                report.skill_levels.added.append(label)
            elif current.description != description:
                current.description = description
                changed.append(current)
                report.skill_levels.changed.append(label)
            else:
                report.skill_levels.unchanged += 1
    _write(SkillLevel, new, changed)


def _write(model, new, changed):
    """Insert and update in bulk, keeping the audit trail."""
    bulk_create(model, new)
    bulk_update(model, changed, ["description"])
