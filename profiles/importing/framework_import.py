"""Import a whole framework file: the one entry point for the command, the
upload page and the API, whatever the format.

The DDaT role table is read here rather than in the catalogue app because,
besides the framework's skills, it describes roles: each DDaT role becomes a
job family, and each role level a draft role profile with its organisation
skills at the levels the table gives. (A DDaT "role family", such as
Software Development, is the skills' category.)
"""

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from django.db import IntegrityError
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify

from competency.frameworks import (
    OGL_ATTRIBUTION,
    FrameworkData,
    FrameworkReport,
    apply_frameworks,
    export_framework,
    read_framework_json,
    read_skills_table,
)
from competency.history import bulk_create, bulk_delete, bulk_update
from competency.integrity import UNIQUE, Clash, described, kind, once_more
from competency.models import Framework, Skill
from competency.problems import ChangedProblem
from competency.tables import FileImportError, read_table
from profiles.fingerprints import forget_framework_users
from profiles.importing.published_text import split_title
from profiles.models import JobFamily, ProfileSkill, RoleProfile
from profiles.search import refresh_search_text

FORMATS = ["ddat-roles", "skills", "json"]

DDAT = "DDaT"
DDAT_LEVELS = ["Awareness", "Working", "Practitioner", "Expert"]
DDAT_COLUMNS = [
    "Role family",
    "Role",
    "Role description",
    "Role level",
    "Role level description",
    "Skill name",
    "Skill description",
    "Skill level",
    "Skill level description",
]


ROLE_LIMITS = {
    "Role": JobFamily._meta.get_field("name").max_length,
    "Role level": RoleProfile._meta.get_field("title").max_length,
}


@dataclass
class RoleLevel:
    title: str
    role: str
    role_description: str
    summary: str
    row: int
    skills: dict = field(default_factory=dict)  # (category path, skill name) -> rank


def guess_format(name):
    suffix = Path(name).suffix.lower()
    if suffix == ".json":
        return "json"
    if suffix == ".xlsx":
        return "skills"
    return None


CHANGED_MESSAGE = (
    "the catalogue changed after you checked the file, so nothing was imported; "
    "upload it again to see what the import would do now"
)


class FrameworkChanged(ChangedProblem, FileImportError):
    """The catalogue changed between a preview and its confirmation."""


@dataclass
class FrameworkImport:
    """What a framework import did (or, previewed, would do)."""

    lines: list  # the report, one line each
    # The draft role profiles it created or changed, as (title, slug).
    profiles: list = field(default_factory=list)
    # What the import was compared with: the frameworks' content and the
    # role profiles' last changes, as they were under the lock.
    fingerprint: str = ""

    def as_json(self):
        """What the API answers (FrameworkImportSerializer), for a preview
        or an import, in the request or in its background job's result."""
        return {
            "lines": self.lines,
            "profiles": [{"title": title, "slug": slug} for title, slug in self.profiles],
            "confirmed": self.fingerprint,
        }


def role_slugs(titles):
    """Each role level's profile slug, {title: slug}, unique within the
    table: titles that slug alike ("Level 0 role 1.10" and "Level 0 role
    11.0") get -2, -3... in the table's order, so the same table gives the
    same slugs each time it is imported."""
    slugs, taken = {}, set()
    for title in titles:
        base = slugify(title)
        slug, number = base, 2
        while slug in taken:
            slug, number = f"{base}-{number}", number + 1
        taken.add(slug)
        slugs[title] = slug
    return slugs


def catalogue_state(frameworks, role_titles=()):
    """A fingerprint of what a framework import would change: the whole
    content of the file's existing frameworks, and when each of its role
    profiles last changed. The profiles' rows are locked until the import
    ends, so that nobody publishes or edits one between this look and the
    import's write."""
    profiles = RoleProfile.objects.select_for_update(of=("self",)).filter(
        slug__in=role_slugs(role_titles).values()
    )
    state = {
        "frameworks": [export_framework(framework) for framework in frameworks],
        "profiles": [
            [slug, str(updated_at), status]
            for slug, updated_at, status in profiles.order_by("slug").values_list(
                "slug", "updated_at", "status"
            )
        ],
    }
    return hashlib.sha256(json.dumps(state, sort_keys=True).encode()).hexdigest()[:16]


PROFILE_PAGE = "import it on the role profile page (or with manage.py import_profile)"


def wrong_kind_for_framework(data: bytes):
    """Why this file belongs on the role profile import rather than here (a
    role-profile/1 document, or the text of a published profile page), or
    None. Only the start of the file is looked at."""
    head = data[:4096].decode("utf-8-sig", errors="replace").lstrip()
    if head.startswith("{") and '"schema":"role-profile/1"' in "".join(head.split()):
        return f"this is a role-profile/1 document, not a framework: {PROFILE_PAGE}"
    # A published page: a title, then the 'Summary' heading, then 'Background'.
    lines = [line.strip() for line in head.splitlines() if line.strip()]
    if len(lines) > 2 and lines[1] == "Summary" and "Background" in lines:
        return f"this looks like the text of a role profile page, not a framework: {PROFILE_PAGE}"
    return None


