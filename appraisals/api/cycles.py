"""Cycles over the REST API, as HR's cycle pages (appraisals/views/cycles.py)
set them up, change, open and close them: HR only (403 for anyone else, before any
cycle is looked up).

Input is checked by the pages' own forms (CycleForm, ScopeForm), and the
changes are appraisals.cycles' services. A cycle's ETag is a fingerprint of
its fields; changing, opening and closing take If-Match, compared under the cycle's
row lock in the service's transaction. Opening also takes the number of
appraisals its preview said it would create (`confirmed`), as the page's
confirmation does, and an Idempotency-Key.
"""

import hashlib

from django.db import transaction
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from appraisals import cycles, tasks
from appraisals.api.person_serializers import person_ref
from appraisals.filters import CycleFilter
from appraisals.forms import CycleForm, ScopeForm
from appraisals.models import Appraisal, Cycle, Stage
from competency import jobs
from competency.api.conditional import check_if_match, not_modified, with_etag
from competency.api.idempotency import idempotent
from competency.api.jobs import LOCATION, JobSerializer, accepted
from competency.api.pagination import PagePagination
from competency.api.permissions import IsHR
from competency.api.schema import IDEMPOTENCY_KEY, IF_MATCH, IF_NONE_MATCH, ROW_ETAG
from competency.api.views import GenericViewSet

# Names listed for each reason someone is skipped; the rest are counted.
SHOWN_SKIPPED = 20


def cycle_etag(cycle):
    fields = f"{cycle.name}|{cycle.kind}|{cycle.opens_on}|{cycle.closes_on}|{cycle.status}"
    return f"{cycle.status}.{hashlib.sha256(fields.encode()).hexdigest()[:16]}"


def locked_if_match(request, cycle):
    """Lock the cycle's row and check If-Match against it (428 without,
    412 when it changed). Call inside transaction.atomic()."""
    locked = cycles.lock(cycle)
    check_if_match(request, cycle_etag(locked))
    return locked


def form_errors(form):
    """A page form's errors as a 400 naming each field."""
    return serializers.ValidationError(
        {name: [str(message) for message in messages] for name, messages in form.errors.items()}
    )


# --- Serializers -----------------------------------------------------------------------


class CycleSerializer(serializers.ModelSerializer):
    appraisal_count = serializers.IntegerField(read_only=True)
    url = serializers.SerializerMethodField()
    etag = serializers.SerializerMethodField(help_text=ROW_ETAG)

    class Meta:
        model = Cycle
        fields = [
            *("id", "url", "name", "kind", "opens_on", "closes_on", "status"),
            *("appraisal_count", "etag"),
        ]
        read_only_fields = ["id", "status"]

    def get_etag(self, cycle) -> str:
        return f'"{cycle_etag(cycle)}"'

    def get_url(self, cycle) -> str:
        return self.context["request"].build_absolute_uri(
            reverse("api:cycle-detail", args=[cycle.pk])
        )


class CycleDetailSerializer(CycleSerializer):
    stages = inline_serializer(
        "StageCounts",
        {value: serializers.IntegerField() for value in Stage.values},
        help_text="How many of its appraisals are at each stage.",
    )
    overdue = serializers.IntegerField(
        help_text="Not signed off, and the cycle's closing date has passed."
    )

    class Meta(CycleSerializer.Meta):
        fields = [*CycleSerializer.Meta.fields, "stages", "overdue"]


class CycleCreateSerializer(serializers.Serializer):
    """Checked by the page's form (CycleForm)."""

    name = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=Cycle.Kind.choices, default=Cycle.Kind.ANNUAL)
    opens_on = serializers.DateField()
    closes_on = serializers.DateField(help_text="On or after opens_on.")


class ScopeSerializer(serializers.Serializer):
    """Whom to open the cycle for; checked by the page's form (ScopeForm)."""

    scope = serializers.ChoiceField(choices=["everyone", "job_family", "team"])
    job_family = serializers.CharField(
        required=False, allow_blank=True, help_text="The job family's slug, for job_family."
    )
    manager = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="The line manager's employee id, for team: their whole reporting line.",
    )


OVERLAPPING_HELP = (
    "What to do with the people in scope who already have an open appraisal in another "
    "cycle: `skip` them or `add` them (they then have both)."
)


class PreviewRequestSerializer(ScopeSerializer):
    overlapping = serializers.ChoiceField(
        choices=[cycles.SKIP, cycles.ADD],
        required=False,
        help_text=OVERLAPPING_HELP + " Without it, `creates` leaves them out.",
    )


