"""People over the REST API, and what the routes under a person share
(check_ins.py, probation.py, insight.py), with the same querysets,
predicates and services as the people pages (appraisals/views/people.py).

Everyone signed in lists and reads the people they may see
(Person.objects.visible_to: HR everyone, anyone else themself and their
reporting line); a hidden person is 404. HR create and edit them with the
page's form and people.save_person, so a change of line manager goes
through set_manager and a loop is refused; and import the CSV/XLSX table
with the page's importing.plan_import / apply_import.

ETags fingerprint what the caller reads; every change takes If-Match and
checks it under the row's lock, inside the write's transaction.
"""

import hashlib
import json

from django import forms
from django.db import transaction
from django.urls import reverse
from django_filters import rest_framework as filters
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

from appraisals import importing
from appraisals import people as people_service
from appraisals.access import can_read_check_ins, visible_person
from appraisals.api.shapes import PersonRefSerializer, person_ref
from appraisals.forms import PersonForm
from appraisals.models import Person
from competency.api.conditional import if_match, not_modified, with_etag
from competency.api.idempotency import idempotent
from competency.api.pagination import OrderedCursorPagination
from competency.api.parsers import FileBody, MultiPartParser
from competency.api.permissions import IsHR, ReadOrHR
from competency.api.problems import FileRefused, PreconditionFailed
from competency.api.query import TrueOrFalseFilter
from competency.api.schema import IDEMPOTENCY_KEY, IF_MATCH, IF_NONE_MATCH
from competency.api.views import GenericViewSet
from competency.roles import is_hr
from profiles.filters import families_in_force
from profiles.models import JobFamily, RoleProfile
from profiles.views.imports import MAX_REQUEST, MAX_UPLOAD

PERSON_PK = OpenApiParameter(
    "person_pk", OpenApiTypes.INT, OpenApiParameter.PATH, description="The person's id."
)


def etag_of(body):
    """The ETag of a representation: a fingerprint of what the caller reads,
    its addresses left out (they depend on the host asked). So a 304 is
    never stale, and If-Match compares what the writer last saw with the
    row as locked now."""
    kept = {key: value for key, value in body.items() if key not in ("url", "links")}
    return hashlib.sha256(json.dumps(kept, sort_keys=True, default=str).encode()).hexdigest()[:32]


def check_if_match(request, current):
    """If-Match against the ETag of the row as locked now: call inside the
    write's transaction, after select_for_update. 428 without it, 412 when
    stale."""
    tag = if_match(request)
    if tag is not None and tag != current:
        raise PreconditionFailed()


def form_errors(form, renamed=None):
    """A bound form's errors as the API's field errors (the page's messages,
    under the API's field names)."""
    renamed = renamed or {}
    return {renamed.get(name, name): list(messages) for name, messages in form.errors.items()}


def day(value):
    """A date as the JSON text it is sent as: bodies are kept as JSON for
    Idempotency-Key replays, which know no date objects."""
    return None if value is None else value.isoformat()


def body_dict(request):
    if not isinstance(request.data, dict):
        raise serializers.ValidationError("Send a JSON object.")
    return request.data


class PersonScoped:
    """Routes under /people/<person_pk>/: the person must be one the caller
    may read (404 otherwise, as the pages)."""

    def person(self):
        if not hasattr(self, "_person"):
            self._person = visible_person(self.request.user, self.kwargs["person_pk"])
        return self._person


# --- People ---------------------------------------------------------------------------


class ProfileLinkSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    title = serializers.CharField()


class PersonSummarySerializer(serializers.Serializer):
    """A row of the people list."""

    id = serializers.IntegerField()
    employee_id = serializers.CharField()
    name = serializers.CharField()
    email = serializers.EmailField(allow_blank=True)
    job_title = serializers.CharField(allow_blank=True)
    line_manager = PersonRefSerializer(allow_null=True)
    role_profile = ProfileLinkSerializer(allow_null=True)
    start_date = serializers.DateField(allow_null=True)
    probation_end_date = serializers.DateField(allow_null=True)
    leaving_date = serializers.DateField(allow_null=True)
    url = serializers.URLField()

    def to_representation(self, person):
        request = self.context["request"]
        return {
            "id": person.pk,
            "employee_id": person.employee_id,
            "name": person.name,
            "email": person.email,
            "job_title": person.job_title,
            "line_manager": person_ref(person.line_manager),
            "role_profile": {"slug": person.role_profile.slug, "title": person.role_profile.title}
            if person.role_profile_id
            else None,
            "start_date": day(person.start_date),
            "probation_end_date": day(person.probation_end_date),
            "leaving_date": day(person.leaving_date),
            "url": request.build_absolute_uri(reverse("api:person-detail", args=[person.pk])),
        }