def import_framework(
    data: bytes, name: str, *, format=None, preview=False, progress=None, confirmed=None
) -> FrameworkImport:
    """Read and write one framework file: the command, the upload page and
    the API all come through here.

    `confirmed` is the fingerprint of what a person previewed: the import
    compares it with the catalogue under the frameworks' row locks, before
    writing, and writes nothing if someone changed it in between. Raises
    FileImportError, having written nothing, on bad input."""
    progress = progress or (lambda iterable, label: iterable)
    format = format or guess_format(name)
    wrong = wrong_kind_for_framework(data)
    if wrong:
        raise FileImportError(wrong, name=name)
    result = FrameworkImport(lines=[])
    roles = {}

    def before(frameworks):
        result.fingerprint = catalogue_state(frameworks, roles)
        if confirmed is not None and result.fingerprint != confirmed:
            raise FrameworkChanged(CHANGED_MESSAGE, name=name)

    def attempt():
        try:
            return write(format)
        except IntegrityError as exc:
            # Another import created the same framework, skill or job
            # family after this one looked: once_more() runs it again,
            # which finds that row (or, for a person who confirmed a
            # preview, sees the catalogue changed). Not a unique clash, or
            # one again, is the file's.
            refusal = FileImportError(f"the database refused the file: {described(exc)}", name=name)
            raise (Clash(exc, refusal) if kind(exc) == UNIQUE else refusal) from exc

    def write(format):
        if format == "ddat-roles":
            framework, read_roles = read_ddat_roles(data, name, progress=progress)
            roles.clear()
            roles.update(read_roles)
            return apply_frameworks(
                [framework],
                name=name,
                preview=preview,
                extra=lambda: [apply_role_levels(roles, progress=progress)],
                before=before,
            )
        if format == "skills":
            frameworks = read_skills_table(data, name, progress=lambda rows: progress(rows, "rows"))
            return apply_frameworks(frameworks, name=name, preview=preview, before=before)
        if format == "json":
            return apply_frameworks(
                read_framework_json(data, name), name=name, preview=preview, before=before
            )
        raise FileImportError(
            f"say which layout the file has: --format {' or --format '.join(FORMATS)}",
            name=name,
        )

    reports = once_more(attempt)
    if not preview:
        # Skills, levels and their texts were rewritten in bulk, without
        # the signals that tell profiles their documents changed.
        forget_framework_users(
            [each.framework for each in reports if isinstance(each, FrameworkReport)]
        )
    result.lines = report_lines(reports)
    for each in reports:
        if isinstance(each, ProfilesReport):
            slugs = role_slugs(roles)
            result.profiles += [(title, slugs[title]) for title in each.added + each.changed]
    if preview:
        result.lines.append(PREVIEW_LINE)
    return result


PREVIEW_LINE = "Preview only: nothing was written."


def report_lines(reports):
    lines = []
    for report in reports:
        lines.extend(report.lines())
        if getattr(report, "changed_skill_ids", None):
            published = (
                Skill.objects.filter(
                    pk__in=report.changed_skill_ids, uses__profile__versions__isnull=False
                )
                .distinct()
                .count()
            )
            if published:
                lines.append(
                    f"  note: {published} changed skill(s) are in published profile versions, "
                    "which keep the text they were published with"
                )
    return lines


def read_ddat_roles(data, name, progress):
    known = Framework.objects.filter(name=DDAT).first()
    scale = (
        {level.name: level.rank for level in known.levels.all()}
        if known and known.levels.exists()
        else {level: rank for rank, level in enumerate(DDAT_LEVELS, start=1)}
    )
    by_name = {level.casefold(): rank for level, rank in scale.items()}
    framework = FrameworkData(name=DDAT, attribution=OGL_ATTRIBUTION)
    # Keep the scale's names; None leaves its descriptions as they are.
    framework.levels = {rank: (level, None) for level, rank in scale.items()}
    roles = {}

    for row, cells in progress(read_table(data, name, DDAT_COLUMNS), "rows"):
        for column in ("Role family", "Role", "Role level", "Skill name", "Skill level"):
            if not cells[column]:
                raise FileImportError(f"'{column}' is empty", name=name, row=row, column=column)
        # A role becomes a job family, a role level a profile's title.
        for column, limit in ROLE_LIMITS.items():
            if len(cells[column]) > limit:
                raise FileImportError(
                    f"this is {len(cells[column])} characters long; at most {limit} fit",
                    name=name,
                    row=row,
                    column=column,
                )
        rank = by_name.get(cells["Skill level"].casefold())
        if rank is None:
            raise FileImportError(
                f"unknown level name '{cells['Skill level']}'; expected one of: "
                f"{', '.join(sorted(scale, key=scale.get))}",
                name=name,
                row=row,
                column="Skill level",
            )
        path = (cells["Role family"],)
        skill = framework.add_skill(
            path, cells["Skill name"], cells["Skill description"], file=name, row=row
        )
        framework.add_skill_level(
            skill,
            rank,
            cells["Skill level description"],
            file=name,
            row=row,
            column="Skill level description",
        )

        title = cells["Role level"]
        role_level = roles.setdefault(
            title,
            RoleLevel(
                title,
                cells["Role"],
                cells["Role description"],
                cells["Role level description"],
                row,
            ),
        )
        for column, known_value in (
            ("Role", role_level.role),
            ("Role level description", role_level.summary),
        ):
            if cells[column] != known_value:
                raise FileImportError(
                    f"the role level '{title}' has another {column.lower()} here than in "
                    f"row {role_level.row}",
                    name=name,
                    row=row,
                    column=column,
                )
        key = (path, skill.name)
        if role_level.skills.get(key, rank) != rank:
            raise FileImportError(
                f"the role level '{title}' lists '{skill.name}' at two levels",
                name=name,
                row=row,
                column="Skill level",
            )
        role_level.skills[key] = rank
    return framework, roles


