"""What agreed ratings tell, over the REST API, read-only: the team heatmap,
finding people by skill or knowledge item and level, and a person's
readiness for a profile. The pages' own functions (appraisals/insight.py)
do all the work and decide the scope: `team_for` (HR everyone, a manager
their reporting line, anyone else 404) and Person.objects.visible_to for
one person, as appraisals/views/insight.py; a person or profile named that
the caller may not see is 404, so an id tells nothing.
"""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

from appraisals import insight
from appraisals.access import gaps_over_time, visible_person
from appraisals.api.appraisal_serializers import GapCountsSerializer
from appraisals.api.person_scoped import PERSON_PK
from appraisals.api.person_serializers import PersonRefSerializer, person_ref
from appraisals.models import Person, Stage
from competency.api.pagination import PagePagination
from competency.api.query import checked
from competency.api.views import GenericViewSet
from competency.roles import is_hr
from profiles.models import JobFamily, RoleProfile

# --- The heatmap --------------------------------------------------------------------------


class HeatmapQuery(serializers.Serializer):
    manager = serializers.CharField(
        required=False,
        max_length=50,
        help_text="A line manager's employee id, as the people API names them: their "
        "reporting line (default: yours; HR: everyone). Someone you may not see: 404.",
    )
    family = serializers.SlugField(
        required=False, help_text="HR only: a job family's slug, people on its profiles."
    )
    page = serializers.IntegerField(
        required=False, min_value=1, help_text="From 1: 50 people a page."
    )


class ColumnSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text="The kind of requirement.")
    item = serializers.IntegerField(help_text="The catalogue item's id.")
    title = serializers.CharField()
    people = serializers.IntegerField(help_text="How many of the page's people it is rated for.")


class CellSerializer(serializers.Serializer):
    state = serializers.ChoiceField(choices=["below", "meets", "above", "not_rated", "no_level"])
    rating = serializers.CharField(help_text="The agreed rating's word, or 'Not rated'.")
    required = serializers.CharField(allow_blank=True, help_text="The required level's word.")
    gap = serializers.IntegerField(allow_null=True, help_text="Rating − required, in steps.")


class HeatmapRowSerializer(serializers.Serializer):
    person = PersonRefSerializer()
    appraisal = serializers.IntegerField(
        allow_null=True, help_text="The latest agreed appraisal's id; null: none yet."
    )
    cycle = serializers.CharField(allow_blank=True)
    cells = CellSerializer(many=True, allow_null=True, help_text="One per column; null: not asked.")


class HeatmapSerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text="People in the team.")
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    columns = ColumnSerializer(many=True)
    more_columns = serializers.IntegerField(help_text="Requirements left out for space.")
    rows = HeatmapRowSerializer(many=True)


class HeatmapPagination(PageNumberPagination):
    # The heatmap page's size: its columns are those this page's people share.
    page_size = insight.HEATMAP_PEOPLE


def cell_body(cell):
    if cell is None:
        return None
    return {"state": cell.state, "rating": cell.rating, "required": cell.required, "gap": cell.gap}


