"""Role profiles over the REST API: the same services, querysets and rules
as the pages (profiles.lifecycle, profiles.drafts, profiles.importing,
RoleProfile.objects.visible_to, RoleProfile.readable_by,
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
from django.db.models import BooleanField, ExpressionWrapper, F, Max, Q, TextField
from django.db.models.functions import Cast
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from competency.api.conditional import if_match, not_modified, with_etag
from competency.api.idempotency import idempotent
from competency.api.pagination import OrderedCursorPagination, PagePagination, TrailPagination
from competency.api.parsers import FileBody
from competency.api.permissions import IsHR, ReadOrHR
from competency.api.problems import PreconditionFailed
from competency.api.query import flag, whole_number
from competency.api.schema import (
    IDEMPOTENCY_KEY,
    IF_MATCH,
    IF_NONE_MATCH,
    ROLE_PROFILE,
    constrain,
    ref,
)
from competency.api.views import GenericViewSet, ReadOnlyModelViewSet
from competency.numbers import positive_number
from competency.roles import is_hr
from profiles import drafts, lifecycle
from profiles.audit import profile_trail
from profiles.documents import document_fingerprint, dumps, profile_document, slug_validator
from profiles.downloads import download_for
from profiles.filters import ProfileFilter
from profiles.importing.reading import MAX_PROFILE_FILE, read_profile
from profiles.importing.writing import import_profiles, preview_imports
from profiles.models import (
    ROLE_LEVELS,
    JobFamily,
    ProfileVersion,
    ProfileWorkActivity,
    RoleProfile,
)
from profiles.sections import BY_SLUG, SECTIONS

# --- ETags -------------------------------------------------------------------


def state_of(profile):
    return f"{profile.status}.{profile.published_version_id or 0}"


def profile_etag(profile, document):
    return f"{document_fingerprint(document)}.{state_of(profile)}"


def lock_confirmed(request, profile):
    """Lock the profile's row and check If-Match's state part against it;
    the fingerprint part is returned for the service's `confirmed=`, which
    compares it under the same lock. Call inside transaction.atomic()."""
    tag = if_match(request)
    locked = lifecycle.lock(profile)
    if tag is None:  # If-Match: *
        return locked, None
    fingerprint, _, state = tag.partition(".")
    if state != state_of(locked):
        raise PreconditionFailed()
    return locked, fingerprint


# --- Serializers -------------------------------------------------------------


@extend_schema_field(ref(ROLE_PROFILE))
class DocumentField(serializers.JSONField):
    """A role-profile/1 document (the schema's RoleProfileDocument)."""


# A row's columns (and those profiles.filters sorts by), for .only().
HR_COLUMNS = ["slug", "title", "status", "role_level", "summary", "updated_at"]
READER_COLUMNS = [
    "slug",
    "status",
    "published_title",
    "published_family",
    "published_role_level",
    "published_summary",
    "published_at",
]
# The profile URL is reversed once per page, each row's slug put in its place.
SLUG_MARK = "profile-slug-mark"


class ProfileSummarySerializer(serializers.Serializer):
    """A row of the list: HR see the working copy, everyone else the
    version in force (its title, family and summary, never a draft's)."""

    slug = serializers.SlugField()
    title = serializers.CharField()
    status = serializers.ChoiceField(choices=RoleProfile.Status.choices)
    job_family = serializers.CharField(allow_null=True)
    role_level = serializers.CharField(allow_null=True)
    summary = serializers.CharField()
    version = serializers.IntegerField(
        allow_null=True,
        help_text="Readers: the version in force. HR: the latest published version.",
    )
    url = serializers.URLField()

    def to_representation(self, profile):
        url = self.context["profile_url"].replace(SLUG_MARK, profile.slug)
        if self.context["reader"]:
            return {
                "slug": profile.slug,
                "title": profile.published_title,
                "status": profile.status,
                "job_family": profile.published_family or None,
                "role_level": profile.published_role_level or None,
                "summary": profile.published_summary,
                "version": profile.version_number,
                "url": url,
            }
        return {
            "slug": profile.slug,
            "title": profile.title,
            "status": profile.status,
            "job_family": profile.family,
            "role_level": profile.role_level or None,
            "summary": profile.summary,
            "version": profile.latest_version,
            "url": url,
        }


class ProfileSerializer(serializers.Serializer):
    """A profile as this person reads it, with its document."""

    slug = serializers.SlugField()
    status = serializers.ChoiceField(choices=RoleProfile.Status.choices)
    version_in_force = serializers.IntegerField(allow_null=True)
    working_copy = serializers.BooleanField(
        help_text="True when the document is HR's working copy, false for the version in force."
    )
    document = DocumentField()


def profile_body(profile, document, version):
    return {
        "slug": profile.slug,
        "status": profile.status,
        "version_in_force": profile.published_version.number
        if profile.published_version_id
        else None,
        "working_copy": version is None,
        "document": document,
    }


class TextList(serializers.ListField):
    child = serializers.CharField(max_length=5000)


class JobFamilyField(serializers.SlugRelatedField):
    """A job family's slug, or null for none. DRF reads "" as null for a
    related field; here it is refused, as the schema's minLength says."""

    def __init__(self, **kwargs):
        super().__init__(slug_field="slug", queryset=JobFamily.objects.all(), **kwargs)

    def run_validation(self, data=serializers.empty):
        if data == "":
            raise serializers.ValidationError("Give a job family's slug, or null for none.")
        return super().run_validation(data)


class ProfileCreateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    # As role-profile/1 says (a SlugField let "Data_Engineer" in, whose
    # document then broke its own schema; found by schemathesis).
    slug = serializers.RegexField(
        slug_validator().regex.pattern,
        max_length=200,
        error_messages={"invalid": slug_validator().message},
    )
    job_family = JobFamilyField(required=False, allow_null=True)
    role_level = serializers.ChoiceField(
        choices=ROLE_LEVELS, required=False, allow_blank=True, default=""
    )
    variant = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")


class ProfileUpdateSerializer(serializers.Serializer):
    """The draft's own texts (drafts.PROFILE_FIELDS); items have their own
    calls."""

    title = serializers.CharField(max_length=200)
    job_family = JobFamilyField(allow_null=True)
    role_level = serializers.ChoiceField(choices=ROLE_LEVELS, allow_blank=True)
    variant = serializers.CharField(max_length=100, allow_blank=True)
    summary = serializers.CharField(allow_blank=True)
    responsibilities = TextList()
    background = TextList()
    prior_knowledge = TextList()
    source = serializers.CharField(allow_blank=True)


class PublishSerializer(serializers.Serializer):
    change_note = serializers.CharField(
        max_length=500,
        required=False,
        allow_blank=True,
        default="",
        help_text="What changed, for readers.",
    )


class NewDraftSerializer(serializers.Serializer):
    version = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        help_text="Start from this published version's content (default: as it is now).",
    )


class ImportPreviewSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=["created", "updated", "unchanged"])
    slug = serializers.SlugField()
    title = serializers.CharField()
    statement = serializers.CharField(help_text="What importing would do, in plain words.")
    summary = serializers.CharField()
    confirmed = serializers.CharField(
        help_text="Send back as ?confirmed= to import only if the profile is still as "
        "previewed ('' when it did not exist)."
    )
    unpublished = serializers.BooleanField()
    was_draft = serializers.BooleanField()
    warnings = serializers.ListField(child=serializers.CharField())
    shared_texts = serializers.ListField(child=serializers.CharField())
    document = DocumentField()


class ImportResultSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=["created", "updated", "unchanged"])
    slug = serializers.SlugField()
    version = serializers.IntegerField(
        allow_null=True, help_text="Published as, with ?publish=true."
    )
    summary = serializers.CharField()
    url = serializers.URLField()


class AuditEntrySerializer(serializers.Serializer):
    """One change in a profile's audit trail, as HR's page lists it."""

    when = serializers.DateTimeField()
    who = serializers.CharField(
        allow_null=True, help_text="The username of who made it; null for a command's import."
    )
    type = serializers.ChoiceField(choices=["Created", "Changed", "Deleted"])
    what = serializers.CharField(
        help_text="'Profile', or the section and the item a link names (as it is now)."
    )
    changed = serializers.ListField(
        child=serializers.CharField(), help_text="The fields a change changed (empty otherwise)."
    )

    def to_representation(self, entry):
        return {
            "when": serializers.DateTimeField().to_representation(entry["when"]),
            "who": entry["who"].get_username() if entry["who"] is not None else None,
            "type": entry["type"],
            "what": entry["what"],
            "changed": entry["changed"],
        }


class AuditPageSerializer(serializers.Serializer):
    next = serializers.URLField(allow_null=True, help_text="The next (older) page, or null.")
    results = AuditEntrySerializer(many=True)


class VersionSerializer(serializers.ModelSerializer):
    in_force = serializers.BooleanField()
    url = serializers.SerializerMethodField()

    class Meta:
        model = ProfileVersion
        fields = ["number", "published_at", "change_note", "in_force", "url"]

    def get_url(self, version) -> str:
        return self.context["request"].build_absolute_uri(
            reverse("api:profile-version-detail", args=[version.profile.slug, version.number])
        )


# --- Request bodies read as bytes for the importer -----------------------------


class RawJSONParser(FileBody):
    """A role-profile/1 document, kept as bytes for the profile importer."""

    media_type = "application/json"
    limit = MAX_PROFILE_FILE


class PageTextParser(RawJSONParser):
    """A profile's published page text."""

    media_type = "text/plain"


IMPORT_BODY = {
    "application/json": ref(ROLE_PROFILE),
    "text/plain": {
        "type": "string",
        "minLength": 1,
        "description": "A profile's published page text.",
    },
}

