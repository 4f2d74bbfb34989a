"""Role profiles over the REST API: the same services, querysets and rules
as the pages (profiles.lifecycle, profiles.drafts, profiles.importing,
RoleProfile.objects.visible_to, documents.readable,
ProfileVersion.objects.visible_to).

HR read and write the working copy; everyone else reads the version in force
of each profile that has one, and any other profile is 404.

ETags: a profile's is its document's fingerprint (documents.
document_fingerprint, what the services' `confirmed=` compares under the row
lock) followed by its status and version in force, so a publish or archive,
which leaves the text alone, still changes it. Every write takes If-Match
and checks it inside the write's transaction, under the lock.
"""

from django.db import transaction
from django.db.models import F, OuterRef, Subquery
from django.http import Http404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from competency.api.conditional import not_modified, with_etag
from competency.api.idempotency import idempotent
from competency.api.jobs import ACCEPTED, IN_BACKGROUND, LOCATION, accepted, api_root
from competency.api.pagination import OrderedCursorPagination, TrailPagination
from competency.api.permissions import IsHR, ReadOrHR
from competency.api.query import flag, whole_number
from competency.api.schema import IDEMPOTENCY_KEY, IF_MATCH, IF_NONE_MATCH, ref
from competency.api.views import GenericViewSet
from competency.roles import is_hr
from profiles import documents, drafts, lifecycle, tasks, uploads
from profiles.api.bodies import IMPORT_BODY, PageTextParser, RawJSONParser
from profiles.api.etags import current_etag, lock_confirmed, profile_etag
from profiles.api.serializers import (
    HR_COLUMNS,
    READER_COLUMNS,
    ROLE_PROFILE,
    SLUG_MARK,
    AuditEntrySerializer,
    AuditPageSerializer,
    ImportPreviewSerializer,
    ImportResultSerializer,
    NewDraftSerializer,
    ProfileCreateSerializer,
    ProfileSerializer,
    ProfileSummarySerializer,
    ProfileUpdateSerializer,
    PublishSerializer,
    profile_body,
)
from profiles.audit import profile_trail
from profiles.documents import dumps
from profiles.downloads import download_for
from profiles.filters import ProfileFilter
from profiles.fingerprints import known_fingerprints
from profiles.importing.batch import import_profiles
from profiles.importing.parsing import read_profile
from profiles.importing.preview import preview_imports
from profiles.models import JobFamily, PendingUpload, ProfileVersion, RoleProfile

SORT = OpenApiParameter(
    "sort",
    OpenApiTypes.STR,
    enum=["relevance", "title", "updated", "family"],
    description="Order (relevance when searching, else title).",
)


