"""Where a person can grow: the next role level in their job family, what
its profile asks beyond theirs, and their readiness for it (the readiness
rules of appraisals/insight.py, the same as the managers' page).

"The next role level" comes from the data model: a role profile carries a
job family and a role level from the fixed ladder in profiles.models
(Apprentice, Junior, the unnamed level, Senior, Lead, Principal, Head of).
It is the lowest level above the person's own at which the job family has
a profile with a version in force; among the profiles at that level, the
one for the same role (its title without the level and the variant) and
variant comes first. Profiles and requirements are read from the versions
in force, never from drafts.
"""

import re
from dataclasses import dataclass, field

from appraisals import insight
from appraisals.insight import item_key
from appraisals.models import Requirement
from appraisals.requirements import requirement_templates
from profiles.models import ROLE_LEVELS, RoleProfile

# The ladder, lowest first; the level between Junior and Senior has no word
# of its own, and a profile with no level word is at it (as the profile
# form says).
LADDER = [*ROLE_LEVELS[:2], "", *ROLE_LEVELS[2:]]


def level_name(level):
    return level or "the level between Junior and Senior"


def role_of(title, level, variant):
    """A profile's role without its level and variant, lower case:
    "Senior DevOps Engineer – Management" → "devops engineer"."""
    text = title.strip()
    if level and text.lower().startswith(level.lower() + " "):
        text = text[len(level) + 1 :]
    if variant:
        text = re.sub(rf"\s*[-–—]\s*{re.escape(variant)}\s*$", "", text, flags=re.IGNORECASE)
    return " ".join(text.lower().split())


@dataclass
class NextLevel:
    """What the page says: why there is no next level (`reason`), or the
    level, the profile for it and the other profiles at that level."""

    current: RoleProfile | None
    reason: str = ""
    level: str | None = None
    profile: RoleProfile | None = None
    others: list = field(default_factory=list)

    @property
    def level_label(self):
        return level_name(self.level)


def next_level(person):
    """The next role level for `person` (one query beyond the person's
    profile, which the caller fetched with its version in force)."""
    profile = person.role_profile
    if profile is None:
        return NextLevel(None, "You have no role profile yet, so there is no next level to show.")
    if profile.published_version_id is None:
        return NextLevel(
            profile,
            f"Your role profile, {profile.title}, has no version in force, so there is no "
            "next level to show.",
        )
    # The level of the version in force (as published), the family of the
    # profile, as the managers' readiness page groups "other roles".
    level = profile.published_role_level
    if profile.job_family_id is None:
        return NextLevel(
            profile,
            f"Your role profile, {profile.published_title}, belongs to no job family, so "
            "there is no next level in one.",
        )
    if level not in LADDER:
        return NextLevel(
            profile,
            f"Your role profile's level, {level}, is not one of the role levels, so the "
            "next one cannot be told.",
        )
    above = LADDER[LADDER.index(level) + 1 :]
    if not above:
        return NextLevel(
            profile,
            f"You are at the highest role level, {level}, in {profile.job_family}.",
        )
    candidates = list(
        RoleProfile.objects.filter(
            job_family_id=profile.job_family_id,
            published_version__isnull=False,
            published_role_level__in=above,
        )
        .select_related("published_version")
        .order_by("published_title", "pk")
    )
    if not candidates:
        return NextLevel(
            profile,
            f"{profile.job_family} has no role profile in force above {level_name(level)}, so "
            "there is no next level to show yet.",
        )
    lowest = min(LADDER.index(p.published_role_level) for p in candidates)
    at_level = [p for p in candidates if LADDER.index(p.published_role_level) == lowest]
    own_role = role_of(profile.published_title, level, profile.variant)

    def closeness(candidate):
        return (
            role_of(candidate.published_title, candidate.published_role_level, candidate.variant)
            != own_role,
            candidate.variant != profile.variant,
        )

    at_level.sort(key=closeness)
    return NextLevel(profile, level=LADDER[lowest], profile=at_level[0], others=at_level[1:])


@dataclass
class Change:
    """A requirement of the next level's profile that is new, or asks a
    higher level than the person's own profile asks."""

    title: str
    kind_label: str
    now: str  # what the person's profile asks ("" when it does not ask it)
    next: str
    rises_by: int | None  # None: new at the next level


def changes(current_version, next_version):
    """The requirements that appear or rise from one version to the other,
    matched by catalogue item and kind, as readiness matches them; those
    with a level first (new before risen), then in the next profile's
    order. Two queries."""
    templates = requirement_templates(
        {current_version.pk: current_version.document, next_version.pk: next_version.document}
    )
    own = {}
    for row in templates[current_version.pk]:
        key = item_key(row["kind"], row)
        if key is not None:
            own.setdefault(key, row)
    kinds = dict(Requirement.Kind.choices)
    found = []
    for row in templates[next_version.pk]:
        key = item_key(row["kind"], row)
        mine = own.get(key) if key is not None else None
        if mine is None:
            rises = None
        elif (
            row["required_rank"] is not None and (mine["required_rank"] or 0) < row["required_rank"]
        ):
            rises = row["required_rank"] - (mine["required_rank"] or 0)
        else:
            continue
        found.append(
            Change(
                title=row["title"],
                kind_label=kinds[row["kind"]],
                now=mine["required_label"] if mine else "",
                next=row["required_label"],
                rises_by=rises,
            )
        )
    found.sort(key=lambda change: (change.next == "", change.rises_by is not None))
    return found


@dataclass
class Growth:
    next: NextLevel
    changes: list
    readiness: object  # insight.Readiness, or None without a next level


def growth(person):
    """Everything the person's growth page shows about the next level."""
    found = next_level(person)
    if found.profile is None:
        return Growth(found, [], None)
    target = found.profile.published_version
    return Growth(
        found,
        changes(person.role_profile.published_version, target),
        insight.readiness(person, target),
    )