class HeatmapViewSet(GenericViewSet):
    """The team heatmap: each person's latest agreed ratings against the
    requirements the team shares most."""

    # Which token scope it needs (competency/api/scopes.py).
    api_area = "appraisals"

    pagination_class = None
    serializer_class = HeatmapSerializer
    answers_one_document = True
    # 400: an invalid filter; 404: someone with no reporting line, not HR.
    # (403, a manager filtering by job family, every operation may answer.)
    problem_codes = {400, 404}
    queryset = Person.objects.none()  # for the schema; the scope is team_for's

    @extend_schema(
        summary="The team heatmap",
        description="People of the team (50 a page, by name) × the requirements most of them "
        "share (30 at most), each cell the gap of the person's latest agreed rating. For HR "
        "and anyone with reports (others: 404). Only agreed ratings count.",
        parameters=[HeatmapQuery],
        responses=HeatmapSerializer,
        examples=[
            OpenApiExample(
                "A team of one",
                value={
                    "count": 1,
                    "next": None,
                    "previous": None,
                    "columns": [
                        {
                            "kind": "organisation_skill",
                            "item": 7,
                            "title": "Systems design",
                            "people": 1,
                        }
                    ],
                    "more_columns": 0,
                    "rows": [
                        {
                            "person": {"id": 6, "employee_id": "E6", "name": "Sam Staff"},
                            "appraisal": 31,
                            "cycle": "Annual review 2025",
                            "cells": [
                                {
                                    "state": "below",
                                    "rating": "Working",
                                    "required": "Practitioner",
                                    "gap": -1,
                                }
                            ],
                        }
                    ],
                },
                response_only=True,
            )
        ],
    )
    def list(self, request, *args, **kwargs):
        given = checked(HeatmapQuery, request)
        manager = None
        if "manager" in given:
            manager = get_object_or_404(
                Person.objects.visible_to(request.user), employee_id=given["manager"]
            )
        family = None
        if "family" in given:
            if not is_hr(request.user):
                # A right the caller lacks, as the schema's 403 says.
                raise exceptions.PermissionDenied("Only HR filter the heatmap by job family.")
            family = JobFamily.objects.filter(slug=given["family"]).first()
            if family is None:
                raise serializers.ValidationError({"family": ["No such job family."]})
        people = insight.team_for(request.user, manager=manager, family=family)
        if people is None:
            raise exceptions.NotFound()
        paginator = HeatmapPagination()
        page = paginator.paginate_queryset(insight.annotate_latest(people), request, view=self)
        heatmap = insight.heatmap(page)
        return Response(
            {
                "count": paginator.page.paginator.count,
                "next": paginator.get_next_link(),
                "previous": paginator.get_previous_link(),
                "columns": [
                    {
                        "kind": column.key[0],
                        "item": column.key[1],
                        "title": column.title,
                        "people": column.people,
                    }
                    for column in heatmap.columns
                ],
                "more_columns": heatmap.more_columns,
                "rows": [
                    {
                        "person": person_ref(row.person),
                        "appraisal": row.appraisal_id,
                        "cycle": row.cycle,
                        "cells": [cell_body(cell) for cell in row.cells],
                    }
                    for row in heatmap.rows
                ],
            }
        )


# --- Finding people by skill and level -------------------------------------------------------


class ItemQuery(serializers.Serializer):
    q = serializers.CharField(max_length=200, help_text="Words of the item's name.")


class InsightItemSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["skill", "knowledge"])
    item = serializers.IntegerField(help_text="Its id, for /insight/people-with/.")
    name = serializers.CharField()
    where = serializers.CharField(help_text="Its framework and category, or its kind.")


class ItemSearchViewSet(GenericViewSet):
    """Skills and knowledge items to look for, by name."""

    # Which token scope it needs (competency/api/scopes.py).
    api_area = "appraisals"

    pagination_class = None
    serializer_class = InsightItemSerializer
    problem_codes = {404}  # someone with no reporting line, not HR
    queryset = Person.objects.none()

    @extend_schema(
        summary="Skills and knowledge items to find people by",
        description="At most 20 of each kind whose name holds every word. For HR and anyone "
        "with reports (others: 404).",
        parameters=[ItemQuery],
        responses=InsightItemSerializer(many=True),
        examples=[
            OpenApiExample(
                "Agile",
                # One row: drf-spectacular makes the list of it.
                value={
                    "kind": "knowledge",
                    "item": 3,
                    "name": "Agile working",
                    "where": "Knowledge item, Knowledge",
                },
                response_only=True,
            )
        ],
    )
    def list(self, request, *args, **kwargs):
        if insight.team_for(request.user) is None:
            raise exceptions.NotFound()
        text = checked(ItemQuery, request)["q"]
        found = insight.search_items(text)
        return Response(
            [
                {"kind": kind, "item": pk, "name": name, "where": where}
                for kind, pk, name, where in found
            ]
        )


class PeopleWithQuery(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["skill", "knowledge"])
    item = serializers.IntegerField(
        min_value=1,
        max_value=999_999_999,
        help_text="The skill's or knowledge item's id (/api/v1/insight/items/ finds it by name).",
    )
    level = serializers.IntegerField(
        min_value=1,
        max_value=999,
        help_text="The lowest rank to find, on the item's scale (a skill's framework levels, "
        "or the four knowledge depths).",
    )
    page = serializers.IntegerField(required=False, min_value=1, help_text="From 1.")
    page_size = serializers.IntegerField(
        required=False, min_value=1, max_value=200, help_text="People a page (default 50)."
    )


class FoundSerializer(serializers.Serializer):
    person = PersonRefSerializer()
    rating = serializers.IntegerField(help_text="The latest agreed rating's rank.")
    rating_name = serializers.CharField()
    cycle = serializers.CharField()
    appraisal = serializers.IntegerField()