@dataclass
class ProfilesReport:
    added: list = field(default_factory=list)
    changed: list = field(default_factory=list)
    unchanged: int = 0
    families_added: list = field(default_factory=list)

    def lines(self):
        return [
            f"  job families: {len(self.families_added)} added",
            f"  draft role profiles: {len(self.added)} added, {len(self.changed)} changed, "
            f"{self.unchanged} unchanged",
        ]


def apply_role_levels(roles, progress):
    """Create or update one draft profile per role level, with its DDaT
    skills at the table's levels; other parts of a profile are left alone."""
    report = ProfilesReport()
    framework = Framework.objects.get(name=DDAT)
    levels = {level.rank: level for level in framework.levels.all()}
    skills = {
        ((skill.category.name,), skill.name): skill
        for skill in Skill.objects.filter(
            category__framework=framework, category__parent=None
        ).select_related("category")
    }
    families = {family.name: family for family in JobFamily.objects.all()}
    slugs = role_slugs(roles)
    profiles = {
        profile.slug: profile
        for profile in RoleProfile.objects.filter(slug__in=slugs.values()).select_related(
            "job_family"
        )
    }
    links = {}
    for link in ProfileSkill.objects.filter(
        profile__in=profiles.values(), skill__category__framework=framework
    ).order_by("position", "id"):
        links.setdefault(link.profile_id, []).append(link)

    # Profiles and their links are written in bulk, with their history, at
    # the end: a few queries for the whole table, not a few per role level.
    added, changed, wanted_links = [], [], {}
    for title, role_level in progress(roles.items(), "profiles"):
        family = families.get(role_level.role)
        if family is None:
            family = families[role_level.role] = JobFamily.objects.for_name(
                role_level.role, description=role_level.role_description
            )
            report.families_added.append(family.name)
        wanted = [(skills[key].pk, levels[rank].pk) for key, rank in role_level.skills.items()]
        role, variant = split_title(title)
        fields = {
            "title": title,
            "job_family": family,
            "role_level": role or "",
            "variant": variant or "",
            "summary": role_level.summary,
        }
        profile = profiles.get(slugs[title])
        if profile is None:
            profile = RoleProfile(slug=slugs[title], **fields)
            added.append(profile)
            report.added.append(title)
        elif [(link.skill_id, link.level_id) for link in links.get(profile.pk, [])] == (
            wanted
        ) and all(getattr(profile, name) == value for name, value in fields.items()):
            report.unchanged += 1
            continue
        else:
            for name, value in fields.items():
                setattr(profile, name, value)
            # Its content changes, so a published profile becomes a new draft.
            profile.status = RoleProfile.Status.DRAFT
            changed.append(profile)
            report.changed.append(title)
        wanted_links[profile.slug] = (profile, wanted)

    bulk_create(RoleProfile, added)
    # Only what the table says: the rest of the profile (its version in
    # force, its other texts) is left as it is. bulk_update sets no auto_now.
    now = timezone.now()
    for profile in changed:
        profile.updated_at = now
    bulk_update(RoleProfile, changed, [*fields, "status", "updated_at"])
    bulk_delete(ProfileSkill, [link for profile in changed for link in links.get(profile.pk, [])])
    # The framework's links follow the profile's other skills, if any.
    after = dict(
        ProfileSkill.objects.filter(profile__in=changed)
        .exclude(skill__category__framework=framework)
        .values("profile")
        .annotate(last=Max("position"))
        .values_list("profile", "last")
        if changed
        else []
    )
    new_links = []
    for profile, wanted in wanted_links.values():
        start = after.get(profile.pk, -1) + 1
        new_links += [
            ProfileSkill(
                profile=profile, skill_id=skill_id, level_id=level_id, position=start + offset
            )
            for offset, (skill_id, level_id) in enumerate(wanted)
        ]
    bulk_create(ProfileSkill, new_links)
    # The texts HR search by, for every profile written, in one statement.
    refresh_search_text([profile.pk for profile in [*added, *changed]])
    return report
