"""A person's development in one call: for each of their appraisals the
caller may read, its gaps, objectives and development plan, as the
appraisal's pages show them to this caller (appraisals.access.
development_over_time: gap_rows, sees_plan). For the person, their managers
up the line and HR; anyone else gets 404, as for the person."""

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from appraisals.access import development_over_time, visible_person
from appraisals.api.appraisal_serializers import (
    ActionSerializer,
    GapCountsSerializer,
    GapRowSerializer,
    ObjectiveSerializer,
)
from appraisals.api.appraisals import appraisal_api_url, gap_row_body
from appraisals.api.person_scoped import PERSON_PK
from appraisals.api.person_serializers import PersonRefSerializer, person_ref
from appraisals.models import Person, Stage
from competency.api.views import GenericViewSet


class AppraisalDevelopmentSerializer(serializers.Serializer):
    appraisal = serializers.IntegerField(help_text="The appraisal's id.")
    url = serializers.URLField()
    cycle = serializers.CharField()
    opens_on = serializers.DateField(help_text="When its cycle opened.")
    stage = serializers.ChoiceField(choices=Stage.choices)
    gap_counts = GapCountsSerializer()
    gaps = GapRowSerializer(many=True, help_text="Each requirement with a required level.")
    plan_shown = serializers.BooleanField(
        help_text="False while the objectives and plan are the manager's proposal you may "
        "not see yet (then both lists are empty)."
    )
    objectives = ObjectiveSerializer(many=True)
    development_actions = ActionSerializer(many=True, help_text="Biggest gaps first.")


class DevelopmentSerializer(serializers.Serializer):
    person = PersonRefSerializer()
    appraisals = AppraisalDevelopmentSerializer(many=True, help_text="Oldest cycle first.")


EXAMPLE = {
    "person": {"id": 6, "employee_id": "E6", "name": "Sam Staff"},
    "appraisals": [
        {
            "appraisal": 41,
            "url": "https://competency.example.org/api/v1/appraisals/41/",
            "cycle": "Annual review 2025",
            "opens_on": "2025-04-01",
            "stage": "agreed",
            "gap_counts": {
                "below": 1,
                "meets": 0,
                "above": 0,
                "unrated": 0,
                "total": 1,
                "shared": True,
            },
            "gaps": [
                {
                    "requirement": 901,
                    "kind": "knowledge",
                    "title": "Agile working",
                    "required_label": "Proficient in",
                    "required_rank": 3,
                    "top_rank": 4,
                    "rating": 2,
                    "self_rating": 3,
                    "gap": -1,
                    "gap_word": "below",
                }
            ],
            "plan_shown": True,
            "objectives": [
                {
                    "id": 3,
                    "title": "Lead a design review",
                    "measure": "One review led by March.",
                    "due_on": "2026-03-31",
                    "status": "in_progress",
                    "progress_notes": "",
                    "carried_from": None,
                    "position": 0,
                }
            ],
            "development_actions": [
                {
                    "id": 5,
                    "title": "Agile working course",
                    "details": "",
                    "status": "planned",
                    "due_on": None,
                    "requirement": 901,
                    "training": 2,
                    "development_activity": None,
                    "position": 0,
                    "gap": -1,
                }
            ],
        }
    ],
}


class DevelopmentViewSet(GenericViewSet):
    """A person's development plan, gaps and objectives across their appraisals."""

    # Which token scope it needs (competency/api/scopes.py).
    api_area = "appraisals"

    pagination_class = None
    serializer_class = DevelopmentSerializer
    answers_one_document = True
    # 404: a person the caller may not see.
    problem_codes = {404}
    queryset = Person.objects.none()

    @extend_schema(
        summary="A person's development across their appraisals",
        description="For each of the person's appraisals you may read, oldest cycle first: "
        "its gaps (counted as its gap chart counts them for you), objectives and development "
        "plan, as its pages show them to you. For the person, their managers up the line and "
        "HR (others: 404).",
        parameters=[PERSON_PK],
        responses=DevelopmentSerializer,
        examples=[OpenApiExample("One cycle", value=EXAMPLE, response_only=True)],
    )
    def list(self, request, *args, **kwargs):
        person = visible_person(request.user, self.kwargs["person_pk"])
        return Response(
            {
                "person": person_ref(person),
                "appraisals": [
                    self._body(request, found)
                    for found in development_over_time(request.user, person)
                ],
            }
        )

    @staticmethod
    def _body(request, found):
        appraisal = found.appraisal
        return {
            "appraisal": appraisal.pk,
            "url": appraisal_api_url(request, appraisal.pk),
            "cycle": appraisal.cycle.name,
            "opens_on": appraisal.cycle.opens_on.isoformat(),
            "stage": appraisal.stage,
            "gap_counts": found.counts,
            "gaps": [gap_row_body(row) for row in found.gaps],
            "plan_shown": found.plan_shown,
            "objectives": ObjectiveSerializer(found.objectives, many=True).data,
            "development_actions": ActionSerializer(found.actions, many=True).data,
        }
