"""An appraisal's objectives and development plan over the REST API, as its
page shows and changes them: through the appraisal the caller may read
(404 otherwise), with the services of appraisals/plans.py, under the
appraisal's lock and ETag (every change to them is a change of the
appraisal: its revision goes up).
"""

from django.db import transaction
from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import exceptions, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from appraisals import plans, workflow
from appraisals.access import is_the_person, sees_plan
from appraisals.api.appraisal_serializers import (
    ActionCreateSerializer,
    ActionSerializer,
    ActionWriteSerializer,
    ObjectiveProgressSerializer,
    ObjectiveSerializer,
    ObjectiveWriteSerializer,
    SuggestionSerializer,
)
from appraisals.api.appraisals import appraisal_etag, confirmed_stage, readable
from appraisals.models import Appraisal, DevelopmentAction, Objective
from competency.api.conditional import not_modified, with_etag
from competency.api.idempotency import idempotent
from competency.api.schema import IDEMPOTENCY_KEY, IF_MATCH, IF_NONE_MATCH
from competency.api.views import GenericViewSet


class AppraisalChildViewSet(GenericViewSet):
    """What hangs off one appraisal: found through the appraisal the caller
    may read (404 otherwise), changed under its lock and ETag."""

    # Which token scope it needs (competency/api/scopes.py).
    api_area = "appraisals"

    pagination_class = None
    lookup_value_regex = r"[0-9]+"
    http_method_names = ["get", "post", "patch", "head", "options"]

    def appraisal(self):
        if not hasattr(self, "_appraisal"):
            self._appraisal = get_object_or_404(
                readable(self.request.user), pk=self.kwargs["appraisal_pk"]
            )
        return self._appraisal

    def child(self, pk):
        return get_object_or_404(self.children(self.appraisal()), pk=pk)

    def _etag_of_appraisal(self):
        return appraisal_etag(
            Appraisal.objects.only("revision", "stage").get(pk=self.appraisal().pk)
        )

    def _one(self, obj, status_code=200, location=False):
        response = Response(self.body(obj), status=status_code)
        if location:
            response["Location"] = self.request.build_absolute_uri(
                reverse(f"api:{self.basename}-detail", args=[self.appraisal().pk, obj.pk])
            )
        return with_etag(response, self._etag_of_appraisal())

    def list(self, request, *args, **kwargs):
        appraisal = self.appraisal()
        etag = appraisal_etag(appraisal)
        cached = not_modified(request, etag)
        if cached is not None:
            return cached
        rows = [self.body(obj) for obj in self.children(appraisal)]
        return with_etag(Response(rows), etag)

    def retrieve(self, request, *args, pk=None, **kwargs):
        obj = self.child(pk)
        etag = appraisal_etag(self.appraisal())
        return not_modified(request, etag) or with_etag(Response(self.body(obj)), etag)


EXAMPLE_OBJECTIVE = {
    "id": 5,
    "title": "Run the platform's incident reviews",
    "measure": "Every incident reviewed within a week",
    "due_on": "2026-03-31",
    "status": "in_progress",
    "progress_notes": "",
    "carried_from": None,
    "position": 0,
}


def child_schema(kind, body, example, write=None):
    appraisal = OpenApiParameter("appraisal_pk", OpenApiTypes.INT, OpenApiParameter.PATH)
    child = OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH)
    shown = OpenApiExample(
        f"An {kind}" if kind[0] in "aeio" else f"A {kind}", value=example, response_only=True
    )
    # One row: drf-spectacular makes the list of it.
    listed = OpenApiExample(f"The {kind}s", value=example, response_only=True)
    sent = {name: example[name] for name in ("title", "status", "due_on") if name in example}
    asked = OpenApiExample("Sent", value=sent, request_only=True)
    return extend_schema_view(
        list=extend_schema(
            summary=f"The appraisal's {kind}s",
            description="Everyone who may read the appraisal. The ETag is the appraisal's.",
            parameters=[appraisal, IF_NONE_MATCH],
            responses={200: body(many=True), 304: OpenApiResponse(description="Not modified.")},
            examples=[listed],
        ),
        retrieve=extend_schema(
            summary=f"One {kind}",
            parameters=[appraisal, child, IF_NONE_MATCH],
            responses={200: body, 304: OpenApiResponse(description="Not modified.")},
            examples=[shown],
        ),
        create=extend_schema(
            summary=f"Add an {kind}" if kind[0] in "aeio" else f"Add a {kind}",
            description="The manager in draft, manager review and agreed, the person once "
            "agreed, HR in draft; nothing once someone signed (409 otherwise). If-Match: "
            "the appraisal's ETag; the answer carries its new one.",
            parameters=[appraisal, IF_MATCH, IDEMPOTENCY_KEY],
            request=write[0],
            responses={201: body},
            examples=[asked, shown],
        ),
        partial_update=extend_schema(
            summary=f"Change the {kind}",
            description="Who may, as for adding. If-Match: the appraisal's ETag.",
            parameters=[appraisal, child, IF_MATCH],
            request=write[1],
            responses={200: body},
            examples=[asked, shown],
        ),
    )


