"""People over the REST API, with the same querysets, predicates and
services as the people pages (appraisals/views/people.py): the viewset.
Their bodies are person_serializers.py; the list's filters, the page's
too, appraisals/filters.py; the import's table and plan people_import.py;
what the routes under a person share person_scoped.py.

Everyone signed in lists and reads the people they may see
(Person.objects.visible_to: HR everyone, anyone else themself and their
reporting line); a hidden person is 404. HR create and edit them with the
page's form and people.save_person, so a change of line manager goes
through set_manager and a loop is refused; and import the CSV/XLSX table
with the page's importing.plan_import / apply_import.

ETags fingerprint what the caller reads; every change takes If-Match and
checks it under the row's lock, inside the write's transaction.
"""

from django import forms
from django.db import transaction
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
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from appraisals import importing, privacy, tasks
from appraisals import people as people_service
from appraisals.api.bodies import body_dict, dates_as_text, day, form_errors
from appraisals.api.etags import etag_of
from appraisals.api.people_import import (
    CSV_EXAMPLE,
    IMPORT_BODY,
    IMPORT_MODE,
    IMPORT_PARSERS,
    PLAN_EXAMPLE,
    ImportPlanSerializer,
    import_mode,
    read_upload,
)
from appraisals.api.person_serializers import (
    PersonSerializer,
    PersonSummarySerializer,
    PersonWriteSerializer,
    lines_of,
)
from appraisals.filters import PersonFilter
from appraisals.forms import PersonForm
from appraisals.models import Person
from competency.api.conditional import check_if_match, not_modified, with_etag
from competency.api.idempotency import idempotent
from competency.api.jobs import ACCEPTED, IN_BACKGROUND, LOCATION, accepted, api_root
from competency.api.pagination import OrderedCursorPagination
from competency.api.permissions import IsHR, ReadOrHR
from competency.api.schema import IDEMPOTENCY_KEY, IF_MATCH, IF_NONE_MATCH
from competency.api.views import GenericViewSet
from competency.roles import is_hr
from profiles import uploads
from profiles.models import PendingUpload, RoleProfile

# --- People ---------------------------------------------------------------------------


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


PERSON_EXAMPLE = OpenApiExample(
    "A person",
    value={
        "id": 6,
        "employee_id": "E6",
        "name": "Sam Staff",
        "email": "sam@example.org",
        "job_title": "Platform engineer",
        "line_manager": "E2",
        "line_manager_name": "Mo Manager",
        "role_profile": "platform-engineer",
        "role_profile_title": "Platform Engineer",
        "start_date": "2024-09-02",
        "probation_end_date": "2025-03-01",
        "leaving_date": None,
        "updated_at": "2025-03-01T08:00:00Z",
        "url": "https://competency.example.org/api/v1/people/6/",
        "has_left": False,
        "managers_above": [
            {"id": 1, "employee_id": "E1", "name": "Bea Head"},
            {"id": 2, "employee_id": "E2", "name": "Mo Manager"},
        ],
        "reports": [],
        "etag": '"5e0f3c2a9b8d4716a2c3e4f5061728a9"',
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
        "indirect). A person by exact `employee_id`; the people page's filters (`q`, "
        "`manager` by employee id, `job_family` and `role_profile` by slug, `on_probation`, "
        "`status` — still here by default, everyone for an `employee_id`) and `sort`; cursor "
        "pagination. People, families and profiles are named as the bodies name them.",
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

    # Which token scope it needs (competency/api/scopes.py).
    api_area = "people"

    permission_classes = [ReadOrHR]
    filterset_class = PersonFilter.offering(*PersonFilter.API)
    pagination_class = OrderedCursorPagination
    serializer_class = PersonSerializer
    lookup_value_regex = r"[0-9]{1,9}"
    # A nightly sync asks for what changed (competency/api/changes.py).
    changes_field = "updated_at"

    def get_queryset(self):
        return Person.objects.visible_to(self.request.user).select_related(
            "line_manager", "role_profile"
        )

    def filter_queryset(self, queryset):
        # One person is found by id alone (their access rule is get_queryset's).
        return super().filter_queryset(queryset) if self.action == "list" else queryset

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        # What each row's ETag is made of besides the row: a fixed number
        # of queries for the page, not one per row.
        context = {**self.get_serializer_context(), "lines": lines_of(page)}
        rows = PersonSummarySerializer(page, many=True, context=context)
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

    # --- Personal data -----------------------------------------------------------

    @extend_schema(
        summary="Everything held about a person (HR)",
        description="A subject access export (`format`: `subject-access/1`, described in the "
        "README's Personal data section): the person, their sign-in account (never its "
        "password), their appraisals with both sides, what they wrote and did as a manager, "
        "check-ins, probation, API tokens (names and dates only) and the audit records about "
        "them. The same as the person page's JSON download. Anyone but HR: 404.",
        responses={200: OpenApiTypes.OBJECT},
    )
    @action(detail=True, methods=["get"], url_path="export")
    def export(self, request, pk=None):
        # HR only, and 404 (not 403) to everyone else, as the page: even a
        # manager who may read the person learns nothing from this address.
        if not is_hr(request.user):
            raise NotFound
        person = self.get_object()
        response = Response(privacy.subject_access(person))
        response["Cache-Control"] = "private, no-store"
        return response

    # --- The import ------------------------------------------------------------

    @extend_schema(
        summary="Preview a people import (writes nothing)",
        description="A CSV or XLSX table of people (the body, or a form's `file`), read in "
        "the `mode` given: who would be created, moved, changed or (for the whole "
        "organisation) marked as a leaver. A file with problems is 400 with every problem at "
        "its row and column (`#/file/rows/<row>/<column>`).",
        parameters=[IMPORT_MODE],
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
        data, name = read_upload(request)
        # A file with problems raises PeopleImportError: 400, each at its row.
        plan = importing.plan_import(data, name, mode=import_mode(request))
        return Response(plan.as_json())

    @extend_schema(
        summary="Import people (HR)",
        description="Writes what the preview showed, all or nothing. With `confirmed` from the "
        "preview (of the same `mode`), nothing is written if people changed since (409). "
        + IN_BACKGROUND,
        parameters=[
            IMPORT_MODE,
            IDEMPOTENCY_KEY,
            LOCATION,
            OpenApiParameter(
                "confirmed", OpenApiTypes.STR, description="The preview's `confirmed`."
            ),
        ],
        request=IMPORT_BODY,
        responses={200: ImportPlanSerializer, 202: ACCEPTED},
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
        data, name = read_upload(request)
        mode = import_mode(request)
        confirmed = request.query_params.get("confirmed") or None
        if not uploads.in_request(data):
            # A large file, with workers: the page's import job writes it,
            # and its result is the answer below (appraisals/tasks.py).
            upload = uploads.keep(
                request.user,
                PendingUpload.Purpose.PEOPLE,
                name,
                data,
                mode=mode.value,
                fingerprint=confirmed,
            )
            return accepted(
                tasks.start_people_import(upload, by=request.user, api=api_root(request))
            )
        # A file with problems raises PeopleImportError: 400, each at its row.
        plan = importing.apply_import(data, name, mode=mode, confirmed=confirmed)
        return Response(plan.written_as_json())
