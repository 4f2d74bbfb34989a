"""The items of a draft's sections (HR only)."""

from django.db import transaction
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.response import Response

from competency.api.conditional import with_etag
from competency.api.permissions import IsHR
from competency.api.schema import IF_MATCH
from competency.api.views import GenericViewSet
from competency.numbers import positive_number
from profiles import drafts
from profiles.api.etags import current_etag, lock_unchanged, profile_etag
from profiles.api.serializers import (
    ItemAddSerializer,
    ItemChangeSerializer,
    ItemSerializer,
    ProfileSerializer,
    profile_body,
)
from profiles.documents import profile_document
from profiles.models import ProfileWorkActivity, RoleProfile
from profiles.sections import BY_SLUG, SECTIONS

LINK_ID = OpenApiParameter(
    "id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The item's link id."
)
SECTION_SLUGS = "|".join(section.slug for section in SECTIONS)
# The router's pattern is an alternation the schema would anchor wrongly
# (`^a|b$`): the schema names the sections instead.
SECTION = OpenApiParameter(
    "section",
    OpenApiTypes.STR,
    OpenApiParameter.PATH,
    enum=[section.slug for section in SECTIONS],
)


@extend_schema_view(
    list=extend_schema(summary="A draft's items of one section", parameters=[SECTION]),
    create=extend_schema(
        summary="Add an item (from the catalogue, or a new one)",
        parameters=[IF_MATCH, SECTION],
        request=ItemAddSerializer,
        responses={201: ProfileSerializer},
    ),
    partial_update=extend_schema(
        summary="Change an item's depth or level, or move it",
        parameters=[IF_MATCH, LINK_ID, SECTION],
        request=ItemChangeSerializer,
        responses=ProfileSerializer,
    ),
    destroy=extend_schema(
        summary="Take an item out (the catalogue keeps it)",
        parameters=[IF_MATCH, LINK_ID, SECTION],
        responses=ProfileSerializer,
    ),
)
class ItemViewSet(GenericViewSet):
    """The items of a draft's sections (HR only), written by the edit page's
    services (profiles.drafts). Every write takes the profile's ETag in
    If-Match and answers with the profile and its new ETag."""

    # Which token scope it needs (competency/api/scopes.py).
    api_area = "profiles"

    permission_classes = [IsHR]
    serializer_class = ItemSerializer
    pagination_class = None
    lookup_value_regex = r"[0-9]+"
    # For the schema only: the links' models differ by section, all with int ids.
    queryset = ProfileWorkActivity.objects.none()
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    @property
    def section(self):
        return BY_SLUG[self.kwargs["section"]]

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if not getattr(self, "swagger_fake_view", False):
            context["section"] = self.section
        return context

    def current_etag(self):
        """For a 412 a service raised (competency.api.views): the profile's."""
        return current_etag(self.profile())

    def profile(self):
        return get_object_or_404(
            RoleProfile.objects.visible_to(self.request.user).select_related(
                "job_family", "published_version"
            ),
            slug=self.kwargs["profile_slug"],
        )

    def _respond(self, profile, status_code=200):
        profile = RoleProfile.objects.select_related("job_family", "published_version").get(
            pk=profile.pk
        )
        document = profile_document(profile)
        return with_etag(
            Response(profile_body(profile, document, None), status=status_code),
            profile_etag(profile, document),
        )

    def list(self, request, *args, **kwargs):
        links = self.section.ordered_links(self.profile())
        return Response(self.get_serializer(links, many=True).data)

    def create(self, request, *args, **kwargs):
        profile, section = self.profile(), self.section
        given = ItemAddSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        with transaction.atomic():
            locked = lock_unchanged(request, profile)
            if "item" in data:
                item = section.items().filter(pk=data["item"]).first()
                if item is None:
                    raise serializers.ValidationError({"item": ["No such catalogue item."]})
                drafts.add_item(
                    profile=locked,
                    section=section,
                    item=item,
                    depth=data["depth"],
                    level=data["level"],
                )
            else:
                drafts.add_new_item(
                    profile=locked,
                    section=section,
                    title=data["title"],
                    details=data["details"],
                    item_type=data["type"],
                    awarding_body=data["awarding_body"],
                    depth=data["depth"],
                )
        return self._respond(profile, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, pk=None, **kwargs):
        profile, section = self.profile(), self.section
        given = ItemChangeSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        link_id = positive_number(pk)
        with transaction.atomic():
            locked = lock_unchanged(request, profile)
            if "depth" in data or "level" in data:
                drafts.change_item(
                    profile=locked,
                    section=section,
                    link_id=link_id,
                    depth=data.get("depth", ""),
                    level=data.get("level"),
                )
            if "position" in data:
                drafts.move_item_to(
                    profile=locked, section=section, link_id=link_id, to=data["position"]
                )
        return self._respond(profile)

    def destroy(self, request, *args, pk=None, **kwargs):
        profile = self.profile()
        with transaction.atomic():
            locked = lock_unchanged(request, profile)
            drafts.remove_item(profile=locked, section=self.section, link_id=positive_number(pk))
        return self._respond(profile)
