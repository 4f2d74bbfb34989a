"""What a manager, HR or a person learns from agreed ratings: the team
heatmap, finding people by skill and level, and readiness for another
profile. Pages and the REST API share these; views only render them.

Three rules hold throughout:

- Only agreed ratings count: the manager's rating of an appraisal that has
  reached "agreed" (or is signed off). Before that the manager's rating is
  a draft the person has not seen, and the self-rating is never a gap.
  Everyone who may read such an appraisal may read its manager's side
  (access.visible_sides), so nothing here shows what a page would hide.
- Requirements are matched across people, profiles and versions by their
  catalogue item and kind (a skill, a knowledge item rated at a depth, a
  behavioural item or a work activity on the performance scale): the kind
  fixes the scale, so two ranks compared are ranks of the same scale.
- Who is in scope is the core's rule: HR everyone, a manager their
  reporting line; `team_for` says which people a page may show and returns
  None when the viewer may not ask at all (pages answer 404).
"""

import json
from dataclasses import dataclass, field

from django.db.models import OuterRef, Q, Subquery, TextField
from django.db.models.functions import Cast

from appraisals.models import Appraisal, InLine, LatestRating, Person, Requirement, Stage
from appraisals.requirements import DEPTH_SCALE, requirement_templates
from competency.models import KnowledgeItem, Level, Skill
from competency.roles import is_hr

AGREED = [Stage.AGREED, Stage.SIGNED_OFF]
# What the heatmap shows at most: a page of people, and the requirements
# most of them share (a team on many profiles would otherwise be a table
# hundreds of columns wide).
HEATMAP_PEOPLE = 50
HEATMAP_COLUMNS = 30

KIND_ORDER = [
    Requirement.Kind.ORGANISATION_SKILL,
    Requirement.Kind.KNOWLEDGE,
    Requirement.Kind.BEHAVIOURAL,
    Requirement.Kind.WORK_ACTIVITY,
]
# Which catalogue column identifies a requirement of each kind.
ITEM_FIELD = {
    Requirement.Kind.ORGANISATION_SKILL: "skill_id",
    Requirement.Kind.KNOWLEDGE: "knowledge_item_id",
    Requirement.Kind.BEHAVIOURAL: "knowledge_item_id",
    Requirement.Kind.WORK_ACTIVITY: "work_activity_id",
}


def item_key(kind, row):
    """(kind, catalogue id) of a requirement (a Requirement or the field
    values requirement_templates gives), or None when its item is gone."""
    get = row.get if isinstance(row, dict) else lambda name: getattr(row, name)
    item = get(ITEM_FIELD[kind])
    return (kind, item) if item is not None else None


# --- who is in scope ------------------------------------------------------------


def leads_a_team(user):
    """HR, or someone with at least one report: the people these pages are for."""
    if is_hr(user):
        return True
    return bool(
        user.is_authenticated and Person.objects.filter(line_manager__account=user).exists()
    )


def team_for(user, *, manager=None, family=None):
    """The current people a viewer may see in a team view, or None if the
    viewer may not ask (not HR and nobody reports to them, or a `manager`
    outside their reporting line): pages answer 404 for None.

    HR: `manager`'s reporting line if given, else everyone; a manager: the
    reporting line of themselves or of a `manager` below them. `family`
    (a JobFamily) narrows either to people on that family's profiles."""
    if not leads_a_team(user):
        return None
    if manager is not None:
        if not Person.objects.visible_to(user).filter(pk=manager.pk).exists():
            return None
        people = Person.objects.reporting_line(manager)
    elif is_hr(user):
        people = Person.objects.all()
    else:
        # The viewer's own line, found from their account in the same query.
        people = Person.objects.filter(InLine.below_account("pk", user.pk))
    if family is not None:
        people = people.filter(role_profile__job_family=family)
    return people.current()


def may_see_person(user, person):
    """The person themselves, their managers up the line, and HR."""
    return Person.objects.visible_to(user).filter(pk=person.pk).exists()


