"""Who may do what with an appraisal, and which of its fields they see.

Which rows someone may read is in the models' `visible_to(user)` queryset
methods; these predicates decide, for a row they may read, what they may do
and see. Pages, downloads and the API all ask here.
"""

from dataclasses import dataclass

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404

from appraisals.models import Appraisal, DevelopmentAction, Person, Stage
from competency.roles import is_hr


def visible_person(user, pk):
    """The person if this user may read them, else 404, the same as for a
    missing one: the pages about a person and the API's routes under
    /people/<id>/ look them up here."""
    return get_object_or_404(Person.objects.visible_to(user).select_related("line_manager"), pk=pk)


def is_the_person(user, appraisal):
    return bool(user.is_authenticated and appraisal.person.account_id == user.pk)


def can_act_as_manager(user, appraisal):
    """Only the appraisal's own manager rates, shares and signs for the
    manager's side; their manager reads but does not write, and HR act
    through their own transitions (reopen, reassign)."""
    return bool(user.is_authenticated and appraisal.manager.account_id == user.pk)


def can_act_as_person(user, appraisal):
    return is_the_person(user, appraisal)


@dataclass(frozen=True)
class Sides:
    """Which side of the ratings (and summaries) a viewer may see."""

    self_assessment: bool
    manager_assessment: bool


def visible_sides(user, appraisal):
    """The person sees their own ratings always and the manager's only once
    shared (review shared on); the managers see the self-assessment only
    once it was submitted (manager review on); the appraisal's manager sees
    their own ratings as they write them, managers above only once shared.
    HR see both. Call only for an appraisal the user may read."""
    return sides_of(user)(appraisal)


def sides_of(user):
    """visible_sides(user, ·), for the many appraisals of a list: whether
    the viewer is HR is asked once (a permission check walks the auth
    backends), not per row."""
    if is_hr(user):
        return lambda appraisal: Sides(True, True)

    def sides(appraisal):
        shared = appraisal.reached(Stage.REVIEW_SHARED)
        submitted = appraisal.reached(Stage.MANAGER_REVIEW)
        if is_the_person(user, appraisal):
            return Sides(True, shared)
        if can_act_as_manager(user, appraisal):
            return Sides(submitted, True)
        return Sides(submitted, shared)

    return sides


def sees_plan(user, appraisal):
    """Whether this viewer sees the appraisal's objectives and development
    plan. Those set up in draft are there for the self-assessment; from
    manager review they are the manager's proposal, part of the manager's
    side: hidden from whoever may not see that side yet (the person, and
    managers above) until the review is shared. Pages, the PDF and the API
    ask here."""
    if appraisal.stage not in PROPOSAL_STAGES:
        return True
    return visible_sides(user, appraisal).manager_assessment


# The stages at which the objectives and plan are the manager's proposal, not
# shared yet (for a query of the person's own objectives: progress.py).
PROPOSAL_STAGES = (Stage.MANAGER_REVIEW,)


SELF_FIELDS = ("self_rating", "self_evidence", "self_comment")
MANAGER_FIELDS = ("manager_rating", "manager_evidence", "manager_comment")


def masked_requirements(user, appraisal, requirements=None):
    """The appraisal's requirements with the side this viewer may not see
    blanked (in memory, never saved): pages and serializers show these."""
    sides = visible_sides(user, appraisal)
    rows = list(requirements if requirements is not None else appraisal.requirements.all())
    hidden = (() if sides.self_assessment else SELF_FIELDS) + (
        () if sides.manager_assessment else MANAGER_FIELDS
    )
    for row in rows:
        for field in hidden:
            setattr(row, field, None if field.endswith("rating") else "")
    return rows


def gap_rows(user, appraisal, requirements=None):
    """The requirements a gap is counted for (those with a required rank),
    as this viewer may see them: a gap needs the manager's rating, so it
    shows only once that side is visible."""
    return [
        row
        for row in masked_requirements(user, appraisal, requirements)
        if row.required_rank is not None
    ]


def gap_counts(rows, shared):
    """How many of `rows` are below, meet, are above what is required, or
    are not rated (yet, or not visible); `shared`: whether the manager's
    side was visible to count them."""
    counts = {"below": 0, "meets": 0, "above": 0, "unrated": 0}
    for row in rows:
        counts[row.gap_word or "unrated"] += 1
    counts["total"] = len(rows)
    counts["shared"] = shared
    return counts


def gaps_over_time(user, person):
    """(appraisal, its gap counts) for each of the person's appraisals this
    person may read, oldest cycle first: the person's gaps page and the
    API's. Counted as the viewer sees each (gap_rows, gap_counts)."""
    appraisals = (
        Appraisal.objects.visible_to(user)
        .filter(person=person)
        .select_related("cycle", "person", "manager")
        .prefetch_related("requirements")
        .order_by("cycle__opens_on", "pk")
    )
    found = []
    for appraisal in appraisals:
        sides = visible_sides(user, appraisal)
        rows = gap_rows(user, appraisal, appraisal.requirements.all())
        found.append((appraisal, gap_counts(rows, sides.manager_assessment)))
    return found


@dataclass
class Development:
    """One appraisal of a person's development, as a viewer may see it."""

    appraisal: object
    gaps: list  # gap_rows()
    counts: dict  # gap_counts()
    plan_shown: bool  # sees_plan(): else no objectives or actions
    objectives: list
    actions: list  # biggest gaps first


def development_over_time(user, person):
    """The person's development plan, gaps and objectives across each of
    their appraisals this viewer may read, oldest cycle first, each as its
    pages show it (gap_rows, sees_plan): the API's one call for them. Five
    queries however many appraisals."""
    appraisals = (
        Appraisal.objects.visible_to(user)
        .filter(person=person)
        .select_related("cycle", "person", "manager")
        .prefetch_related(
            "requirements",
            "objectives",
            Prefetch(
                "development_actions", queryset=DevelopmentAction.objects.biggest_gaps_first()
            ),
        )
        .order_by("cycle__opens_on", "pk")
    )
    found = []
    for appraisal in appraisals:
        sides = visible_sides(user, appraisal)
        rows = gap_rows(user, appraisal, appraisal.requirements.all())
        shown = sees_plan(user, appraisal)
        found.append(
            Development(
                appraisal=appraisal,
                gaps=rows,
                counts=gap_counts(rows, sides.manager_assessment),
                plan_shown=shown,
                objectives=list(appraisal.objectives.all()) if shown else [],
                actions=list(appraisal.development_actions.all()) if shown else [],
            )
        )
    return found


def can_read_check_ins(user, person):
    """1:1 notes are between two people: the person, their line manager and
    HR open a person's check-ins page (managers further up do not; a former
    manager still finds the ones they held in their own list)."""
    if is_hr(user):
        return True
    if not user.is_authenticated:
        return False
    manager = person.line_manager
    return person.account_id == user.pk or (manager is not None and manager.account_id == user.pk)
