"""A profile's published versions: frozen role-profile/1 documents, served
as stored."""

from django.db.models import BooleanField, Case, F, TextField, Value, When
from django.db.models.functions import Cast
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)

from competency.api.conditional import not_modified, with_etag
from competency.api.pagination import PagePagination
from competency.api.schema import IF_NONE_MATCH, ref
from competency.api.views import ReadOnlyModelViewSet
from competency.numbers import positive_number
from profiles.api.serializers import ROLE_PROFILE, VersionSerializer
from profiles.models import ProfileVersion

# A day: a published version never changes, but a client should still ask
# (If-None-Match, a cheap 304) now and then whether it may read it at all.
FROZEN_MAX_AGE = 86400


@extend_schema_view(
    list=extend_schema(
        summary="A profile's published versions",
        description="HR: all. Others: the version in force and the versions of appraisals "
        "they may read.",
    ),
    retrieve=extend_schema(
        summary="A published version's frozen role-profile/1 document",
        parameters=[
            IF_NONE_MATCH,
            OpenApiParameter("number", {"type": "integer", "minimum": 1}, OpenApiParameter.PATH),
        ],
        responses={200: OpenApiResponse(ref(ROLE_PROFILE)), 304: OpenApiResponse()},
    ),
)
class VersionViewSet(ReadOnlyModelViewSet):
    """A profile's published versions, each a frozen role-profile/1 document."""

    # Which token scope it needs (competency/api/scopes.py).
    api_area = "profiles"

    serializer_class = VersionSerializer
    pagination_class = PagePagination
    lookup_field = "number"
    lookup_value_regex = r"[0-9]+"
    # A version never changes: it is new when published (competency/api/changes.py).
    changes_field = "published_at"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator
            return ProfileVersion.objects.none()
        return (
            ProfileVersion.objects.visible_to(self.request.user)
            .filter(profile__slug=self.kwargs["profile_slug"])
            .select_related("profile")
            .order_by("-number")
        )

    def list(self, request, *args, **kwargs):
        queryset = (
            self.filter_queryset(self.get_queryset())
            .defer("document")
            .annotate(
                # Case, not a comparison: an archived profile has no
                # version in force, and NULL = pk is NULL, not false.
                in_force=Case(
                    When(profile__published_version=F("pk"), then=Value(True)),
                    default=Value(False),
                    output_field=BooleanField(),
                )
            )
        )
        page = self.paginate_queryset(queryset)
        if not page and not self.get_queryset().exists():
            # A profile this person may read nothing of, or none at all.
            raise Http404
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request, *args, **kwargs):
        # A version is frozen: served as the database holds it, its text
        # never parsed and re-rendered (benchmarks/api.py: that was most of
        # the time). PostgreSQL's jsonb gives its keys in its own order.
        version = get_object_or_404(
            self.get_queryset()
            .select_related(None)
            .only("pk")
            .annotate(document_text=Cast("document", TextField())),
            number=positive_number(self.kwargs["number"]),
        )
        # Its id identifies its content for good.
        etag = f"version-{version.pk}"
        response = not_modified(request, etag) or with_etag(
            HttpResponse(version.document_text, content_type="application/json"), etag
        )
        # Frozen, so a client's cache may keep it; private, as who may read
        # it is a question asked per caller (and may be answered no later).
        response["Cache-Control"] = f"private, max-age={FROZEN_MAX_AGE}"
        return response