class PersonLinksSerializer(serializers.Serializer):
    check_ins = serializers.URLField(
        allow_null=True, help_text="Null for those who may not read this person's check-ins."
    )
    probation_checkpoints = serializers.URLField()
    probation_decisions = serializers.URLField()
    readiness = serializers.URLField()


class PersonSerializer(PersonSummarySerializer):
    """A person as their page shows them: their line up to the top, their
    direct reports, and where to find the rest."""

    has_left = serializers.BooleanField()
    managers_above = PersonRefSerializer(
        many=True, help_text="From the top down to the line manager."
    )
    reports = PersonRefSerializer(many=True, help_text="Direct reports, by name.")
    links = PersonLinksSerializer()

    def to_representation(self, person):
        request = self.context["request"]
        above = {p.pk: p for p in Person.objects.managers_above(person)}
        # The person page's walk up the line (bounded: a loop would end it).
        line, at = [], person.line_manager_id
        while at in above and len(line) <= len(above):
            line.append(above[at])
            at = above[at].line_manager_id
        reports = person.reports.order_by("name", "employee_id")

        def link(name):
            return request.build_absolute_uri(reverse(f"api:{name}-list", args=[person.pk]))

        return {
            **super().to_representation(person),
            "has_left": person.has_left(),
            "managers_above": [person_ref(p) for p in reversed(line)],
            "reports": [person_ref(p) for p in reports],
            "links": {
                "check_ins": link("check-in") if can_read_check_ins(request.user, person) else None,
                "probation_checkpoints": link("probation-checkpoint"),
                "probation_decisions": link("probation-decision"),
                "readiness": link("readiness"),
            },
        }


class PersonWriteSerializer(serializers.Serializer):
    """What HR send to create or change a person (the person form's fields)."""

    employee_id = serializers.CharField(max_length=50)
    name = serializers.CharField(max_length=200)
    email = serializers.EmailField(required=False, allow_blank=True)
    job_title = serializers.CharField(required=False, allow_blank=True, max_length=200)
    line_manager = serializers.CharField(
        required=False,
        allow_blank=True,
        allow_null=True,
        max_length=50,
        help_text="The line manager's employee id; empty or null for nobody. A manager who "
        "reports to this person (directly or not) would make a loop: refused.",
    )
    role_profile = serializers.SlugField(
        required=False, allow_blank=True, allow_null=True, help_text="The role profile's slug."
    )
    start_date = serializers.DateField(required=False, allow_null=True)
    probation_end_date = serializers.DateField(required=False, allow_null=True)
    leaving_date = serializers.DateField(required=False, allow_null=True)


class ApiPersonForm(PersonForm):
    """The person page's form, with the role profile named by its slug."""

    role_profile = forms.ModelChoiceField(
        queryset=RoleProfile.objects.all(), to_field_name="slug", required=False
    )


# The API's names for the form's fields.
FORM_NAMES = {"line_manager": "manager"}
API_NAMES = {form: api for api, form in FORM_NAMES.items()}


def current_values(person):
    """The person as the form's data, for PATCH to change only what is sent."""
    return {
        "employee_id": person.employee_id,
        "name": person.name,
        "email": person.email,
        "job_title": person.job_title,
        "manager": person.line_manager.employee_id if person.line_manager_id else "",
        "role_profile": person.role_profile.slug if person.role_profile_id else "",
        "start_date": day(person.start_date),
        "probation_end_date": day(person.probation_end_date),
        "leaving_date": day(person.leaving_date),
    }


def dates_as_text(values):
    return {k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in values.items()}


MANAGER_HELP = "A person's id: everyone in their reporting line (direct and indirect)."