@child_schema(
    "objective",
    ObjectiveSerializer,
    EXAMPLE_OBJECTIVE,
    write=(ObjectiveWriteSerializer, ObjectiveWriteSerializer(partial=True)),
)
class ObjectiveViewSet(AppraisalChildViewSet):
    """An appraisal's objectives (plans.add_objective and update_objective)."""

    # And the person's progress on them: `progress` (plans.record_objective_progress).

    serializer_class = ObjectiveSerializer
    queryset = Objective.objects.none()  # for the schema: the rows come from the appraisal

    def children(self, appraisal):
        if not sees_plan(self.request.user, appraisal):
            return Objective.objects.none()
        return appraisal.objectives.all()

    def body(self, objective):
        return ObjectiveSerializer(objective).data

    @idempotent
    def create(self, request, *args, **kwargs):
        # The appraisal before the body: one the caller may not read is a
        # 404, not a hint from the body's errors.
        appraisal = self.appraisal()
        given = ObjectiveWriteSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        with transaction.atomic():
            stage = confirmed_stage(request, appraisal)
            objective = plans.add_objective(
                appraisal=appraisal, by=request.user, confirmed_stage=stage, **given.validated_data
            )
        return self._one(objective, status.HTTP_201_CREATED, location=True)

    def partial_update(self, request, *args, pk=None, **kwargs):
        objective = self.child(pk)
        given = ObjectiveWriteSerializer(data=request.data, partial=True)
        given.is_valid(raise_exception=True)
        with transaction.atomic():
            stage = confirmed_stage(request, self.appraisal())
            objective = plans.update_objective(
                objective=objective, by=request.user, confirmed_stage=stage, **given.validated_data
            )
        return self._one(objective)

    @extend_schema(
        summary="Record your progress on your own objective",
        description="The person whose appraisal it is, on an objective agreed with them (or "
        "carried over into it), until the appraisal is signed: its status, its progress "
        "note or both (what is not sent is kept), as on their growth page "
        "(plans.record_objective_progress). Anyone else who may read it: 403. Not agreed "
        "yet, signed or signed off: 409. If-Match: the appraisal's ETag (a manager's change "
        "meanwhile is 412, never overwritten); the answer carries its new one.",
        parameters=[
            OpenApiParameter("appraisal_pk", OpenApiTypes.INT, OpenApiParameter.PATH),
            OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH),
            IF_MATCH,
        ],
        request=ObjectiveProgressSerializer,
        responses={200: ObjectiveSerializer},
        examples=[
            OpenApiExample(
                "Sent",
                value={"status": "in_progress", "progress_notes": "Two reviews held."},
                request_only=True,
            ),
            OpenApiExample(
                "The objective",
                value={**EXAMPLE_OBJECTIVE, "progress_notes": "Two reviews held."},
                response_only=True,
            ),
        ],
    )
    @action(detail=True, methods=["post"])
    def progress(self, request, *args, pk=None, **kwargs):
        objective = self.child(pk)
        appraisal = self.appraisal()
        if not is_the_person(request.user, appraisal):
            # Before the precondition: whatever the ETag, it is not theirs to write.
            raise plans.NotYourObjective(plans.NOT_THE_PERSON)
        given = ObjectiveProgressSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        with transaction.atomic():
            # The appraisal locked and If-Match checked against its revision,
            # which every change of an objective raises: the service writes
            # under the same lock.
            confirmed_stage(request, appraisal)
            objective = plans.record_objective_progress(
                objective=objective, by=request.user, confirmed=None, **given.validated_data
            )
        return self._one(objective)