class OpenSerializer(ScopeSerializer):
    confirmed = serializers.IntegerField(
        min_value=0,
        help_text="The preview's `creates` for the same `overlapping`: nothing is created if "
        "it no longer holds (409).",
    )
    overlapping = serializers.ChoiceField(
        choices=[cycles.SKIP, cycles.ADD],
        required=False,
        help_text=OVERLAPPING_HELP + " Needed when the preview's `overlapping_count` is not 0: "
        "without it, 400 and nothing is created.",
    )


class SkippedPersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    employee_id = serializers.CharField()


class SkippedSerializer(serializers.Serializer):
    reason = serializers.CharField()
    count = serializers.IntegerField()
    people = SkippedPersonSerializer(many=True, help_text=f"The first {SHOWN_SKIPPED}.")


class OpenElsewhereSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    cycle = serializers.CharField(help_text="The other cycle's name.")
    closes_on = serializers.DateField(help_text="When the other cycle closes: its due date.")
    stage = serializers.ChoiceField(choices=Stage.choices)


class OverlappingSerializer(SkippedPersonSerializer):
    open_appraisals = OpenElsewhereSerializer(many=True, help_text="Soonest due first.")


class PreviewSerializer(serializers.Serializer):
    scope = serializers.CharField(help_text="Whom, in words.")
    creates = serializers.IntegerField(
        help_text="Appraisals opening would create now, with the `overlapping` sent (without "
        "it, not counting the overlapping people)."
    )
    skipped_count = serializers.IntegerField()
    skipped = SkippedSerializer(many=True)
    overlapping_count = serializers.IntegerField(
        help_text="People in scope with an open appraisal in another cycle: opening needs "
        "`overlapping` when this is not 0."
    )
    overlapping = OverlappingSerializer(many=True, help_text=f"The first {SHOWN_SKIPPED}.")


class OpenedSerializer(serializers.Serializer):
    scope = serializers.CharField()
    created = serializers.IntegerField()
    skipped_count = serializers.IntegerField()
    overlapping_count = serializers.IntegerField(
        help_text="People in scope with an open appraisal in another cycle, skipped or added "
        "as `overlapping` said."
    )
    cycle = CycleDetailSerializer()


def skipped_body(opening):
    return [
        {
            "reason": group["reason"],
            "count": group["count"],
            "people": [person_ref(person) for person in group["people"]],
        }
        for group in opening.skipped_by_reason(SHOWN_SKIPPED)
    ]


def overlapping_body(opening):
    return [
        {
            **person_ref(person),
            "open_appraisals": [
                {
                    "id": appraisal.pk,
                    "cycle": appraisal.cycle.name,
                    "closes_on": appraisal.cycle.closes_on,
                    "stage": appraisal.stage,
                }
                for appraisal in appraisals
            ],
        }
        for person, appraisals in opening.overlapping_shown(SHOWN_SKIPPED)
    ]


# --- The viewset ------------------------------------------------------------------------


CYCLE_ID = OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH)
EXAMPLE_CYCLE = {
    "id": 3,
    "url": "https://competency.example.org/api/v1/cycles/3/",
    "name": "Annual review 2025",
    "kind": "annual",
    "opens_on": "2025-04-01",
    "closes_on": "2025-06-30",
    "status": "open",
    "appraisal_count": 412,
    "etag": '"9b2c41e07d3a5f18"',
}
EXAMPLE_DETAIL = {
    **EXAMPLE_CYCLE,
    "stages": {
        "draft": 12,
        "self_assessment": 150,
        "manager_review": 100,
        "review_shared": 20,
        "agreed": 30,
        "signed_off": 100,
    },
    "overdue": 0,
}
SCOPE_EXAMPLE = OpenApiExample(
    "A manager's team", value={"scope": "team", "manager": "E1007"}, request_only=True
)


