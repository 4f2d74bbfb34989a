"""/api/v1/webhooks/: HR's webhooks (create, read, change, delete), each
one's deliveries with their attempts, and resending one. HR only (403 for
anyone else, before any row is read), as HR's page (/api/webhooks/)."""

from datetime import timedelta

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import RegexValidator
from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from competency import webhooks
from competency.api.models import Webhook, WebhookAttempt, WebhookDelivery
from competency.api.permissions import IsHR
from competency.api.scopes import EVERY_AREA
from competency.api.views import GenericViewSet
from competency.numbers import portable_range


class StrictBooleanField(serializers.BooleanField):
    """true or false, as JSON says them: not 0, 1 or "yes" (DRF's would be)."""

    def to_internal_value(self, data):
        if isinstance(data, bool):
            return data
        self.fail("invalid", input=data)


class StrictText:
    """Text only as a JSON string: not a number turned into one."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictCharField(StrictText, serializers.CharField):
    pass


# What the schema promises to accept: http(s), a host without a user name or
# password, an optional port, then a path and query in URI characters. check_url()
# decides the rest (no DNS at save time), so that a URL the schema allows
# is never refused for its shape.
URL_PATTERN = (
    r"^https?://(%[0-9A-Fa-f]{2}|[A-Za-z0-9._~!$&'()*+,;=-])+"
    r"(:(6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}|[1-5][0-9]{4}|[0-9]{1,4}))?"
    r"([/?#](%[0-9A-Fa-f]{2}|[A-Za-z0-9._~!$&'()*+,;=:@/?-])*)?$"
)


@extend_schema_field({"type": "string", "format": "uri", "maxLength": 500, "pattern": URL_PATTERN})
class WebhookURLField(StrictText, serializers.CharField):
    def __init__(self, **kwargs):
        super().__init__(max_length=500, **kwargs)
        self.validators.append(
            RegexValidator(URL_PATTERN, "Use an http:// or https:// address, without spaces.")
        )


class WebhookSerializer(serializers.ModelSerializer):
    # Kept as sent: a name of spaces alone is odd but harmless, and trimming
    # would refuse strings the schema (minLength 1) allows.
    name = StrictCharField(
        max_length=100, min_length=1, trim_whitespace=False, help_text="What receives it."
    )
    url = WebhookURLField(help_text="Where to POST: http(s), a public address.")
    is_active = StrictBooleanField(required=False, help_text="Off: nothing is sent.")
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=sorted(webhooks.EVENTS)),
        min_length=1,
        max_length=len(webhooks.EVENTS),
        help_text="The events to send: " + ", ".join(sorted(webhooks.EVENTS)) + ".",
    )
    secret = serializers.CharField(
        read_only=True,
        help_text="Signs every delivery (the Competency-Signature header): keep it secret.",
    )

    previous_secret_until = serializers.DateTimeField(
        read_only=True,
        allow_null=True,
        help_text="After a rotation: until when the secret before it still signs each "
        "delivery beside `secret` (two `v1=` in Competency-Signature); null when only "
        "`secret` signs.",
    )

    class Meta:
        model = Webhook
        fields = [
            "id",
            "name",
            "url",
            "events",
            "is_active",
            "secret",
            "previous_secret_until",
            "created_at",
        ]
        read_only_fields = ["id", "secret", "previous_secret_until", "created_at"]

    def to_representation(self, hook):
        row = super().to_representation(hook)
        if webhooks.signing_secrets(hook) == [hook.secret]:
            row["previous_secret_until"] = None  # its overlap is over
        return row

    def validate_url(self, url):
        try:
            webhooks.check_url(url)
        except DjangoValidationError as refused:
            raise serializers.ValidationError(refused.messages) from refused
        return url

    def validate_events(self, events):
        return sorted(set(events))


class RotateSerializer(serializers.Serializer):
    overlap_hours = serializers.IntegerField(
        required=False,
        min_value=0,
        max_value=168,
        help_text="How long the old secret still signs deliveries beside the new one "
        "(default 24; 0: the new one alone at once).",
    )


class AttemptSerializer(serializers.ModelSerializer):
    class Meta:
        model = WebhookAttempt
        fields = ["at", "status", "duration_ms", "error", "response_excerpt"]
        # The same limits whichever database serves (SQLite's would be 2**63).
        extra_kwargs = {
            "status": portable_range(WebhookAttempt, "status"),
            "duration_ms": portable_range(WebhookAttempt, "duration_ms"),
        }


class DeliverySerializer(serializers.ModelSerializer):
    event_id = serializers.UUIDField(source="event.id", read_only=True)
    event_type = serializers.CharField(source="event.type", read_only=True)
    subject = serializers.CharField(source="event.subject", read_only=True)
    attempt_log = AttemptSerializer(many=True, read_only=True)

    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "event_id",
            "event_type",
            "subject",
            "state",
            "attempts",
            "next_attempt_at",
            "delivered_at",
            "created_at",
            "attempt_log",
        ]
        extra_kwargs = {"attempts": portable_range(WebhookDelivery, "attempts")}


@extend_schema_view(
    list=extend_schema(summary="HR's webhooks"),
    create=extend_schema(
        summary="Subscribe a URL to events",
        description="Its `secret` signs every delivery. The URL must be http(s) and public.",
    ),
    retrieve=extend_schema(summary="A webhook"),
    update=extend_schema(summary="Change a webhook"),
    partial_update=extend_schema(summary="Change part of a webhook"),
    destroy=extend_schema(summary="Delete a webhook and its deliveries"),
)
class WebhookViewSet(
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    mixins.ListModelMixin,
    GenericViewSet,
):
    """HR's webhooks: the address each event is posted to, its events and secret."""

    serializer_class = WebhookSerializer
    permission_classes = [IsHR]
    # A webhook's events tell of every area: its token needs them all.
    api_area = EVERY_AREA
    queryset = Webhook.objects.all()

    def perform_create(self, serializer):
        serializer.save(owner=self.request.user, secret=Webhook.new_secret())

    @extend_schema(
        summary="Rotate a webhook's secret",
        description="A new `secret`, in this answer. For `overlap_hours` (default 24) each "
        "delivery is signed with both the new secret and the old one (two `v1=` values in "
        "Competency-Signature), so the receiver keeps verifying while its copy is changed; "
        "then with the new one alone.",
        request=RotateSerializer,
        responses=WebhookSerializer,
    )
    @action(detail=True, methods=["post"], url_path="rotate-secret")
    def rotate_secret(self, request, pk=None):
        hook = self.get_object()
        given = RotateSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        hours = given.validated_data.get("overlap_hours")
        rotated = webhooks.rotate_secret(
            hook, overlap=timedelta(hours=hours) if hours is not None else None
        )
        return Response(WebhookSerializer(rotated).data)

    @extend_schema(
        summary="A webhook's deliveries, newest first",
        responses=DeliverySerializer(many=True),
    )
    @action(detail=True, methods=["get"])
    def deliveries(self, request, pk=None):
        hook = self.get_object()
        page = self.paginate_queryset(deliveries_of(hook))
        return self.get_paginated_response(DeliverySerializer(page, many=True).data)