class PeopleWithViewSet(GenericViewSet):
    """People whose latest agreed rating of an item is at least a level."""

    # Which token scope it needs (competency/api/scopes.py).
    api_area = "appraisals"

    pagination_class = PagePagination
    serializer_class = FoundSerializer
    problem_codes = {404}  # someone with no reporting line, not HR
    queryset = Person.objects.none()

    @extend_schema(
        summary="Find people by skill or knowledge item and level",
        description="Within your reporting line (HR: everyone; others: 404), best rated first. "
        "A later agreed rating replaces an earlier one.",
        parameters=[PeopleWithQuery],
        responses=FoundSerializer(many=True),
        examples=[
            OpenApiExample(
                "Found",
                value={
                    "person": {"id": 9, "employee_id": "E9", "name": "Tia Staff"},
                    "rating": 3,
                    "rating_name": "Proficient in",
                    "cycle": "Annual review 2025",
                    "appraisal": 40,
                },
                response_only=True,
            )
        ],
    )
    def list(self, request, *args, **kwargs):
        people = insight.team_for(request.user)
        if people is None:
            raise exceptions.NotFound()
        given = checked(PeopleWithQuery, request)
        item = insight.find_item(given["kind"], given["item"])
        if item is None:
            raise serializers.ValidationError({"item": ["No such skill or knowledge item."]})
        levels = item.levels()
        if given["level"] not in {rank for rank, _ in levels}:
            choices = ", ".join(f"{rank} ({name})" for rank, name in levels)
            raise serializers.ValidationError(
                {"level": [f"Choose one of the item's levels: {choices}."]}
            )
        page = self.paginate_queryset(insight.people_with(item, given["level"], people))
        return self.get_paginated_response(
            [
                {
                    "person": person_ref(row.appraisal.person),
                    "rating": row.manager_rating,
                    "rating_name": row.rank_name(row.manager_rating),
                    "cycle": row.appraisal.cycle.name,
                    "appraisal": row.appraisal_id,
                }
                for row in page
            ]
        )


# --- Readiness ---------------------------------------------------------------------------


class ReadinessQuery(serializers.Serializer):
    profile = serializers.SlugField(
        help_text="A role profile's slug: its version in force is held against the person's "
        "agreed ratings. One you may not read, or with no version in force: 404."
    )


class NeedSerializer(serializers.Serializer):
    title = serializers.CharField()
    kind = serializers.CharField()
    required = serializers.CharField(allow_blank=True)
    required_rank = serializers.IntegerField(allow_null=True)
    rating = serializers.CharField(allow_null=True, help_text="The latest agreed rating's word.")
    rating_rank = serializers.IntegerField(allow_null=True)
    shortfall = serializers.IntegerField(allow_null=True, help_text="Steps below what is asked.")
    cycle = serializers.CharField(allow_blank=True, help_text="Where that rating was agreed.")


class ReadinessSerializer(serializers.Serializer):
    person = PersonRefSerializer()
    profile = serializers.SlugField()
    title = serializers.CharField()
    version = serializers.IntegerField()
    counted = serializers.IntegerField(help_text="Requirements rated and with a level.")
    meets = NeedSerializer(many=True)
    needs = NeedSerializer(many=True, help_text="Biggest shortfall first.")
    unknown = NeedSerializer(many=True, help_text="Never rated: not counted as a gap.")
    no_level = NeedSerializer(many=True, help_text="The profile asks for no level.")


def need_body(need):
    return {
        "title": need.title,
        "kind": need.kind_label,
        "required": need.required,
        "required_rank": need.required_rank,
        "rating": need.rating,
        "rating_rank": need.rating_rank,
        "shortfall": need.shortfall,
        "cycle": need.cycle,
    }