class PersonFilter(filters.FilterSet):
    """The people page's filters. Every choice is checked against what the
    caller may see, so naming a hidden person or profile is the same 400 as
    naming one that does not exist; `sort` offers only the person's own
    fields, never one that would order by something hidden."""

    q = filters.CharFilter(
        method="search", max_length=200, help_text="Name or job title, or an exact employee id."
    )
    manager = filters.ModelChoiceFilter(
        queryset=Person.objects.none(),
        method="in_line_of",
        help_text=MANAGER_HELP,
    )
    job_family = filters.ModelChoiceFilter(
        queryset=JobFamily.objects.all(),
        to_field_name="slug",
        field_name="role_profile__job_family",
        help_text="A job family's slug: people on its profiles.",
    )
    role_profile = filters.ModelChoiceFilter(
        queryset=RoleProfile.objects.all(),
        to_field_name="slug",
        help_text="A role profile's slug.",
    )
    on_probation = TrueOrFalseFilter(
        method="probation", help_text="True: probation ends today or later. False: the others."
    )
    status = filters.ChoiceFilter(
        choices=[("current", "Still here"), ("left", "Left"), ("all", "Everyone")],
        method="by_status",
        empty_label=None,
        help_text="Still here (the default), leavers, or everyone.",
    )
    sort = filters.ChoiceFilter(
        choices=[("name", "Name"), ("employee_id", "Employee id")],
        method="sort_by",
        empty_label=None,
        help_text="Name (the default) or employee id.",
    )

    ORDERS = {"name": ["name", "employee_id"], "employee_id": ["employee_id"]}

    class Meta:
        model = Person
        fields = ["q", "manager", "job_family", "role_profile", "on_probation", "status", "sort"]

    def __init__(self, data=None, queryset=None, *, request=None, **kwargs):
        if data is not None:
            data = data.copy()
            data.setdefault("status", "current")
            data.setdefault("sort", "name")
        super().__init__(data, queryset, request=request, **kwargs)
        user = request.user if request is not None else None
        if user is not None:
            self.filters["manager"].queryset = Person.objects.visible_to(user)
            if not is_hr(user):
                self.filters["job_family"].queryset = families_in_force()
                self.filters["role_profile"].queryset = RoleProfile.objects.visible_to(user)

    def search(self, queryset, name, value):
        return queryset.matching(value)

    # With a type given here the generator ignores the filter's help_text.
    @extend_schema_field({"type": "integer", "description": MANAGER_HELP})
    def in_line_of(self, queryset, name, value):
        return queryset.filter(pk__in=Person.objects.reporting_line(value).values("pk"))

    def probation(self, queryset, name, value):
        on = Person.objects.on_probation().values("pk")
        return queryset.filter(pk__in=on) if value else queryset.exclude(pk__in=on)

    def by_status(self, queryset, name, value):
        current = Person.objects.current().values("pk")
        if value == "current":
            return queryset.filter(pk__in=current)
        if value == "left":
            return queryset.exclude(pk__in=current)
        return queryset

    def sort_by(self, queryset, name, value):
        return queryset.order_by(*self.ORDERS[value])


# --- The import ---------------------------------------------------------------------------


class TableBody(FileBody):
    """A people table kept as bytes for the people importer, which names
    each problem's row and column."""

    media_type = "text/csv"
    name = "people.csv"
    limit = MAX_UPLOAD


class XlsxBody(TableBody):
    media_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    name = "people.xlsx"


class TableForm(MultiPartParser):
    """The table as a form's `file`, with room for the form around it."""

    largest_body = MAX_REQUEST


IMPORT_PARSERS = [TableBody, XlsxBody, TableForm]
IMPORT_BODY = {
    "text/csv": {
        "type": "string",
        "description": "The table, header first: "
        + ", ".join([*importing.COLUMNS, *importing.OPTIONAL]),
    },
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
        "type": "string",
        "format": "binary",
    },
    "multipart/form-data": {
        "type": "object",
        "properties": {"file": {"type": "string", "format": "binary"}},
        "required": ["file"],
    },
}
CSV_EXAMPLE = (
    "employee id,name,email,manager's employee id,profile slug,job title,start date,"
    "probation end date\nE1,Bea Head,bea@example.org,,,Head of engineering,2020-01-06,\n"
    "E2,Mo Manager,mo@example.org,E1,platform-engineer,Engineering manager,2021-03-01,\n"
)