@extend_schema_view(
    list=extend_schema(
        summary="Role profiles",
        description="HR: every profile's working copy. Others: the version in force of each "
        "profile that has one. Filters, search (`q`) and `sort` as on the list page "
        "(`status` is HR's: others' lists are of versions in force, and it is not "
        "applied); cursor pagination.",
        responses=ProfileSummarySerializer(many=True),
    ),
    retrieve=extend_schema(
        summary="A role profile",
        parameters=[IF_NONE_MATCH],
        responses={200: ProfileSerializer, 304: OpenApiResponse(description="Not modified.")},
    ),
    create=extend_schema(
        summary="Create a draft",
        parameters=[IDEMPOTENCY_KEY],
        request=ProfileCreateSerializer,
        responses={201: ProfileSerializer},
    ),
    update=extend_schema(
        summary="Replace a draft's texts",
        parameters=[IF_MATCH],
        request=ProfileUpdateSerializer,
        responses=ProfileSerializer,
    ),
    partial_update=extend_schema(
        summary="Change some of a draft's texts",
        parameters=[IF_MATCH],
        request=ProfileUpdateSerializer,
        responses=ProfileSerializer,
    ),
)
class ProfileViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    GenericViewSet,
):
    """Role profiles: HR read and edit the working copy; everyone else reads
    the version in force of each profile that has one."""

    # Which token scope it needs (competency/api/scopes.py).
    api_area = "profiles"

    permission_classes = [ReadOrHR]
    lookup_field = "slug"
    filterset_class = ProfileFilter
    pagination_class = OrderedCursorPagination
    serializer_class = ProfileSerializer
    # A nightly sync asks for what changed (competency/api/changes.py).
    changes_field = "updated_at"

    @property
    def reader(self):
        return not is_hr(self.request.user)

    def get_queryset(self):
        queryset = RoleProfile.objects.visible_to(self.request.user)
        if self.action == "list":
            # Only the columns a row shows, as values: no document, no
            # texts decoded that the row does not show, no model instance
            # made per row (ProfileSummarySerializer writes from the values).
            if self.reader:
                # The version in force names its family; its slug is that
                # family's, read in the same query.
                return queryset.values("id", *READER_COLUMNS).annotate(
                    version_number=F("published_version__number"),
                    family_slug=Subquery(
                        JobFamily.objects.filter(name=OuterRef("published_family")).values("slug")[
                            :1
                        ]
                    ),
                )
            # The family's name and slug as columns of the row, not a
            # JobFamily made for each of 100 rows. The latest version is
            # one probe of the (profile, number) index per row listed: a
            # MAX() over a join grouped every profile with every version
            # before the page was cut (61-113 ms at 20,000 profiles).
            latest = ProfileVersion.objects.filter(profile=OuterRef("pk")).order_by("-number")
            return queryset.values("id", *HR_COLUMNS).annotate(
                family=F("job_family__name"),
                family_slug=F("job_family__slug"),
                latest_version=Subquery(latest.values("number")[:1]),
            )
        return queryset.select_related("job_family", "published_version")

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "reader": self.reader}

    def filter_queryset(self, queryset):
        # The list's search, filters and sort; one profile is found by its
        # slug alone (its access rule is get_queryset's).
        if self.action != "list":
            return queryset
        status_asked = self.request.query_params.get("status")
        if self.reader and status_asked and status_asked not in RoleProfile.Status.values:
            # Readers' lists have no status filter (a working copy's status
            # is HR's business), but a value the schema forbids is refused
            # for everyone alike.
            raise serializers.ValidationError(
                {"status": [f"Give one of: {', '.join(RoleProfile.Status.values)}."]}
            )
        return super().filter_queryset(queryset)

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        context = self.get_serializer_context()
        context["profile_url"] = request.build_absolute_uri(
            reverse("api:profile-detail", args=[SLUG_MARK])
        )
        if not self.reader:
            # The rows' ETags: the working copies' stored fingerprints (a
            # document is built only for one changed since it was last read).
            context["fingerprints"] = known_fingerprints(
                {row["id"]: row["working_fingerprint"] for row in page}
            )
        data = ProfileSummarySerializer(page, many=True, context=context)
        return self.get_paginated_response(data.data)

    def _respond(self, profile, *, status_code=200, request=None):
        readable = documents.readable(profile, self.request.user)
        if readable is None:
            raise Http404
        document, version = readable
        etag = profile_etag(profile, document)
        if request is not None:
            cached = not_modified(request, etag)
            if cached is not None:
                return cached
        return with_etag(
            Response(profile_body(profile, document, version), status=status_code), etag
        )

    def _reloaded(self, profile):
        return self.get_queryset().get(pk=profile.pk)

    def retrieve(self, request, *args, **kwargs):
        return self._respond(self.get_object(), request=request)

    @idempotent
    def create(self, request, *args, **kwargs):
        given = ProfileCreateSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        profile = drafts.create_profile(**given.validated_data)
        response = self._respond(self._reloaded(profile), status_code=status.HTTP_201_CREATED)
        response["Location"] = request.build_absolute_uri(
            reverse("api:profile-detail", args=[profile.slug])
        )
        return response

    def update(self, request, *args, partial=False, **kwargs):
        profile = self.get_object()
        given = ProfileUpdateSerializer(data=request.data, partial=partial)
        given.is_valid(raise_exception=True)
        changes = {
            name: (value.pk if name == "job_family" and value is not None else value)
            for name, value in given.validated_data.items()
        }
        with transaction.atomic():
            locked, confirmed = lock_confirmed(request, profile)
            base = drafts.field_values(locked)
            drafts.update_profile(
                profile=locked, values={**base, **changes}, base=base, confirmed=confirmed
            )
        return self._respond(self._reloaded(profile))

    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, partial=True, **kwargs)

    # --- Transitions: the pages' services, under If-Match ---------------------

    @extend_schema(
        summary="Publish the draft as the next version",
        description="The answer is built inside the publish's transaction, from what it "
        "committed. If it is lost on the way (a dropped connection), send the same request "
        "with the same Idempotency-Key: the first answer is replayed and no second version "
        "is made. Without a key, a retry is refused with 412, as the profile changed.",
        parameters=[IF_MATCH, IDEMPOTENCY_KEY],
        request=PublishSerializer,
        responses=ProfileSerializer,
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def publish(self, request, slug=None):
        profile = self.get_object()
        given = PublishSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        with transaction.atomic():
            locked, confirmed = lock_confirmed(request, profile)
            lifecycle.publish_profile(
                profile=locked,
                user=request.user,
                confirmed=confirmed,
                change_note=given.validated_data["change_note"],
            )
            # Nothing is read after the commit: the answer is what it wrote.
            return self._respond(self._reloaded(profile))

    def current_etag(self):
        """For a 412 a service raised (competency.api.views)."""
        profile = self.get_queryset().filter(slug=self.kwargs.get("slug")).first()
        return current_etag(profile) if profile is not None else None

    @extend_schema(
        summary="Archive: withdraw from use",
        parameters=[IF_MATCH],
        request=None,
        responses=ProfileSerializer,
    )
    @action(detail=True, methods=["post"])
    def archive(self, request, slug=None):
        profile = self.get_object()
        with transaction.atomic():
            locked, confirmed = lock_confirmed(request, profile)
            lifecycle.archive_profile(profile=locked, confirmed=confirmed)
        return self._respond(self._reloaded(profile))

    @extend_schema(
        summary="Start a new draft",
        parameters=[IF_MATCH],
        request=NewDraftSerializer,
        responses=ProfileSerializer,
    )
    @action(detail=True, methods=["post"], url_path="new-draft")
    def new_draft(self, request, slug=None):
        profile = self.get_object()
        given = NewDraftSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        number = given.validated_data.get("version")
        version = None
        if number is not None:
            version = profile.versions.filter(number=number).first()
            if version is None:
                raise serializers.ValidationError({"version": [f"There is no version {number}."]})
        with transaction.atomic():
            locked, confirmed = lock_confirmed(request, profile)
            lifecycle.start_draft(profile=locked, version=version, confirmed=confirmed)
        return self._respond(self._reloaded(profile))

    @extend_schema(
        summary="Audit trail (HR)",
        description="Who changed what and when in the profile and its items, newest first: "
        "the same entries as the profile's history page.",
        parameters=TrailPagination.parameters(),
        responses=AuditPageSerializer,
    )
    @action(detail=True, methods=["get"], permission_classes=[IsHR])
    def history(self, request, slug=None):
        entries, following = TrailPagination().page(request, profile_trail(self.get_object()))
        return Response(
            {"next": following, "results": AuditEntrySerializer(entries, many=True).data}
        )

    # --- Export and import ------------------------------------------------------

    @extend_schema(
        summary="Download as role-profile/1 JSON",
        description="What the profile's page shows (HR: the working copy), or `?version=N`.",
        parameters=[
            OpenApiParameter(
                "version",
                {"type": "integer", "minimum": 1},
                description="A published version's number (404 if there is none).",
            )
        ],
        responses={200: OpenApiResponse(ref(ROLE_PROFILE))},
    )
    @action(detail=True, methods=["get"])
    def export(self, request, slug=None):
        profile = self.get_object()
        number = whole_number(request, "version")
        download = download_for(request.user, profile, number=number)
        if download is None:
            raise Http404
        return download.respond(
            request, "json", lambda: dumps(download.document), content_type="application/json"
        )

    def _source(self, request):
        data = request.data
        if not isinstance(data, bytes | bytearray):
            raise serializers.ValidationError("Send the file as the request body.")
        return read_profile(bytes(data), "request body")

    @extend_schema(
        summary="Preview an import (writes nothing)",
        request=IMPORT_BODY,
        responses=ImportPreviewSerializer,
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="import/preview",
        parser_classes=[RawJSONParser, PageTextParser],
    )
    def import_preview(self, request):
        (preview,) = preview_imports([self._source(request)])
        return Response(
            {
                "action": preview.action,
                "slug": preview.slug,
                "title": preview.title,
                "statement": preview.statement,
                "summary": preview.summary,
                "confirmed": preview.fingerprint,
                "unpublished": preview.unpublished,
                "was_draft": preview.was_draft,
                "warnings": list(preview.warnings),
                "shared_texts": [text.line() for text in preview.shared],
                "document": preview.document,
            }
        )

    @extend_schema(
        summary="Import a profile as a draft",
        description="A role-profile/1 document (application/json) or published page text "
        "(text/plain). Writes the draft, or with `?publish=true` publishes it too. "
        + IN_BACKGROUND,
        parameters=[
            IDEMPOTENCY_KEY,
            LOCATION,
            OpenApiParameter(
                "confirmed",
                OpenApiTypes.STR,
                description="The preview's `confirmed`: import only if the profile is still "
                "as previewed (409 otherwise).",
            ),
            OpenApiParameter(
                "publish",
                OpenApiTypes.BOOL,
                description="Publish what was imported as a new version (default: leave a draft).",
            ),
            OpenApiParameter(
                "update_shared_texts",
                OpenApiTypes.BOOL,
                description="Change skill texts that other profiles show too.",
            ),
        ],
        request=IMPORT_BODY,
        responses={
            201: ImportResultSerializer,
            200: OpenApiResponse(
                ImportResultSerializer,
                description="Imported onto the profile's existing draft, or a new draft of a "
                "published profile: nothing was created.",
            ),
            202: ACCEPTED,
        },
        examples=[
            OpenApiExample(
                "Created",
                value={
                    "action": "created",
                    "slug": "devops-engineer",
                    "version": None,
                    "summary": "Created draft 'DevOps engineer' (devops-engineer)",
                    "url": "https://competency.example.org/api/v1/profiles/devops-engineer/",
                },
                response_only=True,
            )
        ],
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="import",
        parser_classes=[RawJSONParser, PageTextParser],
    )
    @idempotent
    def import_profile(self, request):
        # The parameters first: a mistyped flag is named before the file is read.
        publish = flag(request, "publish")
        update_shared_texts = flag(request, "update_shared_texts")
        source = self._source(request)
        slug, confirmed = source.document["slug"], request.query_params.get("confirmed")
        if not uploads.in_request(request.data):
            # A large file, with workers: the pages' import job writes it,
            # and its result is the answer below (profiles/tasks.py).
            upload = uploads.keep(
                request.user,
                PendingUpload.Purpose.PROFILE,
                source.name,
                bytes(request.data),
                slug=slug,
                fingerprint=confirmed,
            )
            return accepted(
                tasks.start_profile_import(
                    upload,
                    by=request.user,
                    publish=publish,
                    update_shared=update_shared_texts,
                    api=api_root(request),
                )
            )
        (result,) = import_profiles(
            [source],
            publish=publish,
            user=request.user,
            confirmed=None if confirmed is None else {slug: confirmed},
            update_shared_texts=update_shared_texts,
        )
        url = request.build_absolute_uri(reverse("api:profile-detail", args=[result.profile.slug]))
        return Response(
            result.as_json(url),
            status=status.HTTP_201_CREATED if result.action == "created" else status.HTTP_200_OK,
            headers={"Location": url},
        )