# --- Viewsets ----------------------------------------------------------------


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

    permission_classes = [ReadOrHR]
    lookup_field = "slug"
    filterset_class = ProfileFilter
    pagination_class = OrderedCursorPagination
    serializer_class = ProfileSerializer

    @property
    def reader(self):
        return not is_hr(self.request.user)

    def get_queryset(self):
        queryset = RoleProfile.objects.visible_to(self.request.user)
        if self.action == "list":
            # Only the columns a row shows and the orders sort by: no
            # document, no texts decoded that the row does not show.
            if self.reader:
                return queryset.only(*READER_COLUMNS).annotate(
                    version_number=F("published_version__number")
                )
            # The family's name as a column of the row, not a JobFamily
            # made for each of 100 rows.
            return queryset.only(*HR_COLUMNS).annotate(
                family=F("job_family__name"), latest_version=Max("versions__number")
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
        data = ProfileSummarySerializer(page, many=True, context=context)
        return self.get_paginated_response(data.data)

    def _respond(self, profile, *, status_code=200, request=None):
        readable = profile.readable_by(self.request.user)
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
        parameters=[IF_MATCH],
        request=PublishSerializer,
        responses=ProfileSerializer,
    )
    @action(detail=True, methods=["post"])
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
        return self._respond(self._reloaded(profile))

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
        "(text/plain). Writes the draft, or with `?publish=true` publishes it too.",
        parameters=[
            IDEMPOTENCY_KEY,
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
        responses={201: ImportResultSerializer},
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
        confirmed = None
        if "confirmed" in request.query_params:
            confirmed = {source.document["slug"]: request.query_params["confirmed"]}
        (result,) = import_profiles(
            [source],
            publish=publish,
            user=request.user,
            confirmed=confirmed,
            update_shared_texts=update_shared_texts,
        )
        url = request.build_absolute_uri(reverse("api:profile-detail", args=[result.profile.slug]))
        return Response(
            {
                "action": result.action,
                "slug": result.profile.slug,
                "version": result.version.number if result.version else None,
                "summary": result.summary(),
                "url": url,
            },
            status=status.HTTP_201_CREATED if result.action == "created" else status.HTTP_200_OK,
            headers={"Location": url},
        )


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

    serializer_class = VersionSerializer
    pagination_class = PagePagination
    lookup_field = "number"
    lookup_value_regex = r"[0-9]+"

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
            self.get_queryset()
            .defer("document")
            .annotate(
                in_force=ExpressionWrapper(
                    Q(profile__published_version=F("pk")), output_field=BooleanField()
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
        return not_modified(request, etag) or with_etag(
            HttpResponse(version.document_text, content_type="application/json"), etag
        )


# --- A draft's items ------------------------------------------------------------------


def lock_unchanged(request, profile):
    """lock_confirmed(), and the fingerprint checked at once: for the item
    services, which take no `confirmed=`, the check runs here under the
    same lock and in the same transaction as their write."""
    locked, confirmed = lock_confirmed(request, profile)
    lifecycle.check_confirmed(
        profile_document(locked) if confirmed is not None else None,
        confirmed,
        "The draft changed since you read it, so nothing was changed. Read it again.",
    )
    return locked


class ItemSerializer(serializers.Serializer):
    """An item of a section of the working copy, by its link's id."""

    id = serializers.IntegerField(help_text="The link's id, for PATCH and DELETE.")
    position = serializers.IntegerField(help_text="From 1.")
    item = serializers.IntegerField(help_text="The catalogue item's id.")
    title = serializers.CharField()
    depth = serializers.CharField(required=False, help_text="Knowledge items only.")
    level = serializers.IntegerField(required=False, help_text="Skills only: the level's id.")

    def to_representation(self, link):
        section = self.context["section"]
        item = section.item_of(link)
        row = {"id": link.pk, "position": link.position + 1, "item": item.pk, "title": str(item)}
        if section.requirement == "depth":
            row["depth"] = link.depth
        elif section.requirement == "level":
            row["level"] = link.level_id
        return row


class ItemAddSerializer(serializers.Serializer):
    item = serializers.IntegerField(
        required=False, help_text="A catalogue item's id; or give `title` for a new one."
    )
    title = serializers.CharField(required=False, max_length=255)
    details = serializers.CharField(required=False, allow_blank=True, default="")
    type = serializers.CharField(required=False, allow_blank=True, default="")
    awarding_body = serializers.CharField(required=False, allow_blank=True, default="")
    depth = serializers.CharField(required=False, allow_blank=True, default="")
    level = serializers.IntegerField(required=False, allow_null=True, default=None)

    def validate(self, data):
        if ("item" in data) == ("title" in data):
            raise serializers.ValidationError("Give either `item` or `title`.")
        return data


constrain("ItemAddRequest", oneOf=[{"required": ["item"]}, {"required": ["title"]}])


class ItemChangeSerializer(serializers.Serializer):
    depth = serializers.CharField(required=False, allow_blank=True)
    level = serializers.IntegerField(required=False)
    position = serializers.IntegerField(required=False, min_value=1, help_text="From 1.")


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