@child_schema(
    "action",
    ActionSerializer,
    {
        "id": 8,
        "title": "Agile working course",
        "details": "Agile basics.",
        "status": "planned",
        "due_on": None,
        "requirement": 901,
        "training": 14,
        "development_activity": None,
        "position": 0,
        "gap": -1,
    },
    write=(ActionCreateSerializer, ActionWriteSerializer(partial=True)),
)
class DevelopmentActionViewSet(AppraisalChildViewSet):
    """An appraisal's development plan, biggest gaps first
    (plans.add_development_action and update_development_action), and the
    profile's training and PDAs suggested for its gaps."""

    serializer_class = ActionSerializer
    queryset = DevelopmentAction.objects.none()  # for the schema

    def children(self, appraisal):
        if not sees_plan(self.request.user, appraisal):
            return DevelopmentAction.objects.none()
        return appraisal.development_actions.biggest_gaps_first()

    def body(self, action):
        return ActionSerializer(action).data

    def _requirement(self, data):
        """The `requirement` argument for the service from the body's id:
        only a requirement of this appraisal."""
        if "requirement" not in data:
            return {}
        pk = data.pop("requirement")
        if pk is None:
            return {"requirement": None}
        requirement = self.appraisal().requirements.filter(pk=pk).first()
        if requirement is None:
            raise serializers.ValidationError(
                {"requirement": ["This appraisal has no such requirement."]}
            )
        return {"requirement": requirement}

    @idempotent
    def create(self, request, *args, **kwargs):
        appraisal = self.appraisal()  # before the body, as for objectives
        given = ActionCreateSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        values = dict(given.validated_data)
        values.update(self._requirement(values))
        option = values.pop("option", "")
        with transaction.atomic():
            stage = confirmed_stage(request, appraisal)
            # The options come from the gaps: looked up only for those who may
            # plan (the service refuses everyone else with its own reason).
            source = {}
            if option and plans.may_plan(request.user, appraisal):
                try:
                    source = plans.offered_option(appraisal, option)
                except workflow.WorkflowError as error:
                    raise serializers.ValidationError({"option": error.messages}) from None
            action = plans.add_development_action(
                appraisal=appraisal, by=request.user, confirmed_stage=stage, **source, **values
            )
        return self._one(self.children(appraisal).get(pk=action.pk), 201, location=True)

    def partial_update(self, request, *args, pk=None, **kwargs):
        action = self.child(pk)
        given = ActionWriteSerializer(data=request.data, partial=True)
        given.is_valid(raise_exception=True)
        values = dict(given.validated_data)
        values.update(self._requirement(values))
        with transaction.atomic():
            stage = confirmed_stage(request, self.appraisal())
            plans.update_development_action(
                action=action, by=request.user, confirmed_stage=stage, **values
            )
        return self._one(self.children(self.appraisal()).get(pk=action.pk))

    @extend_schema(
        summary="Training and PDAs suggested for the gaps",
        description="The profile version's training items and PDAs for each requirement "
        "rated below what it requires, biggest gap first, as the page offers them: those "
        "that develop the requirement's skill or knowledge item first (`develops`), then "
        "the rest of the profile's. Only to those who may plan now (403 otherwise).",
        parameters=[OpenApiParameter("appraisal_pk", OpenApiTypes.INT, OpenApiParameter.PATH)],
        responses=SuggestionSerializer(many=True),
        examples=[
            OpenApiExample(
                "One gap",
                # One row: drf-spectacular makes the list of it.
                value={
                    "requirement": 901,
                    "title": "Agile working",
                    "gap": -1,
                    "options": [
                        {
                            "option": "training-14",
                            "kind": "training",
                            "id": 14,
                            "title": "Agile working course",
                            "details": "Agile basics.",
                            "develops": True,
                            "planned": False,
                        }
                    ],
                },
                response_only=True,
            )
        ],
    )
    @action(detail=False, methods=["get"])
    def suggestions(self, request, *args, **kwargs):
        appraisal = self.appraisal()
        if not plans.may_plan(request.user, appraisal):
            raise exceptions.PermissionDenied(
                "Suggestions are for those who may plan now: the manager in draft and "
                "manager review, both once agreed, HR in draft."
            )
        return Response(
            [
                {
                    "requirement": suggestion.requirement.pk,
                    "title": suggestion.requirement.title,
                    "gap": suggestion.gap,
                    "options": [
                        {
                            "option": plans.option_key(item),
                            "kind": plans.option_key(item).split("-")[0],
                            "id": item.pk,
                            "title": item.title,
                            "details": item.details,
                            "develops": position < len(suggestion.developing),
                            "planned": plans.option_key(item) in suggestion.planned,
                        }
                        for position, item in enumerate(suggestion.options)
                    ],
                }
                for suggestion in plans.suggest_development_actions(appraisal)
            ]
        )
