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

from appraisals.models import PerformanceRating, Requirement
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


def build_requirements(appraisal, templates):
    return [Requirement(appraisal=appraisal, **fields) for fields in templates]


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
