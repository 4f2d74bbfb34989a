"""Check-ins over the REST API: 1:1 notes between a person and their line
manager, as appraisals/views/check_ins.py. The person, their line manager
and HR read them (access.can_read_check_ins, then CheckIn.objects.
visible_to; anyone else 404); the line manager records one and the
manager who held one changes it (plans.record_check_in, update_check_in,
which refuse anyone else: 403 here). A change takes If-Match, compared
under the check-in's row lock."""

from django.db import transaction
from django.urls import reverse
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response

from appraisals import plans
from appraisals.access import can_read_check_ins
from appraisals.api.bodies import body_dict, dates_as_text, day, form_errors, typed
from appraisals.api.etags import etag_of
from appraisals.api.person_scoped import PERSON_PK, PersonScoped
from appraisals.api.person_serializers import PersonRefSerializer, person_ref
from appraisals.forms import CheckInForm
from appraisals.models import CheckIn
from competency.api.conditional import check_if_match, not_modified, quoted, with_etag
from competency.api.idempotency import idempotent
from competency.api.pagination import PagePagination
from competency.api.schema import IDEMPOTENCY_KEY, IF_MATCH, IF_NONE_MATCH, ROW_ETAG
from competency.api.views import GenericViewSet

# The JSON types of a check-in's fields, checked before its form reads them.
CHECK_IN_TYPES = {"dates": ("held_on",), "texts": ("notes", "agreed_actions")}


def check_in_etag(check_in):
    return etag_of(CheckInSerializer().to_representation(check_in))


class CheckInSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    held_on = serializers.DateField()
    manager = PersonRefSerializer()
    notes = serializers.CharField(allow_blank=True)
    agreed_actions = serializers.CharField(allow_blank=True)
    etag = serializers.CharField(help_text=ROW_ETAG)

    def to_representation(self, check_in):
        row = {
            "id": check_in.pk,
            "held_on": day(check_in.held_on),
            "manager": person_ref(check_in.manager),
            "notes": check_in.notes,
            "agreed_actions": check_in.agreed_actions,
        }
        return {**row, "etag": quoted(etag_of(row))}


class CheckInWriteSerializer(serializers.Serializer):
    held_on = serializers.DateField()
    notes = serializers.CharField(required=False, allow_blank=True)
    agreed_actions = serializers.CharField(required=False, allow_blank=True)


CHECK_IN_EXAMPLE = OpenApiExample(
    "A check-in",
    value={
        "id": 12,
        "held_on": "2025-05-14",
        "manager": {"id": 2, "employee_id": "E2", "name": "Mo Manager"},
        "notes": "Settling in well; wants to pair on the deployment pipeline.",
        "agreed_actions": "Mo books the pipeline walkthrough.",
        "etag": '"5e0d7a913c2b4f86"',
    },
    response_only=True,
)


@extend_schema_view(
    list=extend_schema(
        summary="A person's check-ins",
        description="For the person, their line manager and HR (anyone else: 404); newest first.",
        parameters=[PERSON_PK],
        responses=CheckInSerializer(many=True),
        examples=[CHECK_IN_EXAMPLE],
    ),
    retrieve=extend_schema(
        summary="A check-in",
        parameters=[PERSON_PK, IF_NONE_MATCH],
        responses={200: CheckInSerializer, 304: OpenApiResponse(description="Not modified.")},
        examples=[CHECK_IN_EXAMPLE],
    ),
    create=extend_schema(
        summary="Record a check-in",
        description="Only the person's line manager records one (others: 403).",
        parameters=[PERSON_PK, IDEMPOTENCY_KEY],
        request=CheckInWriteSerializer,
        responses={201: CheckInSerializer},
        examples=[
            OpenApiExample(
                "A check-in",
                value={"held_on": "2025-05-14", "notes": "Settling in well.", "agreed_actions": ""},
                request_only=True,
            ),
            CHECK_IN_EXAMPLE,
        ],
    ),
    partial_update=extend_schema(
        summary="Change a check-in's date, notes or agreed actions",
        description="Only the manager who held it (others: 403).",
        parameters=[PERSON_PK, IF_MATCH],
        request=CheckInWriteSerializer,
        responses=CheckInSerializer,
        examples=[CHECK_IN_EXAMPLE],
    ),
)
class CheckInViewSet(PersonScoped, GenericViewSet):
    """1:1 check-ins between a person and their line manager."""

    # Which token scope it needs (competency/api/scopes.py).
    api_area = "appraisals"

    serializer_class = CheckInSerializer
    pagination_class = PagePagination
    lookup_value_regex = r"[0-9]{1,9}"
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator
            return CheckIn.objects.none()
        person = self.person()
        if not can_read_check_ins(self.request.user, person):
            raise exceptions.NotFound()
        return (
            CheckIn.objects.visible_to(self.request.user)
            .filter(person=person)
            .select_related("manager")
        )

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def _respond(self, check_in, status_code=200, request=None):
        etag = check_in_etag(check_in)
        if request is not None and (cached := not_modified(request, etag)):
            return cached
        return with_etag(Response(self.get_serializer(check_in).data, status=status_code), etag)

    def retrieve(self, request, *args, **kwargs):
        return self._respond(self.get_object(), request=request)

    @idempotent
    def create(self, request, *args, **kwargs):
        self.get_queryset()  # 404 for whoever may not read them
        person = self.person()
        if not plans.may_record_check_in(request.user, person):
            # The right before the body: whoever may not record one is told
            # so whatever they sent.
            raise exceptions.PermissionDenied(plans.check_in_recorder_only(person))
        form = CheckInForm(dates_as_text(typed(body_dict(request), **CHECK_IN_TYPES)))
        if not form.is_valid():
            raise serializers.ValidationError(form_errors(form))
        try:
            check_in = plans.record_check_in(person=person, by=request.user, **form.cleaned_data)
        except plans.CheckInError as error:
            # Its only refusal: not the person's line manager.
            raise exceptions.PermissionDenied(" ".join(error.messages)) from None
        check_in = self.get_queryset().get(pk=check_in.pk)
        response = self._respond(check_in, status.HTTP_201_CREATED)
        response["Location"] = request.build_absolute_uri(
            reverse("api:check-in-detail", args=[self.person().pk, check_in.pk])
        )
        return response

    def partial_update(self, request, *args, **kwargs):
        check_in = self.get_object()
        if not plans.may_change_check_in(request.user, check_in):
            raise exceptions.PermissionDenied(plans.check_in_changer_only(check_in))
        given = typed(body_dict(request), **CHECK_IN_TYPES)
        with transaction.atomic():
            locked = (
                CheckIn.objects.select_for_update(of=("self",))
                .select_related("manager")
                .get(pk=check_in.pk)
            )
            check_if_match(request, check_in_etag(locked))
            values = {
                "held_on": locked.held_on,
                "notes": locked.notes,
                "agreed_actions": locked.agreed_actions,
            }
            values.update({k: v for k, v in given.items() if k in values})
            form = CheckInForm(dates_as_text(values))
            if not form.is_valid():
                raise serializers.ValidationError(form_errors(form))
            try:
                plans.update_check_in(check_in=locked, by=request.user, **form.cleaned_data)
            except plans.CheckInError as error:
                # Fields are the form's: its only refusal is who may change it.
                raise exceptions.PermissionDenied(" ".join(error.messages)) from None
        return self._respond(self.get_queryset().get(pk=check_in.pk))