# --- cells ----------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    """One agreed rating held against its requirement, in words and a
    symbol as well as the colour a template gives `state`."""

    state: str  # below, meets, above, not_rated, no_level
    rating: str  # the rating's word, or "Not rated"
    required: str  # the required level's word, or "" when none is set
    gap: int | None

    SYMBOLS = {"below": "▼", "meets": "●", "above": "▲", "not_rated": "–", "no_level": "○"}
    WORDS = {
        "below": "Below",
        "meets": "Meets",
        "above": "Above",
        "not_rated": "Not rated",
        "no_level": "No level set",
    }

    @property
    def symbol(self):
        return self.SYMBOLS[self.state]

    @property
    def word(self):
        return self.WORDS[self.state]

    @classmethod
    def from_values(cls, rating, required_rank, required_label, names):
        """From a requirement's columns: the agreed rating, the required
        rank and its word, and {rank: word} of the frozen scale."""
        gap = None if rating is None or required_rank is None else rating - required_rank
        if rating is None:
            state, word = "not_rated", "Not rated"
        else:
            state = (
                "no_level"
                if gap is None
                else "below"
                if gap < 0
                else "meets"
                if gap == 0
                else "above"
            )
            word = names.get(rating, str(rating))
        return cls(state=state, rating=word, required=required_label, gap=gap)


# --- the heatmap ----------------------------------------------------------------


def latest_agreed_appraisal():
    """A subquery for a Person queryset: the id of the person's latest
    appraisal at agreed or later (by the cycle's opening, then newest)."""
    return Subquery(
        Appraisal.objects.filter(person=OuterRef("pk"), stage__in=AGREED)
        .order_by("-cycle__opens_on", "-pk")
        .values("pk")[:1]
    )


@dataclass
class Column:
    key: tuple
    title: str
    kind_label: str
    people: int = 0


@dataclass
class HeatmapRow:
    person: Person
    appraisal_id: int | None
    cycle: str
    cells: list = field(default_factory=list)  # one per column: Cell or None


@dataclass
class Heatmap:
    columns: list
    rows: list
    more_columns: int  # requirements left out for space


def heatmap(people):
    """People (one page of them, a list of Person annotated by
    `annotate_latest`) × the requirements most of them share, each cell the
    gap of the person's latest agreed appraisal. Two queries whatever the
    size: the people (done by the caller's page) and their requirements,
    read as plain values (a page is thousands of rows)."""
    people = list(people)
    appraisals = [p.latest_agreed for p in people if p.latest_agreed is not None]
    rows = (
        Requirement.objects.filter(appraisal__in=appraisals)
        .annotate(scale_text=Cast("scale", TextField()))
        .order_by("appraisal_id", "position")
        .values_list(
            "appraisal_id",
            "appraisal__cycle__name",
            "kind",
            "title",
            "required_label",
            "required_rank",
            "scale_text",
            "manager_rating",
            "skill_id",
            "knowledge_item_id",
            "work_activity_id",
        )
        if appraisals
        else []
    )
    kinds = dict(Requirement.Kind.choices)
    # Requirements of one skill share its scale: read each scale's words once.
    words = {}
    columns, found, cycles = {}, {}, {}
    for (
        appraisal,
        cycle,
        kind,
        title,
        label,
        required,
        steps,
        rating,
        skill,
        knowledge,
        activity,
    ) in rows:
        cycles[appraisal] = cycle
        item = skill if kind == Requirement.Kind.ORGANISATION_SKILL else knowledge or activity
        if item is None or (appraisal, (kind, item)) in found:
            continue
        key = (kind, item)
        if steps not in words:
            words[steps] = {step["rank"]: step["name"] for step in json.loads(steps)}
        found[(appraisal, key)] = Cell.from_values(rating, required, label, words[steps])
        column = columns.setdefault(key, Column(key, title, kinds[kind]))
        column.people += 1
    # The most shared first; among equals, what has a required level (skills,
    # then knowledge) before what is rated without one.
    order = {kind: n for n, kind in enumerate(KIND_ORDER)}
    shared = sorted(columns.values(), key=lambda c: (-c.people, order[c.key[0]], c.title.lower()))
    shown = shared[:HEATMAP_COLUMNS]
    return Heatmap(
        columns=shown,
        rows=[
            HeatmapRow(
                person,
                person.latest_agreed,
                cycles.get(person.latest_agreed, ""),
                [found.get((person.latest_agreed, column.key)) for column in shown],
            )
            for person in people
        ],
        more_columns=len(shared) - len(shown),
    )


def annotate_latest(people):
    return people.annotate(latest_agreed=latest_agreed_appraisal()).order_by("name", "employee_id")


# --- finding people by skill and level --------------------------------------------


@dataclass(frozen=True)
class Item:
    """A catalogue item searched for, with the kind of requirement it is
    rated as and the scale its levels come from."""

    kind: str  # "skill" or "knowledge"
    obj: object

    @property
    def requirement_kind(self):
        return (
            Requirement.Kind.ORGANISATION_SKILL
            if self.kind == "skill"
            else Requirement.Kind.KNOWLEDGE
        )

    @property
    def name(self):
        return self.obj.name if self.kind == "skill" else self.obj.title

    def levels(self):
        """[(rank, name)] of the scale it is rated on: the skill's
        framework's levels, or the four knowledge depths."""
        if self.kind == "skill":
            return list(
                Level.objects.filter(framework_id=self.obj.category.framework_id)
                .order_by("rank")
                .values_list("rank", "name")
            )
        return [(step["rank"], step["name"]) for step in DEPTH_SCALE]

    def filter(self):
        field_name = "skill" if self.kind == "skill" else "knowledge_item"
        return Q(**{field_name: self.obj.pk}, kind=self.requirement_kind)


def find_item(kind, pk):
    """The skill or knowledge item of that id, or None."""
    if kind == "skill":
        found = Skill.objects.select_related("category").filter(pk=pk).first()
    elif kind == "knowledge":
        found = KnowledgeItem.objects.filter(pk=pk).first()
    else:
        found = None
    return Item(kind, found) if found is not None else None


def search_items(text, limit=20):
    """Skills and knowledge items whose name holds the words, for the search
    box: [(kind, pk, name, where)], at most `limit` of each kind."""
    words = text.split()
    if not words:
        return []
    skills = Skill.objects.select_related("category__framework")
    knowledge = KnowledgeItem.objects.all()
    for word in words:
        skills = skills.filter(name__icontains=word)
        knowledge = knowledge.filter(title__icontains=word)
    found = [
        ("skill", s.pk, s.name, f"{s.category.framework.name} skill, {s.category.name}")
        for s in skills.order_by("name", "pk")[:limit]
    ]
    found += [
        ("knowledge", k.pk, k.title, f"Knowledge item, {k.get_kind_display()}")
        for k in knowledge.order_by("title", "pk")[:limit]
    ]
    return found


def people_with(item, level, people):
    """The requirements holding each person's latest agreed rating of
    `item`, for the people in `people` whose rating is at least `level`,
    best first (then by name): a Ranked sequence to paginate. A later
    agreed rating replaces an earlier one, so someone rated lower this year
    is not found by last year's rating.

    Read from LatestRating, one row per person and item kept as appraisals
    are agreed or reopened (refresh_latest_ratings): one index range of the
    item's rows at or above the level, rather than ranking every rating of
    the item on each search (the most used items are rated in most
    appraisals, every cycle)."""
    found = (
        LatestRating.objects.filter(
            kind=item.requirement_kind,
            item_id=item.obj.pk,
            rating__gte=level,
            person__in=people.values("pk"),
        )
        .order_by("-rating", "person__name", "person_id")
        .values_list("requirement_id", flat=True)
    )
    return Ranked(found)


# How many people refresh_latest_ratings reads at a time.
REFRESH_BATCH = 500


def refresh_latest_ratings(person_ids):
    """Rewrite the LatestRating rows of these people from their agreed
    appraisals: for each person and catalogue item, the manager's rating in
    the newest appraisal at agreed or later that rates it (by its cycle's
    opening, then the newest appraisal; within one appraisal, its first
    requirement of the item). Called whenever an appraisal reaches agreed
    or leaves it (workflow._move), and by the migration that made the
    table. Per batch of people: a delete, one read, one insert."""
    person_ids = list(person_ids)
    for start in range(0, len(person_ids), REFRESH_BATCH):
        batch = person_ids[start : start + REFRESH_BATCH]
        LatestRating.objects.filter(person_id__in=batch).delete()
        rows = (
            Requirement.objects.filter(
                appraisal__person_id__in=batch,
                appraisal__stage__in=AGREED,
                manager_rating__isnull=False,
            )
            .order_by("appraisal__person_id", "-appraisal__cycle__opens_on", "-appraisal_id", "pk")
            .values_list(
                "appraisal__person_id",
                "kind",
                "skill_id",
                "knowledge_item_id",
                "work_activity_id",
                "pk",
                "manager_rating",
            )
        )
        latest = {}
        for person, kind, skill, knowledge, activity, pk, rating in rows.iterator(chunk_size=5000):
            columns = {
                "skill_id": skill,
                "knowledge_item_id": knowledge,
                "work_activity_id": activity,
            }
            item = columns[ITEM_FIELD[kind]]
            if item is not None:
                latest.setdefault((person, kind, item), (pk, rating))
        LatestRating.objects.bulk_create(
            [
                LatestRating(
                    person_id=person, kind=kind, item_id=item, requirement_id=pk, rating=rating
                )
                for (person, kind, item), (pk, rating) in latest.items()
            ],
            batch_size=2000,
        )


class Ranked:
    """Rows ranked in the database on the few columns their order needs, a
    page of them then read whole: sorting thousands of whole rows (each
    requirement's scale and texts, its appraisal and person) to show fifty
    grew with every rating of the item. The ranking runs once, for the
    count and the page alike: the ids in order, then the page's rows by id.
    Django's Paginator (pages and the API's) reads it as a queryset:
    count(), then a slice."""

    def __init__(self, ids):
        self.rows = ids  # the requirements' ids, in order
        self._ids = None

    def ids(self):
        if self._ids is None:
            self._ids = list(self.rows)
        return self._ids

    def count(self):
        return len(self.ids())

    def __len__(self):
        return self.count()

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self[index : index + 1][0]
        pks = self.ids()[index]
        whole = Requirement.objects.filter(pk__in=pks).select_related(
            "appraisal__person", "appraisal__cycle"
        )
        by_pk = {row.pk: row for row in whole}
        return [by_pk[pk] for pk in pks]


# --- readiness ----------------------------------------------------------------------


@dataclass
class Need:
    """One requirement of the target profile, and the person's latest
    agreed rating of the same item (None: never rated)."""

    title: str
    kind_label: str
    required: str
    required_rank: int | None
    rating: str | None
    rating_rank: int | None
    cycle: str = ""

    @property
    def shortfall(self):
        if self.rating_rank is None or self.required_rank is None:
            return None
        return max(self.required_rank - self.rating_rank, 0)


@dataclass
class Readiness:
    version: object
    meets: list
    needs: list  # biggest shortfall first
    unknown: list  # never rated (or the item is gone): not counted as a gap
    no_level: list  # the profile sets no level (performance-scale items)

    @property
    def counted(self):
        return len(self.meets) + len(self.needs)


def readiness(person, version):
    """The person's agreed ratings held against `version` (usually another
    profile's version in force), matched by catalogue item and kind. Four
    queries whatever the size: the version's catalogue items (two, in
    requirement_templates) and the person's ratings of them."""
    templates = requirement_templates({version.pk: version.document})[version.pk]
    keys = {item_key(row["kind"], row) for row in templates} - {None}
    wanted = Q(pk__in=[])
    for kind in ITEM_FIELD:
        ids = [pk for k, pk in keys if k == kind]
        if ids:
            wanted |= Q(kind=kind, **{f"{ITEM_FIELD[kind]}__in": ids})
    latest = {}
    if keys:
        ratings = (
            Requirement.objects.filter(
                wanted,
                appraisal__person=person,
                appraisal__stage__in=AGREED,
                manager_rating__isnull=False,
            )
            .select_related("appraisal__cycle")
            .order_by("-appraisal__cycle__opens_on", "-appraisal_id")
        )
        for row in ratings:
            latest.setdefault(item_key(row.kind, row), row)
    kinds = dict(Requirement.Kind.choices)
    result = Readiness(version=version, meets=[], needs=[], unknown=[], no_level=[])
    for row in templates:
        rated = latest.get(item_key(row["kind"], row))
        need = Need(
            title=row["title"],
            kind_label=kinds[row["kind"]],
            required=row["required_label"],
            required_rank=row["required_rank"],
            rating=rated.rank_name(rated.manager_rating) if rated else None,
            rating_rank=rated.manager_rating if rated else None,
            cycle=rated.appraisal.cycle.name if rated else "",
        )
        if row["required_rank"] is None:
            result.no_level.append(need)
        elif rated is None:
            result.unknown.append(need)
        elif need.shortfall == 0:
            result.meets.append(need)
        else:
            result.needs.append(need)
    result.needs.sort(key=lambda need: -need.shortfall)
    return result
