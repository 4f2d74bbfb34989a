"""Probation over the REST API, as appraisals/views/probation.py: whoever
may read the person reads their checkpoints and decisions
(ProbationCheckpoint.objects.visible_to); their line manager and HR
complete a checkpoint and record the outcome through probation.py, whose
refusals are 403 for someone probation.may_act refuses and 409 (the
service's reason) otherwise. Completing takes the checkpoint's ETag in
If-Match, compared under its row lock; a decision takes Idempotency-Key."""

from django.db import transaction
from django.utils import timezone
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import exceptions, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from appraisals import probation
from appraisals.api.bodies import body_dict, dates_as_text, day, form_errors, typed
from appraisals.api.etags import etag_of
from appraisals.api.person_scoped import PERSON_PK, PersonScoped
from appraisals.forms import CheckpointForm, ProbationDecisionForm
from appraisals.models import CheckIn, ProbationCheckpoint, ProbationDecision
from competency.api.conditional import check_if_match, not_modified, quoted, with_etag
from competency.api.idempotency import idempotent
from competency.api.schema import IDEMPOTENCY_KEY, IF_MATCH, IF_NONE_MATCH, ROW_ETAG
from competency.api.views import GenericViewSet


class CheckpointSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    months = serializers.IntegerField(help_text="Months after the start date.")
    due_on = serializers.DateField()
    completed_on = serializers.DateField(allow_null=True)
    overdue = serializers.BooleanField()
    notes = serializers.CharField(allow_blank=True)
    check_in = serializers.IntegerField(allow_null=True, help_text="The check-in's id, if any.")
    etag = serializers.CharField(help_text=ROW_ETAG)

    def to_representation(self, checkpoint):
        today = self.context.get("today") or timezone.localdate()
        row = {
            "id": checkpoint.pk,
            "months": checkpoint.months,
            "due_on": day(checkpoint.due_on),
            "completed_on": day(checkpoint.completed_on),
            "overdue": checkpoint.completed_on is None and checkpoint.due_on < today,
            "notes": checkpoint.notes,
            "check_in": checkpoint.check_in_id,
        }
        return {**row, "etag": quoted(etag_of(row))}


def checkpoint_etag(checkpoint):
    return etag_of(CheckpointSerializer().to_representation(checkpoint))


class CompleteSerializer(serializers.Serializer):
    notes = serializers.CharField(required=False, allow_blank=True, default="")
    check_in = serializers.IntegerField(
        required=False, allow_null=True, help_text="A check-in with the person that was it."
    )


class DecisionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    outcome = serializers.ChoiceField(choices=ProbationDecision.Outcome.choices)
    extended_to = serializers.DateField(allow_null=True)
    notes = serializers.CharField(allow_blank=True)
    decided_by = serializers.CharField(allow_null=True, help_text="The account's username.")
    decided_at = serializers.DateTimeField()

    def to_representation(self, decision):
        return {
            "id": decision.pk,
            "outcome": decision.outcome,
            "extended_to": day(decision.extended_to),
            "notes": decision.notes,
            "decided_by": decision.decided_by.get_username() if decision.decided_by else None,
            "decided_at": serializers.DateTimeField().to_representation(decision.decided_at),
        }


class DecideSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=ProbationDecision.Outcome.choices)
    extended_to = serializers.DateField(
        required=False, allow_null=True, help_text="Only when extending: the new end date."
    )
    notes = serializers.CharField(required=False, allow_blank=True)


def refused_or_conflict(user, person, error):
    """A probation service's refusal: 403 for someone who may not act on this
    person (probation.may_act, the rule the service applied), else the
    service's reason (409, the state does not allow it)."""
    if not probation.may_act(user, person):
        return exceptions.PermissionDenied(" ".join(error.messages))
    return error


CHECKPOINT_EXAMPLE = OpenApiExample(
    "A checkpoint",
    value={
        "id": 4,
        "months": 3,
        "due_on": "2025-07-01",
        "completed_on": None,
        "overdue": True,
        "notes": "",
        "check_in": None,
        "etag": '"0c6f2a8e91d47b35"',
    },
    response_only=True,
)


