"""What an appraisal rates, copied from a frozen profile version.

A published version's role-profile/1 document holds the texts; this module
turns its work activities, knowledge items and organisation skills into
Requirement rows with their frozen scales, and finds each row's catalogue
item (by the same identity the catalogue uses), all in a fixed number of
queries for any number of versions.

Scales, each a list of {"rank", "name", "description"}:
- an organisation skill: its framework's levels, each with the skill's
  description at that level (the required level's from the version itself);
- a knowledge item with a depth: the four depths;
- a knowledge item without one (behavioural) and a work activity: the
  performance scale (models.PerformanceRating).
"""

from collections import defaultdict

from django.db import connections

from appraisals.models import Appraisal, PerformanceRating, Requirement
from competency.models import (
    Depth,
    KnowledgeItem,
    Level,
    Skill,
    SkillLevel,
    WorkActivity,
    fingerprint,
)

DEPTH_SCALE = [
    {"rank": Depth.rank(value), "name": label, "description": ""} for value, label in Depth.choices
]
PERFORMANCE_SCALE = [
    {"rank": value, "name": label, "description": ""} for value, label in PerformanceRating.choices
]


def requirement_templates(documents):
    """{version id: [field values of each Requirement, in order]} for the
    given {version id: document}."""
    documents = dict(documents)
    catalogue = _Catalogue(documents.values())
    return {
        pk: [{**row, "position": n} for n, row in enumerate(_rows(document, catalogue))]
        for pk, document in documents.items()
    }