def _upload(request):
    """(bytes, name) of the table sent: the body itself, or a form's `file`."""
    data = request.data
    if isinstance(data, bytes | bytearray):
        name = next(
            (p.name for p in IMPORT_PARSERS[:2] if request.content_type.startswith(p.media_type)),
            "people.csv",
        )
    else:
        upload = request.FILES.get("file")
        if upload is None:
            raise FileRefused({"file": ["Send the table as the body or as `file`."]})
        name, data = upload.name, upload.read(MAX_UPLOAD + 1)
    if len(data) > MAX_UPLOAD:
        raise FileRefused(
            {"file": [f"The file is larger than {MAX_UPLOAD // (1024 * 1024)} MB; split it."]}
        )
    return bytes(data), name


def _import_problems(error):
    """The importer's problems as field errors: each at its row and column
    (`#/file/rows/<row>/<column>`), or at the file."""
    found = {}
    for problem in error.problems:
        if problem.row is None:
            found.setdefault("", []).append(str(problem))
        else:
            column = problem.label or "row"
            found.setdefault(str(problem.row), {}).setdefault(column, []).append(str(problem))
    whole = found.pop("", [])
    detail = {"file": {"rows": found} if found else whole}
    if found and whole:
        detail = {"file": whole, "rows": found}
    return FileRefused(detail)


class ChangeSerializer(serializers.Serializer):
    row = serializers.IntegerField()
    employee_id = serializers.CharField()
    name = serializers.CharField()
    changes = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField(allow_blank=True)),
        help_text="Each changed field: [before, after].",
    )


class ImportPlanSerializer(serializers.Serializer):
    """What the import would do (a preview) or did."""

    summary = serializers.CharField()
    rows = serializers.IntegerField()
    created = PersonRefSerializer(many=True, help_text="New people (id null: not written yet).")
    moved = ChangeSerializer(many=True, help_text="New manager, profile or job title.")
    updated = ChangeSerializer(many=True, help_text="Other changes.")
    leavers = PersonRefSerializer(many=True, help_text="Not in the file: marked as left today.")
    unchanged = serializers.IntegerField()
    confirmed = serializers.CharField(
        help_text="Send back as ?confirmed= to import only if nothing changed since the preview."
    )


def plan_body(plan):
    def change(c):
        return {
            "row": c.row,
            "employee_id": c.person.employee_id,
            "name": c.person.name,
            "changes": {k: [str(v) for v in pair] for k, pair in c.changes.items()},
        }

    return {
        "summary": plan.summary(),
        "rows": plan.rows,
        "created": [
            {"id": None, "employee_id": values["employee_id"], "name": values["name"]}
            for _row, values in plan.created
        ],
        "moved": [change(c) for c in plan.moved],
        "updated": [change(c) for c in plan.updated],
        "leavers": [person_ref(p) for p in plan.leavers],
        "unchanged": plan.unchanged,
        "confirmed": plan.fingerprint,
    }


PLAN_EXAMPLE = OpenApiExample(
    "A preview",
    value={
        "summary": "1 to create, 1 to move, 0 with other changes, 0 to mark as leavers, "
        "40 unchanged",
        "rows": 42,
        "created": [{"id": None, "employee_id": "E42", "name": "Ada Lovelace"}],
        "moved": [
            {
                "row": 7,
                "employee_id": "E6",
                "name": "Sam Staff",
                "changes": {"manager": ["E2", "E3"]},
            }
        ],
        "updated": [],
        "leavers": [],
        "unchanged": 40,
        "confirmed": "3f1c0a9be2d45c77",
    },
    response_only=True,
)
PERSON_EXAMPLE = OpenApiExample(
    "A person",
    value={
        "id": 6,
        "employee_id": "E6",
        "name": "Sam Staff",
        "email": "sam@example.org",
        "job_title": "Platform engineer",
        "line_manager": {"id": 2, "employee_id": "E2", "name": "Mo Manager"},
        "role_profile": {"slug": "platform-engineer", "title": "Platform Engineer"},
        "start_date": "2024-09-02",
        "probation_end_date": "2025-03-01",
        "leaving_date": None,
        "url": "https://competency.example.org/api/v1/people/6/",
        "has_left": False,
        "managers_above": [
            {"id": 1, "employee_id": "E1", "name": "Bea Head"},
            {"id": 2, "employee_id": "E2", "name": "Mo Manager"},
        ],
        "reports": [],
        "links": {
            "check_ins": "https://competency.example.org/api/v1/people/6/check-ins/",
            "probation_checkpoints": "https://competency.example.org/api/v1/people/6/"
            "probation-checkpoints/",
            "probation_decisions": "https://competency.example.org/api/v1/people/6/"
            "probation-decisions/",
            "readiness": "https://competency.example.org/api/v1/people/6/readiness/",
        },
    },
    response_only=True,
)
PERSON_ROW_EXAMPLE = OpenApiExample(
    "People",
    value={
        key: value
        for key, value in PERSON_EXAMPLE.value.items()
        if key not in ("has_left", "managers_above", "reports", "links")
    },
    response_only=True,
)
PERSON_WRITE_EXAMPLE = OpenApiExample(
    "A new starter",
    value={
        "employee_id": "E42",
        "name": "Ada Lovelace",
        "email": "ada@example.org",
        "job_title": "Platform engineer",
        "line_manager": "E2",
        "role_profile": "platform-engineer",
        "start_date": "2025-04-01",
        "probation_end_date": "2025-09-30",
    },
    request_only=True,
)