class ReadinessViewSet(GenericViewSet):
    """A person's readiness for another profile."""

    # Which token scope it needs (competency/api/scopes.py).
    api_area = "appraisals"

    pagination_class = None
    serializer_class = ReadinessSerializer
    answers_one_document = True
    # 400: no profile named; 404: a person or profile the caller may not see.
    problem_codes = {400, 404}
    queryset = Person.objects.none()

    @extend_schema(
        summary="A person's readiness for a profile",
        description="The person's latest agreed ratings held against the version in force of "
        "a profile, matched by catalogue item. For the person, their managers up the line and "
        "HR (others: 404).",
        parameters=[PERSON_PK, ReadinessQuery],
        responses=ReadinessSerializer,
        examples=[
            OpenApiExample(
                "Nearly ready",
                value={
                    "person": {"id": 6, "employee_id": "E6", "name": "Sam Staff"},
                    "profile": "senior-platform-engineer",
                    "title": "Senior Platform Engineer",
                    "version": 2,
                    "counted": 2,
                    "meets": [
                        {
                            "title": "Systems design",
                            "kind": "Organisation skill",
                            "required": "Practitioner",
                            "required_rank": 3,
                            "rating": "Expert",
                            "rating_rank": 4,
                            "shortfall": 0,
                            "cycle": "Annual review 2025",
                        }
                    ],
                    "needs": [
                        {
                            "title": "Agile working",
                            "kind": "Knowledge item",
                            "required": "Proficient in",
                            "required_rank": 3,
                            "rating": "Familiar with",
                            "rating_rank": 2,
                            "shortfall": 1,
                            "cycle": "Annual review 2025",
                        }
                    ],
                    "unknown": [],
                    "no_level": [],
                },
                response_only=True,
            )
        ],
    )
    def list(self, request, *args, **kwargs):
        person = visible_person(request.user, self.kwargs["person_pk"])
        slug = checked(ReadinessQuery, request)["profile"]
        target = get_object_or_404(
            RoleProfile.objects.visible_to(request.user)
            .filter(published_version__isnull=False)
            .select_related("published_version"),
            slug=slug,
        )
        result = insight.readiness(person, target.published_version)
        return Response(
            {
                "person": person_ref(person),
                "profile": target.slug,
                "title": target.published_title or target.title,
                "version": target.published_version.number,
                "counted": result.counted,
                "meets": [need_body(n) for n in result.meets],
                "needs": [need_body(n) for n in result.needs],
                "unknown": [need_body(n) for n in result.unknown],
                "no_level": [need_body(n) for n in result.no_level],
            }
        )


# --- A person's gaps over time -----------------------------------------------------------


class AppraisalGapsSerializer(serializers.Serializer):
    appraisal = serializers.IntegerField(help_text="The appraisal's id.")
    cycle = serializers.CharField()
    opens_on = serializers.DateField(help_text="When its cycle opened.")
    stage = serializers.ChoiceField(choices=Stage.choices)
    counts = GapCountsSerializer()


class PersonGapsSerializer(serializers.Serializer):
    person = PersonRefSerializer()
    appraisals = AppraisalGapsSerializer(many=True, help_text="Oldest cycle first.")


class PersonGapsViewSet(GenericViewSet):
    """A person's gaps across their appraisals."""

    # Which token scope it needs (competency/api/scopes.py).
    api_area = "appraisals"

    pagination_class = None
    serializer_class = PersonGapsSerializer
    answers_one_document = True
    # 404: a person the caller may not see.
    problem_codes = {404}
    queryset = Person.objects.none()

    @extend_schema(
        summary="A person's gaps over time",
        description="For each of the person's appraisals you may read, oldest cycle first, "
        "how many requirements are below, meet or are above what is asked, as its gap chart "
        "counts them for you (the manager's side only once you may see it). For the person, "
        "their managers up the line and HR (others: 404).",
        parameters=[PERSON_PK],
        responses=PersonGapsSerializer,
        examples=[
            OpenApiExample(
                "Two cycles",
                value={
                    "person": {"id": 6, "employee_id": "E6", "name": "Sam Staff"},
                    "appraisals": [
                        {
                            "appraisal": 12,
                            "cycle": "Annual review 2024",
                            "opens_on": "2024-04-01",
                            "stage": "signed_off",
                            "counts": {
                                "below": 3,
                                "meets": 9,
                                "above": 1,
                                "unrated": 0,
                                "total": 13,
                                "shared": True,
                            },
                        },
                        {
                            "appraisal": 41,
                            "cycle": "Annual review 2025",
                            "opens_on": "2025-04-01",
                            "stage": "self_assessment",
                            "counts": {
                                "below": 0,
                                "meets": 0,
                                "above": 0,
                                "unrated": 13,
                                "total": 13,
                                "shared": False,
                            },
                        },
                    ],
                },
                response_only=True,
            )
        ],
    )
    def list(self, request, *args, **kwargs):
        person = visible_person(request.user, self.kwargs["person_pk"])
        return Response(
            {
                "person": person_ref(person),
                "appraisals": [
                    {
                        "appraisal": appraisal.pk,
                        "cycle": appraisal.cycle.name,
                        "opens_on": appraisal.cycle.opens_on.isoformat(),
                        "stage": appraisal.stage,
                        "counts": counts,
                    }
                    for appraisal, counts in gaps_over_time(request.user, person)
                ],
            }
        )