@extend_schema_view(
    list=extend_schema(
        summary="A person's probation checkpoints",
        description="For whoever may read the person; by due date.",
        parameters=[PERSON_PK],
        responses=CheckpointSerializer(many=True),
        examples=[CHECKPOINT_EXAMPLE],
    ),
    retrieve=extend_schema(
        summary="A probation checkpoint",
        parameters=[PERSON_PK, IF_NONE_MATCH],
        responses={200: CheckpointSerializer, 304: OpenApiResponse(description="Not modified.")},
        examples=[CHECKPOINT_EXAMPLE],
    ),
)
class CheckpointViewSet(PersonScoped, GenericViewSet):
    """Probation checkpoints, completed by the line manager or HR."""

    # Which token scope it needs (competency/api/scopes.py).
    api_area = "appraisals"

    serializer_class = CheckpointSerializer
    pagination_class = None
    lookup_value_regex = r"[0-9]{1,9}"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ProbationCheckpoint.objects.none()
        return (
            ProbationCheckpoint.objects.visible_to(self.request.user)
            .filter(person=self.person())
            .order_by("due_on", "pk")
        )

    def list(self, request, *args, **kwargs):
        return Response(self.get_serializer(self.get_queryset(), many=True).data)

    def _respond(self, checkpoint, request=None):
        etag = checkpoint_etag(checkpoint)
        if request is not None and (cached := not_modified(request, etag)):
            return cached
        return with_etag(Response(self.get_serializer(checkpoint).data), etag)

    def retrieve(self, request, *args, **kwargs):
        return self._respond(self.get_object(), request=request)

    @extend_schema(
        summary="Complete a checkpoint (line manager or HR)",
        description="Completed today, with notes and, if you like, the check-in it was. "
        "Others who may read it: 403; one already completed: 409.",
        parameters=[PERSON_PK, IF_MATCH],
        request=CompleteSerializer,
        responses=CheckpointSerializer,
        examples=[
            OpenApiExample(
                "Notes",
                value={"notes": "On track: first release shipped.", "check_in": 12},
                request_only=True,
            ),
            CHECKPOINT_EXAMPLE,
        ],
    )
    @action(detail=True, methods=["post"])
    def complete(self, request, *args, **kwargs):
        checkpoint = self.get_object()
        given = CompleteSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        form = CheckpointForm({"notes": given.validated_data["notes"]})
        if not form.is_valid():
            raise serializers.ValidationError(form_errors(form))
        check_in = None
        if given.validated_data.get("check_in") is not None:
            check_in = (
                CheckIn.objects.visible_to(request.user)
                .filter(pk=given.validated_data["check_in"])
                .first()
            )
            if check_in is None:
                raise serializers.ValidationError({"check_in": ["No such check-in."]})
        person = self.person()
        with transaction.atomic():
            locked = ProbationCheckpoint.objects.select_for_update().get(pk=checkpoint.pk)
            check_if_match(request, checkpoint_etag(locked))
            try:
                probation.complete_checkpoint(
                    checkpoint=locked,
                    by=request.user,
                    completed_on=timezone.localdate(),
                    notes=form.cleaned_data["notes"],
                    check_in=check_in,
                )
            except probation.ProbationError as error:
                raise refused_or_conflict(request.user, person, error) from None
        return self._respond(self.get_queryset().get(pk=checkpoint.pk))


DECISION_EXAMPLE = OpenApiExample(
    "Extended",
    value={
        "id": 3,
        "outcome": "extended",
        "extended_to": "2025-12-31",
        "notes": "More time to show the on-call skills.",
        "decided_by": "mo",
        "decided_at": "2025-09-30T10:15:00Z",
    },
    response_only=True,
)


@extend_schema_view(
    list=extend_schema(
        summary="A person's probation decisions",
        description="For whoever may read the person; oldest first. Kept, never edited.",
        parameters=[PERSON_PK],
        responses=DecisionSerializer(many=True),
        examples=[DECISION_EXAMPLE],
    ),
    create=extend_schema(
        summary="Record the outcome of a probation (line manager or HR)",
        description="Passed, extended (with a new end date after the current one, which gets "
        "the checkpoints now due before it) or not confirmed. Others who may read the person: "
        "403; someone not on probation: 409.",
        parameters=[PERSON_PK, IDEMPOTENCY_KEY],
        request=DecideSerializer,
        responses={201: DecisionSerializer},
        examples=[
            OpenApiExample(
                "Extend",
                value={"outcome": "extended", "extended_to": "2025-12-31", "notes": ""},
                request_only=True,
            ),
            DECISION_EXAMPLE,
        ],
    ),
)
class DecisionViewSet(PersonScoped, GenericViewSet):
    """Probation outcomes, decided by the line manager or HR."""

    # Which token scope it needs (competency/api/scopes.py).
    api_area = "appraisals"

    serializer_class = DecisionSerializer
    pagination_class = None
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ProbationDecision.objects.none()
        return ProbationDecision.objects.filter(person=self.person()).select_related("decided_by")

    def list(self, request, *args, **kwargs):
        return Response(self.get_serializer(self.get_queryset(), many=True).data)

    @idempotent
    def create(self, request, *args, **kwargs):
        person = self.person()
        if not probation.may_act(request.user, person):
            # The right before the body (probation.may_act, the service's rule).
            raise exceptions.PermissionDenied(
                f"Only {person.name}'s line manager or HR can decide their probation."
            )
        given = typed(
            body_dict(request),
            dates=("extended_to",),
            texts=("outcome", "notes"),
            nullable=("extended_to",),
        )
        form = ProbationDecisionForm(dates_as_text(given))
        if not form.is_valid():
            raise serializers.ValidationError(form_errors(form))
        try:
            decision = probation.decide_probation(
                person=person, by=request.user, **form.cleaned_data
            )
        except probation.ProbationError as error:
            raise refused_or_conflict(request.user, person, error) from None
        decision = self.get_queryset().get(pk=decision.pk)
        return Response(self.get_serializer(decision).data, status=status.HTTP_201_CREATED)
