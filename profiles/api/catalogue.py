"""The catalogue's REST resources (read-only, HR only, as its pages):
frameworks with their scale and category tree, skills with their level
descriptions, the component library, awarding bodies and job families, and
where each item is used (`…/{id}/uses/`).

It lives in profiles, not beside the catalogue in competency: job families
are profiles' own, and a framework's import writes role profiles too.

Lists are one query per page (related rows joined); a detail prefetches its
parts; `uses` pages the links to profiles, never every one."""

from django.db import transaction
from django.db.models import Prefetch
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
)
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from competency import developing, search
from competency.api.conditional import check_if_match, not_modified, with_etag
from competency.api.idempotency import idempotent
from competency.api.jobs import ACCEPTED, IN_BACKGROUND, LOCATION, accepted, api_root
from competency.api.parsers import FileBody
from competency.api.permissions import IsHR
from competency.api.schema import IDEMPOTENCY_KEY, IF_MATCH, IF_NONE_MATCH, file_body, ref
from competency.api.views import ReadOnlyModelViewSet
from competency.catalogue import COMPONENT_KINDS
from competency.frameworks import export_framework
from competency.models import (
    AwardingBody,
    Category,
    Framework,
    KnowledgeItem,
    Level,
    Skill,
    SkillLevel,
)
from competency.numbers import portable_range
from competency.tables import MAX_FILE
from profiles import tasks, uploads
from profiles.api.serializers import FRAMEWORK
from profiles.importing.framework_import import FORMATS, import_framework
from profiles.models import JobFamily, PendingUpload

# What the file sent as the body is called in the importer's messages.
NAME = "request body"

# --- Serializers -------------------------------------------------------------


class LevelSerializer(serializers.ModelSerializer):
    class Meta:
        model = Level
        fields = ["id", "rank", "name", "description"]
        # The same limits whichever database serves (SQLite's would be 2**63).
        extra_kwargs = {"rank": portable_range(Level, "rank")}


class CategorySerializer(serializers.ModelSerializer):
    parent = serializers.PrimaryKeyRelatedField(
        read_only=True, allow_null=True, help_text="Null at the top of the tree."
    )

    class Meta:
        model = Category
        fields = ["id", "name", "parent"]


class CategoryNodeSerializer(CategorySerializer):
    depth = serializers.IntegerField(help_text="0 at the top of the tree.")

    class Meta(CategorySerializer.Meta):
        fields = [*CategorySerializer.Meta.fields, "depth"]


class FrameworkSerializer(serializers.ModelSerializer):
    levels = LevelSerializer(many=True, read_only=True)

    class Meta:
        model = Framework
        fields = ["id", "slug", "name", "description", "attribution", "levels", "updated_at"]


class FrameworkDetailSerializer(FrameworkSerializer):
    categories = serializers.SerializerMethodField(
        help_text="The category tree in reading order: each category before its children."
    )

    class Meta(FrameworkSerializer.Meta):
        fields = [*FrameworkSerializer.Meta.fields, "categories"]

    @extend_schema_field(CategoryNodeSerializer(many=True))
    def get_categories(self, framework):
        from competency.views import category_tree

        return [
            {**CategorySerializer(category).data, "depth": depth}
            for category, depth in category_tree(framework.categories.all())
        ]


class SkillLevelSerializer(serializers.ModelSerializer):
    level = serializers.PrimaryKeyRelatedField(read_only=True)
    rank = serializers.IntegerField(source="level.rank", read_only=True)
    level_name = serializers.CharField(source="level.name", read_only=True)

    class Meta:
        model = SkillLevel
        fields = ["level", "rank", "level_name", "description"]


class SkillSerializer(serializers.ModelSerializer):
    framework = serializers.SlugRelatedField(
        source="category.framework", slug_field="slug", read_only=True
    )
    category = CategorySerializer(read_only=True)
    levels = SkillLevelSerializer(many=True, read_only=True)

    class Meta:
        model = Skill
        fields = ["id", "name", "description", "framework", "category", "levels", "updated_at"]


class UseSerializer(serializers.Serializer):
    """A profile that uses a catalogue item, and what it asks of it."""

    profile = serializers.SlugField(source="profile.slug")
    title = serializers.CharField(source="profile.title")
    status = serializers.CharField(source="profile.status")
    position = serializers.IntegerField()
    depth = serializers.CharField(required=False, help_text="Knowledge items: the depth asked.")
    level = serializers.IntegerField(
        source="level_id", required=False, help_text="Skills: the level asked (its id)."
    )


