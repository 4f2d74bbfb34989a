"""The role-profile/1 interchange document: building one from a profile and
checking one against the schema.

The schema file is the project's copy of ../shared/schema (a test keeps the
two identical), so the application does not depend on a folder outside it.
"""

import json
from functools import cache
from pathlib import Path

from jsonschema import Draft202012Validator

SCHEMA_NAME = "role-profile/1"
SCHEMA_PATH = Path(__file__).resolve().parent / "schema" / "role-profile.schema.json"


@cache
def validator():
    return Draft202012Validator(json.loads(SCHEMA_PATH.read_text(encoding="utf-8")))


def schema_errors(document):
    """The document's schema errors, shallowest first, as (json path, message)."""
    errors = sorted(validator().iter_errors(document), key=lambda e: (len(e.path), e.json_path))
    return [(error.json_path, error.message) for error in errors]


def profile_document(profile, *, version=None):
    """The role-profile/1 document of a profile's current content.

    Reads the links in at most seven queries, whatever the profile's size."""
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
        "work_activities": [
            {"title": link.activity.title, "details": link.activity.details}
            for link in profile.work_activity_links.select_related("activity")
        ],
        "knowledge_skills": [
            {
                "title": link.item.title,
                "depth": link.depth or None,
                "details": link.item.details,
                "type": link.item.kind,
            }
            for link in profile.knowledge_links.select_related("item")
        ],
        "training": [
            {"title": link.training.title, "details": link.training.details}
            for link in profile.training_links.select_related("training")
        ],
        "pdas": [
            {"title": link.activity.title, "details": link.activity.details}
            for link in profile.pda_links.select_related("activity")
        ],
        "qualifications": [
            {
                "title": link.qualification.title,
                "awarding_body": link.qualification.awarding_body.name,
            }
            for link in profile.qualification_links.select_related("qualification__awarding_body")
        ],
        "organisation_skills": _organisation_skills(profile),
        "source": profile.source or None,
    }


def _organisation_skills(profile):
    from competency.models import SkillLevel

    links = list(profile.skill_links.select_related("skill__category__framework", "level"))
    level_texts = {
        (row.skill_id, row.level_id): row.description
        for row in SkillLevel.objects.filter(
            skill__in=[link.skill_id for link in links],
            level__in={link.level_id for link in links},
        )
    }
    return [
        {
            "framework": link.skill.category.framework.name,
            "category": link.skill.category.name,
            "skill": link.skill.name,
            "description": link.skill.description,
            "level": link.level.rank,
            "level_name": link.level.name,
            "level_description": level_texts.get((link.skill_id, link.level_id), ""),
        }
        for link in links
    ]


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