class TemplateTable:
    """Every version's requirement rows, written once into a temporary table
    of the connection, so that each batch of new appraisals gets its
    requirements in one INSERT … SELECT done by the database.

    Opening a cycle for 10,000 people writes ~400,000 requirement rows, the
    same forty or so for everyone with the same version: built as model
    instances and sent as parameters, they cost most of a minute in Python;
    copied by the database from a few thousand template rows, seconds.
    A context manager: the table is dropped on the way out (and any left by
    an earlier failure on a kept connection is replaced)."""

    NAME = "appraisals_requirement_template"

    def __init__(self, templates, using="default"):
        self.templates = templates
        self.connection = connections[using]
        quote = self.connection.ops.quote_name
        self.fields = [
            field
            for field in Requirement._meta.concrete_fields
            if not field.primary_key and field.name != "appraisal"
        ]
        self.columns = ", ".join(quote(field.column) for field in self.fields)
        self.table = quote(self.NAME)

    def __enter__(self):
        quote = self.connection.ops.quote_name
        requirement = quote(Requirement._meta.db_table)
        appraisal = quote(Requirement._meta.get_field("appraisal").column)
        connection = self.connection
        # ~12,000 template rows of ~17 columns for 300 versions: each
        # distinct value is prepared for the database once (a scale is a
        # list, told apart by identity: the depths and the performance
        # scale are shared by every row of their kind), not once a cell.
        prepared = {}

        def prepare(field, value):
            key = (field.attname, id(value) if isinstance(value, list | dict) else value)
            found = prepared.get(key)
            if found is None:
                # The value is kept with its preparation, so that an id is
                # not reused by another list while the rows are built.
                found = prepared[key] = (value, field.get_db_prep_save(value, connection))
            return found[1]

        defaults = {field.attname: field.get_default() for field in self.fields}
        rows = [
            [
                version_id,
                *(
                    prepare(field, values.get(field.attname, defaults[field.attname]))
                    for field in self.fields
                ),
            ]
            for version_id, version_rows in self.templates.items()
            for values in version_rows
        ]
        with self.connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {self.table}")
            # The same columns and types as the requirements' table (no
            # constraints: CREATE TABLE … AS copies none), the version's id
            # where the appraisal's will go.
            cursor.execute(
                f"CREATE TEMPORARY TABLE {self.table} AS SELECT {appraisal} AS version_id, "
                f"{self.columns} FROM {requirement} WHERE 1 = 0"
            )
            width = len(self.fields) + 1
            # SQLite takes at most 999 parameters a statement; PostgreSQL 65,535.
            size = max(1, (self.connection.features.max_query_params or 30_000) // width)
            marks = f"({', '.join(['%s'] * width)})"
            for start in range(0, len(rows), size):
                batch = rows[start : start + size]
                cursor.execute(
                    f"INSERT INTO {self.table} (version_id, {self.columns}) "
                    f"VALUES {', '.join([marks] * len(batch))}",
                    [value for row in batch for value in row],
                )
            # Each batch then reads its appraisals by id and their versions'
            # rows in order from this index: without it (and without the
            # statistics), PostgreSQL hashed the whole table and sorted the
            # batch's wide rows on disk (a 12 MB sort per 500 appraisals).
            cursor.execute(
                f"CREATE INDEX {quote(self.NAME + '_version')} "
                f"ON {self.table} (version_id, {quote('position')})"
            )
            cursor.execute(f"ANALYZE {self.table}")
        return self

    def copy_into(self, appraisals):
        """Write the requirements of these new appraisals, from their
        versions' templates, in one statement."""
        if not appraisals:
            return
        quote = self.connection.ops.quote_name
        table = quote(Requirement._meta.db_table)
        appraisal_column = quote(Requirement._meta.get_field("appraisal").column)
        appraisals_table = quote(Appraisal._meta.db_table)
        version = quote(Appraisal._meta.get_field("profile_version").column)
        template_columns = ", ".join(f"t.{quote(field.column)}" for field in self.fields)
        ids = [appraisal.pk for appraisal in appraisals]
        if self.connection.vendor == "postgresql":
            # One array: read by the primary key's index in id order, so
            # that the rows need sorting only by position within each
            # appraisal (an incremental sort, in memory).
            chosen, parameters = "a.id = ANY(%s)", [ids]
        else:
            chosen, parameters = f"a.id IN ({', '.join(['%s'] * len(ids))})", ids
        with self.connection.cursor() as cursor:
            # In id order, then position: an appraisal's rows side by side
            # in the table, as its pages read them.
            cursor.execute(
                f"INSERT INTO {table} ({appraisal_column}, {self.columns}) "
                f"SELECT a.id, {template_columns} FROM {appraisals_table} a "
                f"JOIN {self.table} t ON t.version_id = a.{version} "
                f"WHERE {chosen} ORDER BY a.id, t.{quote('position')}",
                parameters,
            )

    def __exit__(self, error_type, *exc):
        if error_type is not None:
            # The transaction rolls back, and the table's creation with it
            # (both databases' DDL is transactional); after a database error
            # PostgreSQL would take no more statements anyway.
            return
        with self.connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {self.table}")


def _rows(document, catalogue):
    for row in document.get("work_activities", []):
        yield {
            "kind": Requirement.Kind.WORK_ACTIVITY,
            "title": row["title"],
            "details": row["details"],
            "required_label": "",
            "required_rank": None,
            "scale": PERFORMANCE_SCALE,
            "work_activity_id": catalogue.activities.get(fingerprint(row["title"], row["details"])),
        }
    for row in document.get("knowledge_skills", []):
        depth = row.get("depth")
        behavioural = row["type"] == KnowledgeItem.Kind.BEHAVIOURAL
        yield {
            "kind": Requirement.Kind.BEHAVIOURAL
            if behavioural and not depth
            else Requirement.Kind.KNOWLEDGE,
            "title": row["title"],
            "details": row["details"],
            "required_label": Depth(depth).label if depth else "",
            "required_rank": Depth.rank(depth) if depth else None,
            "scale": DEPTH_SCALE if depth else PERFORMANCE_SCALE,
            "knowledge_item_id": catalogue.knowledge.get(
                fingerprint(row["type"], row["title"], row["details"])
            ),
        }
    for row in document.get("organisation_skills", []):
        skill_id = catalogue.skills.get((row["framework"], row["category"], row["skill"]))
        yield {
            "kind": Requirement.Kind.ORGANISATION_SKILL,
            "group": f"{row['framework']} » {row['category']}",
            "title": row["skill"],
            "details": row["description"],
            "required_label": f"{row['level']} – {row['level_name']}",
            "required_rank": row["level"],
            "scale": catalogue.skill_scale(skill_id, row),
            "skill_id": skill_id,
        }


class _Catalogue:
    """The catalogue ids and level texts the documents name, read at once."""

    def __init__(self, documents):
        documents = list(documents)
        activity_keys = {
            fingerprint(row["title"], row["details"])
            for document in documents
            for row in document.get("work_activities", [])
        }
        knowledge_keys = {
            fingerprint(row["type"], row["title"], row["details"])
            for document in documents
            for row in document.get("knowledge_skills", [])
        }
        skill_rows = [
            row for document in documents for row in document.get("organisation_skills", [])
        ]
        self.activities = (
            dict(WorkActivity.objects.filter(key__in=activity_keys).values_list("key", "pk"))
            if activity_keys
            else {}
        )
        self.knowledge = (
            dict(KnowledgeItem.objects.filter(key__in=knowledge_keys).values_list("key", "pk"))
            if knowledge_keys
            else {}
        )
        self.skills, self.levels, self.texts = {}, defaultdict(list), {}
        if not skill_rows:
            return
        wanted = {(row["framework"], row["category"], row["skill"]) for row in skill_rows}
        for pk, framework, category, name in Skill.objects.filter(
            name__in={name for _, _, name in wanted},
            category__framework__name__in={framework for framework, _, _ in wanted},
        ).values_list("pk", "category__framework__name", "category__name", "name"):
            if (framework, category, name) in wanted:
                self.skills[(framework, category, name)] = pk
        for framework, rank, name in (
            Level.objects.filter(framework__name__in={framework for framework, _, _ in wanted})
            .values_list("framework__name", "rank", "name")
            .order_by("framework__name", "rank")
        ):
            self.levels[framework].append((rank, name))
        self.texts = {
            (skill, rank): text
            for skill, rank, text in SkillLevel.objects.filter(
                skill__in=self.skills.values()
            ).values_list("skill", "level__rank", "description")
        }

    def skill_scale(self, skill_id, row):
        """The framework's levels with the skill's text at each; the
        required level says what the version said."""
        levels = self.levels.get(row["framework"]) or [(row["level"], row["level_name"])]
        return [
            {
                "rank": rank,
                "name": name,
                "description": row["level_description"]
                if rank == row["level"]
                else self.texts.get((skill_id, rank), ""),
            }
            for rank, name in levels
        ]