@extend_schema_view(
    list=extend_schema(
        summary="Cycles (HR)",
        description="Every appraisal cycle with how many appraisals it has.",
        examples=[
            # A row: drf-spectacular makes the page of it.
            OpenApiExample("A page", value=EXAMPLE_CYCLE, response_only=True)
        ],
    ),
    retrieve=extend_schema(
        summary="A cycle with its stage counts (HR)",
        parameters=[CYCLE_ID, IF_NONE_MATCH],
        responses={200: CycleDetailSerializer, 304: OpenApiResponse(description="Not modified.")},
        examples=[OpenApiExample("Open", value=EXAMPLE_DETAIL, response_only=True)],
    ),
    create=extend_schema(
        summary="Set up a cycle (HR)",
        description="A draft cycle: nobody is appraised until it is opened for a scope.",
        parameters=[IDEMPOTENCY_KEY],
        request=CycleCreateSerializer,
        responses={201: CycleDetailSerializer},
        examples=[
            OpenApiExample(
                "Annual",
                value={
                    "name": "Annual review 2025",
                    "kind": "annual",
                    "opens_on": "2025-04-01",
                    "closes_on": "2025-06-30",
                },
                request_only=True,
            ),
            OpenApiExample(
                "Created",
                value={**EXAMPLE_DETAIL, "status": "draft", "appraisal_count": 0},
                response_only=True,
            ),
        ],
    ),
    partial_update=extend_schema(
        summary="Change a cycle (HR)",
        description="Its name, kind or dates, checked as the edit page checks them.",
        parameters=[CYCLE_ID, IF_MATCH],
        request=CycleCreateSerializer(partial=True),
        responses={200: CycleDetailSerializer},
        examples=[
            OpenApiExample("Later", value={"closes_on": "2025-07-31"}, request_only=True),
            OpenApiExample(
                "Changed", value={**EXAMPLE_DETAIL, "closes_on": "2025-07-31"}, response_only=True
            ),
        ],
    ),
)
class CycleViewSet(GenericViewSet):
    """Appraisal cycles: HR set them up, open them for a scope (which creates
    the appraisals) and close them, as on their pages."""

    # Which token scope it needs (competency/api/scopes.py).
    api_area = "appraisals"

    permission_classes = [IsHR]
    serializer_class = CycleSerializer
    pagination_class = PagePagination
    filterset_class = CycleFilter.offering(*CycleFilter.API)
    lookup_value_regex = r"[0-9]+"

    def get_queryset(self):
        return CycleFilter.rows()

    def filter_queryset(self, queryset):
        return super().filter_queryset(queryset) if self.action == "list" else queryset

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def _detail(self, cycle):
        appraisals = Appraisal.objects.filter(cycle=cycle)
        counts = appraisals.stage_counts()
        cycle.appraisal_count = sum(counts.values())
        body = dict(CycleSerializer(cycle, context=self.get_serializer_context()).data)
        body["stages"] = {value: counts.get(value, 0) for value in Stage.values}
        body["overdue"] = appraisals.overdue(timezone.localdate()).count()
        return body

    def _respond(self, pk, status_code=200, request=None):
        cycle = get_object_or_404(Cycle, pk=pk)
        etag = cycle_etag(cycle)
        if request is not None:
            cached = not_modified(request, etag)
            if cached is not None:
                return cached
        return with_etag(Response(self._detail(cycle), status=status_code), etag)

    def retrieve(self, request, pk=None):
        return self._respond(pk, request=request)

    @idempotent
    def create(self, request, *args, **kwargs):
        given = CycleCreateSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        form = CycleForm(data=given.validated_data)
        if not form.is_valid():
            raise form_errors(form)
        cycle = form.save()
        response = self._respond(cycle.pk, status.HTTP_201_CREATED)
        response["Location"] = request.build_absolute_uri(
            reverse("api:cycle-detail", args=[cycle.pk])
        )
        return response

    def partial_update(self, request, pk=None):
        cycle = get_object_or_404(Cycle, pk=pk)
        given = CycleCreateSerializer(data=request.data, partial=True)
        given.is_valid(raise_exception=True)
        with transaction.atomic():
            locked = locked_if_match(request, cycle)
            current = {name: getattr(locked, name) for name in CycleForm._meta.fields}
            form = CycleForm(data={**current, **given.validated_data}, instance=locked)
            if not form.is_valid():
                raise form_errors(form)
            form.save()
        return self._respond(pk)

    def _scope(self, data):
        form = ScopeForm(data={name: data.get(name, "") for name in ScopeSerializer().fields})
        if not form.is_valid():
            raise form_errors(form)
        return form.to_scope()

    @extend_schema(
        summary="Preview opening for a scope (writes nothing)",
        description="Whom opening the cycle for this scope would appraise now, and who would "
        "be skipped and why. Send `creates` back as `confirmed` to open.",
        parameters=[CYCLE_ID],
        request=PreviewRequestSerializer,
        responses=PreviewSerializer,
        examples=[
            SCOPE_EXAMPLE,
            OpenApiExample(
                "The preview",
                value={
                    "scope": "Mo Khan's team",
                    "creates": 5,
                    "skipped_count": 1,
                    "skipped": [
                        {
                            "reason": "has no role profile",
                            "count": 1,
                            "people": [{"id": 31, "name": "Tia Jones", "employee_id": "E1031"}],
                        }
                    ],
                    "overlapping_count": 1,
                    "overlapping": [
                        {
                            "id": 32,
                            "name": "Sam Lee",
                            "employee_id": "E1032",
                            "open_appraisals": [
                                {
                                    "id": 411,
                                    "cycle": "Annual review 2025",
                                    "closes_on": "2025-06-30",
                                    "stage": "manager_review",
                                }
                            ],
                        }
                    ],
                },
                response_only=True,
            ),
        ],
    )
    @action(detail=True, methods=["post"])
    def preview(self, request, pk=None):
        cycle = get_object_or_404(Cycle, pk=pk)
        given = PreviewRequestSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        scope = self._scope(given.validated_data)
        preview = cycles.preview_opening(
            cycle=cycle, scope=scope, overlapping=given.validated_data.get("overlapping")
        )
        return Response(
            {
                "scope": str(scope),
                "creates": len(preview.created),
                "skipped_count": len(preview.skipped),
                "skipped": skipped_body(preview),
                "overlapping_count": len(preview.overlapping),
                "overlapping": overlapping_body(preview),
            }
        )

    @extend_schema(
        summary="Open for a scope",
        description="Opens a draft cycle and creates one appraisal, in draft, for each person "
        "in scope who has none in it yet (against their profile's version in force), in one "
        "transaction. Again for an overlapping scope creates none twice. People in scope who "
        "already have an open appraisal in another cycle are skipped or added as "
        "`overlapping` says; without it, when there are any, 400 naming the field. Refused "
        "(409) for a closed cycle, or when the preview's number no longer holds. Where the "
        "service runs background workers, it answers 202 with the job (its address in "
        "Location) once those checks pass, and the job's `result` says what was created.",
        parameters=[CYCLE_ID, IF_MATCH, IDEMPOTENCY_KEY, LOCATION],
        request=OpenSerializer,
        responses={200: OpenedSerializer, 202: JobSerializer},
        examples=[
            OpenApiExample(
                "Mo's team, as previewed",
                value={"scope": "team", "manager": "E1007", "confirmed": 5, "overlapping": "skip"},
                request_only=True,
            ),
            OpenApiExample(
                "Opened",
                value={
                    "scope": "Mo Khan's team",
                    "created": 5,
                    "skipped_count": 2,
                    "overlapping_count": 1,
                    "cycle": EXAMPLE_DETAIL,
                },
                response_only=True,
            ),
        ],
    )
    @action(detail=True, methods=["post"], url_path="open")
    @idempotent
    def open_for(self, request, pk=None):
        cycle = get_object_or_404(Cycle, pk=pk)
        given = OpenSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        scope = self._scope(given.validated_data)
        if jobs.in_background():
            with transaction.atomic():
                locked = locked_if_match(request, cycle)
            job = tasks.start_opening(
                cycle=locked,
                scope=scope,
                by=request.user,
                confirmed=given.validated_data["confirmed"],
                overlapping=given.validated_data.get("overlapping"),
            )
            return accepted(job)
        with transaction.atomic():
            locked = locked_if_match(request, cycle)
            opening = cycles.open_cycle(
                cycle=locked,
                scope=scope,
                by=request.user,
                confirmed=given.validated_data["confirmed"],
                overlapping=given.validated_data.get("overlapping"),
            )
        cycle = get_object_or_404(Cycle, pk=pk)
        return with_etag(
            Response(
                {
                    "scope": str(scope),
                    "created": len(opening.created),
                    "skipped_count": len(opening.skipped),
                    "overlapping_count": len(opening.overlapping),
                    "cycle": self._detail(cycle),
                }
            ),
            cycle_etag(cycle),
        )

    @extend_schema(
        summary="Close",
        description="Nothing more is added to it; its appraisals go on until signed off. "
        "Only an open cycle closes (409 otherwise).",
        parameters=[CYCLE_ID, IF_MATCH],
        request=None,
        responses={200: CycleDetailSerializer},
        examples=[
            OpenApiExample(
                "Closed", value={**EXAMPLE_DETAIL, "status": "closed"}, response_only=True
            )
        ],
    )
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        cycle = get_object_or_404(Cycle, pk=pk)
        with transaction.atomic():
            locked = locked_if_match(request, cycle)
            cycles.close_cycle(cycle=locked)
        return self._respond(pk)