@extend_schema_view(
    list=extend_schema(
        summary="People",
        description="HR: everyone. Anyone else: themself and their reporting line (direct and "
        "indirect). The people page's filters (`q`, `manager`, `job_family`, `role_profile`, "
        "`on_probation`, `status` — still here by default) and `sort`; cursor pagination.",
        responses=PersonSummarySerializer(many=True),
        examples=[PERSON_ROW_EXAMPLE],
    ),
    retrieve=extend_schema(
        summary="A person",
        parameters=[IF_NONE_MATCH],
        responses={200: PersonSerializer, 304: OpenApiResponse(description="Not modified.")},
        examples=[PERSON_EXAMPLE],
    ),
    create=extend_schema(
        summary="Add a person (HR)",
        description="The person form's checks; the line manager by employee id (a loop is "
        "refused, 400 at `line_manager`); probation checkpoints are scheduled from the dates.",
        parameters=[IDEMPOTENCY_KEY],
        request=PersonWriteSerializer,
        responses={201: PersonSerializer},
        examples=[PERSON_WRITE_EXAMPLE, PERSON_EXAMPLE],
    ),
    update=extend_schema(
        summary="Replace a person's details (HR)",
        description="Fields left out are cleared. A new line manager goes through the "
        "reporting lines' check: a loop is 400 at `line_manager`, and nothing is written.",
        parameters=[IF_MATCH],
        request=PersonWriteSerializer,
        responses=PersonSerializer,
        examples=[PERSON_WRITE_EXAMPLE, PERSON_EXAMPLE],
    ),
    partial_update=extend_schema(
        summary="Change some of a person's details (HR)",
        parameters=[IF_MATCH],
        request=PersonWriteSerializer,
        responses=PersonSerializer,
        examples=[
            OpenApiExample("A new line manager", value={"line_manager": "E3"}, request_only=True),
            PERSON_EXAMPLE,
        ],
    ),
)
class PersonViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, GenericViewSet):
    """People and their reporting lines: read as the people pages show them,
    written by HR through the person form and the reporting lines' service."""

    permission_classes = [ReadOrHR]
    filterset_class = PersonFilter
    pagination_class = OrderedCursorPagination
    serializer_class = PersonSerializer
    lookup_value_regex = r"[0-9]{1,9}"

    def get_queryset(self):
        return Person.objects.visible_to(self.request.user).select_related(
            "line_manager", "role_profile"
        )

    def filter_queryset(self, queryset):
        # One person is found by id alone (their access rule is get_queryset's).
        return super().filter_queryset(queryset) if self.action == "list" else queryset

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        rows = PersonSummarySerializer(page, many=True, context=self.get_serializer_context())
        return self.get_paginated_response(rows.data)

    def _body(self, person):
        # The person, their line above and their reports: all of it held
        # still by the reporting lines' lock, which every change takes.
        return PersonSerializer(person, context=self.get_serializer_context()).data

    def _respond(self, person, status_code=200, request=None):
        body = self._body(person)
        etag = etag_of(body)
        if request is not None and (cached := not_modified(request, etag)):
            return cached
        return with_etag(Response(body, status=status_code), etag)

    def retrieve(self, request, *args, **kwargs):
        return self._respond(self.get_object(), request=request)

    def _save(self, request, person, data):
        """Validate with the person form and save with people.save_person,
        inside the caller's transaction."""
        form = ApiPersonForm(
            dates_as_text({FORM_NAMES.get(k, k): v for k, v in data.items()}), instance=person
        )
        if not form.is_valid():
            raise serializers.ValidationError(form_errors(form, API_NAMES))
        try:
            saved = people_service.save_person(form=form)
        except people_service.ReportingLineError as error:
            raise serializers.ValidationError({"line_manager": error.messages}) from None
        return self.get_queryset().get(pk=saved.pk)

    @staticmethod
    def _typed(request, partial=False):
        """The body, its values' JSON types checked (the form decides the rest)."""
        data = body_dict(request)
        PersonWriteSerializer(data=data, partial=partial).is_valid(raise_exception=True)
        return data

    @idempotent
    def create(self, request, *args, **kwargs):
        data = self._typed(request)
        with transaction.atomic():
            person = self._save(request, Person(), data)
        response = self._respond(person, status.HTTP_201_CREATED)
        response["Location"] = request.build_absolute_uri(
            reverse("api:person-detail", args=[person.pk])
        )
        return response

    def update(self, request, *args, partial=False, **kwargs):
        person = self.get_object()
        given = self._typed(request, partial)
        with transaction.atomic():
            # The reporting lines' lock first, as every change of line takes
            # it, then the row: the ETag is compared with the row as locked.
            people_service.lock_reporting_lines()
            locked = (
                Person.objects.select_for_update(of=("self",))
                .select_related("line_manager", "role_profile")
                .get(pk=person.pk)
            )
            check_if_match(request, etag_of(self._body(locked)))
            data = {}
            if partial:
                data = {API_NAMES.get(k, k): v for k, v in current_values(locked).items()}
            fields = set(PersonWriteSerializer().fields)
            data.update({k: v for k, v in given.items() if k in fields})
            saved = self._save(request, locked, data)
        return self._respond(saved)

    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, partial=True, **kwargs)

    # --- The import ------------------------------------------------------------

    @extend_schema(
        summary="Preview a people import (writes nothing)",
        description="The whole organisation as a CSV or XLSX table (the body, or a form's "
        "`file`): who would be created, moved, changed or marked as a leaver. A file with "
        "problems is 400 with every problem at its row and column "
        "(`#/file/rows/<row>/<column>`).",
        request=IMPORT_BODY,
        responses=ImportPlanSerializer,
        examples=[OpenApiExample("CSV", value=CSV_EXAMPLE, request_only=True), PLAN_EXAMPLE],
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="import/preview",
        parser_classes=IMPORT_PARSERS,
        permission_classes=[IsHR],
    )
    def import_preview(self, request):
        data, name = _upload(request)
        try:
            plan = importing.plan_import(data, name)
        except importing.PeopleImportError as error:
            raise _import_problems(error) from None
        return Response(plan_body(plan))

    @extend_schema(
        summary="Import people (HR)",
        description="Writes what the preview showed, all or nothing. With `confirmed` from the "
        "preview, nothing is written if people changed since (409).",
        parameters=[
            IDEMPOTENCY_KEY,
            OpenApiParameter(
                "confirmed", OpenApiTypes.STR, description="The preview's `confirmed`."
            ),
        ],
        request=IMPORT_BODY,
        responses=ImportPlanSerializer,
        examples=[OpenApiExample("CSV", value=CSV_EXAMPLE, request_only=True), PLAN_EXAMPLE],
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="import",
        parser_classes=IMPORT_PARSERS,
        permission_classes=[IsHR],
    )
    @idempotent
    def import_people(self, request):
        data, name = _upload(request)
        try:
            plan = importing.apply_import(
                data, name, confirmed=request.query_params.get("confirmed") or None
            )
        except importing.PeopleImportError as error:
            raise _import_problems(error) from None
        body = plan_body(plan)
        created = dict(
            Person.objects.filter(
                employee_id__in=[row["employee_id"] for row in body["created"]]
            ).values_list("employee_id", "pk")
        )
        for row in body["created"]:
            row["id"] = created.get(row["employee_id"])
        return Response(body)