def deliveries_of(hook):
    """A webhook's deliveries with their events and attempts: three queries
    for a page, however long."""
    return (
        WebhookDelivery.objects.filter(webhook=hook)
        .select_related("event")
        .prefetch_related(Prefetch("attempt_log", WebhookAttempt.objects.order_by("at", "id")))
    )


@extend_schema_view(retrieve=extend_schema(summary="A webhook delivery and its attempts"))
class DeliveryViewSet(mixins.RetrieveModelMixin, GenericViewSet):
    """One delivery of an event to a webhook, with its attempts; resend it."""

    serializer_class = DeliverySerializer
    permission_classes = [IsHR]
    api_area = EVERY_AREA
    # Any id reaches the view, so that sign-in and HR are checked first (401,
    # 403); one that is no delivery's is 404 like any other.
    lookup_value_regex = r"[^/]+"

    def get_queryset(self):
        return WebhookDelivery.objects.select_related("event").prefetch_related("attempt_log")

    @extend_schema(
        summary="Send a delivery again",
        description="Sent after this answer, from a worker (or a thread without one); its "
        "attempts are counted afresh and the event keeps its id.",
        request=None,
        responses={202: DeliverySerializer},
    )
    @action(detail=True, methods=["post"])
    def resend(self, request, pk=None):
        delivery = webhooks.resend(self.get_object())
        return Response(DeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)