class AwardingBodySerializer(serializers.ModelSerializer):
    class Meta:
        model = AwardingBody
        fields = ["id", "name", "updated_at"]


class JobFamilySerializer(serializers.ModelSerializer):
    class Meta:
        model = JobFamily
        fields = ["id", "slug", "name", "description", "updated_at"]


class FrameworkImportSerializer(serializers.Serializer):
    lines = serializers.ListField(child=serializers.CharField(), help_text="The report.")
    profiles = serializers.ListField(
        child=serializers.DictField(child=serializers.CharField()),
        help_text="Draft profiles made or changed (the DDaT role table): title and slug.",
    )
    confirmed = serializers.CharField(
        help_text="Send back as ?confirmed= to import only what was previewed."
    )


class RawBody(FileBody):
    """A framework file kept as bytes for the framework importer."""

    media_type = "application/json"
    limit = MAX_FILE


FRAMEWORK_PARSERS = [
    type(f"{name}Body", (RawBody,), {"media_type": media_type})
    for name, media_type in [
        ("Json", "application/json"),
        ("Csv", "text/csv"),
        ("Xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ]
]
FRAMEWORK_BODY = {
    "application/json": ref(FRAMEWORK),
    "text/csv": file_body(MAX_FILE, "A framework's skills table as CSV, UTF-8."),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": file_body(
        MAX_FILE, "A framework's skills table as a workbook."
    ),
}
FORMAT = OpenApiParameter(
    "format", OpenApiTypes.STR, enum=FORMATS, description="The file's layout (JSON: json)."
)


# --- Viewsets ----------------------------------------------------------------


class SearchFilter(filters.FilterSet):
    """`q`: items holding every word in one of the kind's search fields, as
    the catalogue pages search."""

    q = filters.CharFilter(method="search", max_length=search.MAX_LENGTH, label="Search")
    search_fields = ("title", "details")

    def search(self, queryset, name, value):
        return search.matching(queryset, value, self.search_fields)


class CatalogueViewSet(ReadOnlyModelViewSet):
    """The catalogue's read-only resources, for HR as its pages are."""

    # Which token scope it needs (competency/api/scopes.py).
    api_area = "profiles"

    permission_classes = [IsHR]
    # A nightly sync asks for what changed (competency/api/changes.py).
    changes_field = "updated_at"

    def uses_of(self, item):
        links = item.uses.select_related("profile").order_by(
            "profile__title", "profile__slug", "pk"
        )
        page = self.paginate_queryset(links)
        return self.get_paginated_response(UseSerializer(page, many=True).data)


class FrameworkViewSet(CatalogueViewSet):
    """Frameworks with their scale of levels; one framework with its category tree."""

    lookup_field = "slug"
    queryset = Framework.objects.prefetch_related(
        Prefetch("levels", queryset=Level.objects.order_by("rank"))
    ).order_by("name")

    def get_serializer_class(self):
        return FrameworkDetailSerializer if self.action == "retrieve" else FrameworkSerializer

    @extend_schema(
        summary="Download as framework/1 JSON",
        responses={200: OpenApiResponse(ref(FRAMEWORK))},
    )
    @action(detail=True)
    def export(self, request, slug=None):
        return Response(export_framework(self.get_object()))

    def _import(self, request, *, preview):
        """Preview or import the body; a large import, with workers, as a job."""
        data = request.data
        if not isinstance(data, bytes | bytearray):
            raise serializers.ValidationError("Send the file as the request body.")
        layout = request.query_params.get("format") or (
            "json" if request.content_type.startswith("application/json") else None
        )
        if layout not in FORMATS:
            raise serializers.ValidationError(
                {"format": [f"Say which layout the file has: {', '.join(FORMATS)}."]}
            )
        confirmed = request.query_params.get("confirmed") if not preview else None
        if not preview and not uploads.in_request(data):
            # A large file, with workers: the pages' import job writes it,
            # and its result is the answer below (profiles/tasks.py).
            upload = uploads.keep(
                request.user,
                PendingUpload.Purpose.FRAMEWORK,
                NAME,
                bytes(data),
                format=layout,
                fingerprint=confirmed,
            )
            return accepted(
                tasks.start_framework_import(upload, by=request.user, api=api_root(request))
            )
        result = import_framework(
            bytes(data), NAME, format=layout, preview=preview, confirmed=confirmed
        )
        return Response(result.as_json())

    @extend_schema(
        summary="Preview a framework import (writes nothing)",
        parameters=[FORMAT],
        request=FRAMEWORK_BODY,
        responses=FrameworkImportSerializer,
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="import/preview",
        parser_classes=FRAMEWORK_PARSERS,
    )
    def import_preview(self, request):
        return self._import(request, preview=True)

    @extend_schema(
        summary="Import a framework",
        description="framework/1 JSON, an organisation's skills table or the DDaT role table "
        "(CSV or XLSX). With `confirmed` from the preview, nothing is written if the "
        "catalogue changed since (409). " + IN_BACKGROUND,
        parameters=[
            FORMAT,
            IDEMPOTENCY_KEY,
            LOCATION,
            OpenApiParameter("confirmed", OpenApiTypes.STR, description="The preview's."),
        ],
        request=FRAMEWORK_BODY,
        responses={200: FrameworkImportSerializer, 202: ACCEPTED},
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="import",
        parser_classes=FRAMEWORK_PARSERS,
    )
    @idempotent
    def import_framework(self, request):
        return self._import(request, preview=False)

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.action == "retrieve":
            queryset = queryset.prefetch_related(
                Prefetch("categories", queryset=Category.objects.order_by("name"))
            )
        return queryset


# The largest id a BigAutoField holds.
MAX_ID = 2**63 - 1


class IdFilter(filters.NumberFilter):
    """A row's id: a whole number an id column can hold. A decimal or a
    160-digit number is a 400 naming it, not a query the database cannot
    run (it was a 500)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, min_value=1, max_value=MAX_ID, decimal_places=0, **kwargs)
        # Its schema, with its label for words: a schema given to the
        # filter replaces the description the schema would take from it.
        schema = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
        extend_schema_field({**schema, "description": self.label} if self.label else schema)(self)


class SkillFilter(SearchFilter):
    search_fields = ("name", "description")
    framework = filters.CharFilter(field_name="category__framework__slug", label="Framework slug")
    category = IdFilter(field_name="category_id", label="Category id")

    class Meta:
        model = Skill
        fields = ["q", "framework", "category"]


class SkillViewSet(CatalogueViewSet):
    """A framework's skills with their description at each level."""

    serializer_class = SkillSerializer
    filterset_class = SkillFilter
    queryset = (
        Skill.objects.select_related("category__framework")
        .prefetch_related(
            Prefetch(
                "levels",
                queryset=SkillLevel.objects.select_related("level").order_by("level__rank"),
            )
        )
        .order_by("category__framework__name", "name", "pk")
    )

    @extend_schema(responses=UseSerializer(many=True))
    @action(detail=True, filter_backends=[])
    def uses(self, request, pk=None):
        """The profiles whose working copy asks for this skill, with the level."""
        return self.uses_of(self.get_object())


class DevelopedSkillSerializer(serializers.ModelSerializer):
    framework = serializers.SlugRelatedField(
        source="category.framework", slug_field="slug", read_only=True
    )

    class Meta:
        model = Skill
        fields = ["id", "name", "framework"]


class DevelopedKnowledgeSerializer(serializers.ModelSerializer):
    class Meta:
        model = KnowledgeItem
        fields = ["id", "title", "kind"]


class DevelopsSerializer(serializers.Serializer):
    """What a training item or PDA develops: a development plan offers it
    first for a gap in one of these."""

    skills = DevelopedSkillSerializer(many=True, read_only=True)
    knowledge_items = DevelopedKnowledgeSerializer(many=True, read_only=True)


class DevelopsWriteSerializer(serializers.Serializer):
    """The whole set, replacing what the item develops."""

    skills = serializers.PrimaryKeyRelatedField(
        many=True, queryset=Skill.objects.all(), help_text="Skill ids."
    )
    knowledge_items = serializers.PrimaryKeyRelatedField(
        many=True, queryset=KnowledgeItem.objects.all(), help_text="Knowledge item ids."
    )


def develops_body(item):
    skills, knowledge = developing.develops(item)
    return DevelopsSerializer({"skills": skills, "knowledge_items": knowledge}).data


class DevelopsMixin:
    """`develops` on a training item or PDA: GET what it develops (with an
    ETag), PUT the whole set (If-Match)."""

    @extend_schema(
        methods=["GET"],
        summary="What it develops",
        parameters=[IF_NONE_MATCH],
        responses=DevelopsSerializer,
    )
    @extend_schema(
        methods=["PUT"],
        summary="Say what it develops",
        description="Replaces the skills and knowledge items the item develops: development "
        "plans offer it first for a gap in one of them. If-Match: the ETag of the last GET.",
        parameters=[IF_MATCH],
        request=DevelopsWriteSerializer,
        responses=DevelopsSerializer,
    )
    @action(detail=True, methods=["get", "put"], filter_backends=[])
    def develops(self, request, pk=None):
        item = self.get_object()
        if request.method == "GET":
            tag = developing.developed_fingerprint(item)
            return not_modified(request, tag) or with_etag(Response(develops_body(item)), tag)
        given = DevelopsWriteSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        with transaction.atomic():
            locked = developing.lock(item)
            check_if_match(request, developing.developed_fingerprint(locked))
            developing.set_developed(
                item=locked,
                skills=given.validated_data["skills"],
                knowledge_items=given.validated_data["knowledge_items"],
            )
        return with_etag(Response(develops_body(locked)), developing.developed_fingerprint(locked))


def component_viewset(kind):
    """A read-only viewset for one kind of the component library (training
    items and PDAs say what they develop, and take a new set of it)."""
    fields = ["id", "title"]
    if kind.has_details:
        fields.append("details")
    extra = {}
    if kind.model is KnowledgeItem:
        fields.append("kind")
    develops = kind.model in developing.DEVELOPING_MODELS
    if develops:
        fields.append("develops")
        extra["develops"] = serializers.SerializerMethodField(
            help_text="What it develops (see …/develops/)."
        )
        extra["get_develops"] = extend_schema_field(DevelopsSerializer)(
            lambda self, item: (
                DevelopsSerializer(
                    {
                        "skills": item.develops_skills.all(),
                        "knowledge_items": item.develops_knowledge.all(),
                    }
                ).data
            )
        )
    if kind.slug == "qualifications":
        fields.append("awarding_body")
        extra["awarding_body"] = serializers.SlugRelatedField(slug_field="name", read_only=True)
    fields.append("updated_at")
    serializer = type(
        f"{kind.model.__name__}Serializer",
        (serializers.ModelSerializer,),
        {**extra, "Meta": type("Meta", (), {"model": kind.model, "fields": fields})},
    )
    filterset = type(
        f"{kind.model.__name__}Filter",
        (SearchFilter,),
        {
            "search_fields": kind.search_fields,
            "Meta": type("Meta", (), {"model": kind.model, "fields": ["q"]}),
        },
    )

    def uses(self, request, pk=None):
        return self.uses_of(self.get_object())

    uses.__doc__ = f"The profiles whose working copy has this {kind.noun}."
    queryset = kind.items().order_by("title", "pk")
    if develops:
        # Each page's links in two queries, whatever its length.
        queryset = queryset.prefetch_related(
            Prefetch(
                "develops_skills",
                queryset=Skill.objects.select_related("category__framework").order_by("name", "pk"),
            ),
            Prefetch("develops_knowledge", queryset=KnowledgeItem.objects.order_by("title", "pk")),
        )
    viewset = type(
        f"{kind.model.__name__}ViewSet",
        (DevelopsMixin, CatalogueViewSet) if develops else (CatalogueViewSet,),
        {
            "__doc__": f"{kind.title}: the catalogue's {kind.plural} (HR only).",
            "serializer_class": serializer,
            "filterset_class": filterset,
            "queryset": queryset,
            "uses": extend_schema(responses=UseSerializer(many=True))(
                # The list's filters are not the uses' (they would be
                # applied to finding the item, and a bad one was a 500).
                action(detail=True, filter_backends=[])(uses)
            ),
            "prefix": kind.slug,
            "basename": kind.model._meta.model_name,
        },
    )
    return viewset


COMPONENT_VIEWSETS = [component_viewset(kind) for kind in COMPONENT_KINDS.values()]


class AwardingBodyViewSet(CatalogueViewSet):
    """The bodies that award qualifications."""

    serializer_class = AwardingBodySerializer
    queryset = AwardingBody.objects.order_by("name")


class JobFamilyViewSet(CatalogueViewSet):
    """The job families profiles belong to."""

    serializer_class = JobFamilySerializer
    lookup_field = "slug"
    queryset = JobFamily.objects.order_by("name")
