"""Appraisals over the REST API, as their pages show and change them
(appraisals/views/appraisal.py and gaps.py).

- Rows: Appraisal.objects.visible_to(user), so an appraisal someone may not
  read is 404 and never listed, and a filter naming someone else's id
  finds nothing.
- Fields: access.masked_requirements and visible_sides blank the side of
  the ratings (and its summary and the outcome) the caller may not see yet.
- Changes: the workflow and plans services, with the caller as `by`; they
  decide who may do what at which stage, and a refusal is a 409 (or a 400
  naming the field) in problem details.

ETag: an appraisal's `revision` (every service bumps it, objectives and the
plan included) and its stage. Every write and move takes If-Match: the
appraisal's row is locked (workflow.lock), the ETag compared, and the
service called with the stage it showed, all in one transaction. Its
objectives and development actions carry the appraisal's ETag: every
change to them is a change of the appraisal.
"""

from django.db import transaction
from django.db.models import F
from django.db.models.fields.json import KeyTextTransform
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import exceptions, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from appraisals import plans, workflow
from appraisals.access import (
    gap_counts,
    gap_rows,
    is_the_person,
    masked_requirements,
    visible_sides,
)
from appraisals.models import (
    Appraisal,
    AppraisalEvent,
    Cycle,
    DevelopmentAction,
    Objective,
    Person,
    Requirement,
    Stage,
)
from competency import search
from competency.api.conditional import if_match, not_modified, with_etag
from competency.api.idempotency import idempotent
from competency.api.pagination import OrderedCursorPagination
from competency.api.problems import PreconditionFailed
from competency.api.schema import IDEMPOTENCY_KEY, IF_MATCH, IF_NONE_MATCH
from competency.api.views import GenericViewSet

# --- ETags ---------------------------------------------------------------------------


def appraisal_etag(appraisal):
    return f"{appraisal.revision}.{appraisal.stage}"


def confirmed_stage(request, appraisal):
    """Lock the appraisal's row, check If-Match against it (428 without,
    412 when it changed) and return the stage to pass the service as
    `confirmed_stage`. Call inside transaction.atomic(): the service then
    writes under the same lock."""
    tag = if_match(request)
    locked = workflow.lock(appraisal, None)
    if tag is None:  # If-Match: * (whatever it is now)
        return None
    if tag != appraisal_etag(locked):
        raise PreconditionFailed()
    return locked.stage


# --- Bodies --------------------------------------------------------------------------
# Built as dicts (a list of 100 appraisals or one of 60 requirements is
# served without a serializer per row); the serializers below describe
# them for the schema.


def person_ref(person):
    return {"id": person.pk, "name": person.name, "employee_id": person.employee_id}


def cycle_ref(cycle):
    return {"id": cycle.pk, "name": cycle.name, "kind": cycle.kind, "status": cycle.status}


def appraisal_url(request, pk):
    return request.build_absolute_uri(reverse("api:appraisal-detail", args=[pk]))


def row_body(request, appraisal):
    sides = visible_sides(request.user, appraisal)
    return {
        "id": appraisal.pk,
        "url": appraisal_url(request, appraisal.pk),
        "cycle": cycle_ref(appraisal.cycle),
        "person": person_ref(appraisal.person),
        "manager": person_ref(appraisal.manager),
        "profile": {
            "slug": appraisal.profile_slug,
            "title": appraisal.profile_title,
            "version": appraisal.version_number,
        },
        "stage": appraisal.stage,
        # The outcome is the manager's: shown with their side.
        "outcome": (appraisal.outcome or None) if sides.manager_assessment else None,
        "person_signed_at": appraisal.person_signed_at,
        "manager_signed_at": appraisal.manager_signed_at,
    }


def _side(row, prefix):
    rating = getattr(row, f"{prefix}_rating")
    return {
        "rating": rating,
        "rating_name": row.rank_name(rating),
        "evidence": getattr(row, f"{prefix}_evidence"),
        "comment": getattr(row, f"{prefix}_comment"),
    }


def requirement_body(row, sides):
    return {
        "id": row.pk,
        "position": row.position + 1,
        "kind": row.kind,
        "group": row.group,
        "title": row.title,
        "details": row.details,
        "required_label": row.required_label or None,
        "required_rank": row.required_rank,
        "scale": row.scale,
        "skill": row.skill_id,
        "knowledge_item": row.knowledge_item_id,
        "work_activity": row.work_activity_id,
        # A side the caller may not see yet is null, not "not rated".
        "self": _side(row, "self") if sides.self_assessment else None,
        "manager": _side(row, "manager") if sides.manager_assessment else None,
        "gap": row.gap,
        "gap_word": row.gap_word,
    }


def event_body(event):
    by = event.by
    return {
        "action": event.action,
        "from_stage": event.from_stage or None,
        "to_stage": event.to_stage,
        "reason": event.reason,
        "by": (by.get_full_name() or by.get_username()) if by else None,
        "at": event.at,
    }


def detail_body(request, appraisal):
    user = request.user
    sides = visible_sides(user, appraisal)
    requirements = masked_requirements(user, appraisal, appraisal.requirements.all())
    who, what = workflow.waiting_for(appraisal)
    url = appraisal_url(request, appraisal.pk)
    return {
        **row_body(request, appraisal),
        "revision": appraisal.revision,
        "superseded": appraisal.published_version_id != appraisal.profile_version_id,
        "sides": {
            "self_assessment": sides.self_assessment,
            "manager_assessment": sides.manager_assessment,
        },
        "person_summary": appraisal.person_summary if sides.self_assessment else None,
        "manager_summary": appraisal.manager_summary if sides.manager_assessment else None,
        "waiting_for": {"who": who, "what": what},
        "available_moves": [MOVE_PATHS[name] for name in workflow.available_moves(user, appraisal)],
        "may": {
            "rate": workflow.may_edit_side(user, appraisal),
            "write_summary": workflow.may_write_summary(user, appraisal),
            "set_outcome": workflow.may_set_outcome(user, appraisal),
            "plan": plans.may_plan(user, appraisal),
        },
        "requirements": [requirement_body(row, sides) for row in requirements],
        "events": [event_body(event) for event in appraisal.events.select_related("by")],
        "links": {
            "objectives": f"{url}objectives/",
            "development_actions": f"{url}development-actions/",
            "gaps": f"{url}gaps/",
        },
    }


# --- Serializers (for the schema and for input) ------------------------------------------


class PersonRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    employee_id = serializers.CharField()


class CycleRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=Cycle.Kind.choices)
    status = serializers.ChoiceField(choices=Cycle.Status.choices)


class ProfileRefSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    title = serializers.CharField(help_text="As the frozen version says.")
    version = serializers.IntegerField(help_text="The published version appraised against.")


class AppraisalRowSerializer(serializers.Serializer):
    """An appraisal in the list."""

    id = serializers.IntegerField()
    url = serializers.URLField()
    cycle = CycleRefSerializer()
    person = PersonRefSerializer()
    manager = PersonRefSerializer()
    profile = ProfileRefSerializer()
    stage = serializers.ChoiceField(choices=Stage.choices)
    outcome = serializers.ChoiceField(
        choices=Appraisal.Outcome.choices,
        allow_null=True,
        help_text="Null when not set, or not shown to you yet (the manager's side).",
    )
    person_signed_at = serializers.DateTimeField(allow_null=True)
    manager_signed_at = serializers.DateTimeField(allow_null=True)


class ScaleStepSerializer(serializers.Serializer):
    rank = serializers.IntegerField()
    name = serializers.CharField()
    description = serializers.CharField(allow_blank=True)


class SideSerializer(serializers.Serializer):
    rating = serializers.IntegerField(
        allow_null=True, help_text="A rank of the scale; null: not rated."
    )
    rating_name = serializers.CharField(help_text="The scale's word for it, or 'Not rated'.")
    evidence = serializers.CharField(allow_blank=True)
    comment = serializers.CharField(allow_blank=True)


class RequirementSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    position = serializers.IntegerField(help_text="From 1.")
    kind = serializers.ChoiceField(choices=Requirement.Kind.choices)
    group = serializers.CharField(allow_blank=True, help_text="Framework » category.")
    title = serializers.CharField()
    details = serializers.CharField(allow_blank=True)
    required_label = serializers.CharField(allow_null=True)
    required_rank = serializers.IntegerField(allow_null=True)
    scale = ScaleStepSerializer(many=True)
    skill = serializers.IntegerField(allow_null=True, help_text="The catalogue skill's id.")
    knowledge_item = serializers.IntegerField(allow_null=True)
    work_activity = serializers.IntegerField(allow_null=True)
    self = SideSerializer(allow_null=True, help_text="Null while you may not see it.")
    manager = SideSerializer(allow_null=True, help_text="Null while you may not see it.")
    gap = serializers.IntegerField(
        allow_null=True, help_text="Manager's rating − required rank; the self rating never counts."
    )
    gap_word = serializers.ChoiceField(choices=["below", "meets", "above"], allow_null=True)


class EventSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=AppraisalEvent.Action.choices)
    from_stage = serializers.ChoiceField(choices=Stage.choices, allow_null=True)
    to_stage = serializers.ChoiceField(choices=Stage.choices)
    reason = serializers.CharField(allow_blank=True)
    by = serializers.CharField(allow_null=True)
    at = serializers.DateTimeField()


MOVE_PATHS = {
    "start": "start",
    "submit": "submit",
    "share": "share",
    "sign": "sign",
    "send_back": "send-back",
    "reopen": "reopen",
}


class AppraisalSerializer(AppraisalRowSerializer):
    """An appraisal as its page shows it to you."""

    revision = serializers.IntegerField()
    superseded = serializers.BooleanField(
        help_text="The profile has a newer version in force than the one appraised against."
    )
    sides = inline_serializer(
        "Sides",
        {
            "self_assessment": serializers.BooleanField(),
            "manager_assessment": serializers.BooleanField(),
        },
    )
    person_summary = serializers.CharField(allow_null=True)
    manager_summary = serializers.CharField(allow_null=True)
    waiting_for = inline_serializer(
        "WaitingFor",
        {"who": serializers.CharField(allow_null=True), "what": serializers.CharField()},
    )
    available_moves = serializers.ListField(
        child=serializers.ChoiceField(choices=list(MOVE_PATHS.values())),
        help_text="The moves you may make now: POST to the appraisal's URL + the move + '/'.",
    )
    may = inline_serializer(
        "AppraisalRights",
        {
            "rate": serializers.ChoiceField(choices=["self", "manager"], allow_null=True),
            "write_summary": serializers.ChoiceField(
                choices=["person_summary", "manager_summary"], allow_null=True
            ),
            "set_outcome": serializers.BooleanField(),
            "plan": serializers.BooleanField(),
        },
    )
    requirements = RequirementSerializer(many=True)
    events = EventSerializer(many=True)
    links = inline_serializer(
        "AppraisalLinks",
        {
            "objectives": serializers.URLField(),
            "development_actions": serializers.URLField(),
            "gaps": serializers.URLField(),
        },
    )


class RatingSerializer(serializers.Serializer):
    requirement = serializers.IntegerField(min_value=1, help_text="The requirement's id.")
    rating = serializers.IntegerField(
        min_value=1,
        allow_null=True,
        required=False,
        help_text="A rank of the requirement's scale; null for 'Not rated'.",
    )
    evidence = serializers.CharField(allow_blank=True, required=False, max_length=20000)
    comment = serializers.CharField(allow_blank=True, required=False, max_length=20000)


class RatingsSerializer(serializers.Serializer):
    ratings = RatingSerializer(many=True, allow_empty=False)

    def validate_ratings(self, ratings):
        seen = set()
        for rating in ratings:
            if rating["requirement"] in seen:
                raise serializers.ValidationError(
                    f"Requirement {rating['requirement']} is given twice."
                )
            seen.add(rating["requirement"])
        return ratings


class SummaryTextSerializer(serializers.Serializer):
    text = serializers.CharField(allow_blank=True, max_length=20000)


class OutcomeSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(
        choices=Appraisal.Outcome.choices, allow_blank=True, help_text="'' clears it."
    )


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=5000, help_text="Why: kept with the appraisal.")


class ReassignSerializer(serializers.Serializer):
    manager = serializers.IntegerField(min_value=1, help_text="The new manager's person id.")
    reason = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")


class GapRowSerializer(serializers.Serializer):
    requirement = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=Requirement.Kind.choices)
    title = serializers.CharField()
    required_label = serializers.CharField(allow_null=True)
    required_rank = serializers.IntegerField()
    top_rank = serializers.IntegerField(help_text="The scale's highest rank.")
    rating = serializers.IntegerField(
        allow_null=True,
        help_text="The manager's (agreed) rating; null when not shown or not rated.",
    )
    self_rating = serializers.IntegerField(
        allow_null=True, help_text="Shown beside, never counted."
    )
    gap = serializers.IntegerField(allow_null=True)
    gap_word = serializers.ChoiceField(choices=["below", "meets", "above"], allow_null=True)


class GapsSerializer(serializers.Serializer):
    counts = inline_serializer(
        "GapCounts",
        {
            "below": serializers.IntegerField(),
            "meets": serializers.IntegerField(),
            "above": serializers.IntegerField(),
            "unrated": serializers.IntegerField(),
            "total": serializers.IntegerField(),
            "shared": serializers.BooleanField(
                help_text="Whether the manager's ratings are shown to you (else all unrated)."
            ),
        },
    )
    rows = GapRowSerializer(many=True)


# --- Filters ----------------------------------------------------------------------------


class AppraisalFilter(filters.FilterSet):
    """Filters of the list. Ids are plain numbers, never checked against all
    rows: a filter naming a person, manager or cycle you may not see finds
    nothing, exactly as one naming an id that does not exist."""

    cycle = filters.NumberFilter(field_name="cycle_id", label="Cycle id")
    stage = filters.ChoiceFilter(choices=Stage.choices)
    person = filters.NumberFilter(field_name="person_id", label="Person id (the appraisee)")
    manager = filters.NumberFilter(field_name="manager_id", label="Manager's person id")
    q = filters.CharFilter(
        method="search",
        max_length=search.MAX_LENGTH,
        label="Search",
        help_text="Words in the person's name or employee id, or the cycle's name.",
    )
    sort = filters.ChoiceFilter(
        method="sort_by",
        choices=[("newest", "Newest first"), ("person", "Person"), ("cycle", "Cycle")],
        empty_label=None,
        help_text="newest (default), person (by name), cycle (latest opening first). Only "
        "fields every reader of the row sees: never the outcome or ratings.",
    )

    # The first field decides the cursor: unique or nearly so.
    ORDERS = {
        "newest": ["-pk"],
        "person": ["person__name", "pk"],
        "cycle": ["-cycle__opens_on", "person__name", "pk"],
    }

    class Meta:
        model = Appraisal
        fields = ["cycle", "stage", "person", "manager"]

    def search(self, queryset, name, value):
        return search.matching(
            queryset, value, ["person__name", "person__employee_id", "cycle__name"]
        )

    def sort_by(self, queryset, name, value):
        return queryset.order_by(*self.ORDERS[value])


# --- Appraisals ---------------------------------------------------------------------------


def readable(user):
    """The appraisals `user` may read, with what their bodies show."""
    return (
        Appraisal.objects.visible_to(user)
        .select_related("cycle", "person", "manager")
        .annotate(
            profile_slug=F("profile_version__profile__slug"),
            profile_title=KeyTextTransform("title", "profile_version__document"),
            version_number=F("profile_version__number"),
            published_version_id=F("profile_version__profile__published_version"),
        )
    )


APPRAISAL_ID = OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH)
EXAMPLE_ROW = {
    "id": 41,
    "url": "https://competency.example.org/api/v1/appraisals/41/",
    "cycle": {"id": 3, "name": "Annual review 2025", "kind": "annual", "status": "open"},
    "person": {"id": 12, "name": "Sam Patel", "employee_id": "E1012"},
    "manager": {"id": 7, "name": "Mo Khan", "employee_id": "E1007"},
    "profile": {"slug": "platform-engineer", "title": "Platform Engineer", "version": 2},
    "stage": "agreed",
    "outcome": "meets",
    "person_signed_at": None,
    "manager_signed_at": None,
}
EXAMPLE_REQUIREMENT = {
    "id": 901,
    "position": 1,
    "kind": "knowledge",
    "group": "",
    "title": "Agile working",
    "details": "Working in short iterations.",
    "required_label": "Proficient in",
    "required_rank": 3,
    "scale": [
        {"rank": 1, "name": "Aware of", "description": ""},
        {"rank": 2, "name": "Familiar with", "description": ""},
        {"rank": 3, "name": "Proficient in", "description": ""},
        {"rank": 4, "name": "Expert in", "description": ""},
    ],
    "skill": None,
    "knowledge_item": 55,
    "work_activity": None,
    "self": {
        "rating": 3,
        "rating_name": "Proficient in",
        "evidence": "Ran the sprints.",
        "comment": "",
    },
    "manager": {
        "rating": 2,
        "rating_name": "Familiar with",
        "evidence": "",
        "comment": "Next year.",
    },
    "gap": -1,
    "gap_word": "below",
}
EXAMPLE_DETAIL = {
    **EXAMPLE_ROW,
    "revision": 9,
    "superseded": False,
    "sides": {"self_assessment": True, "manager_assessment": True},
    "person_summary": "A good year.",
    "manager_summary": "Agreed.",
    "waiting_for": {"who": "Sam Patel and Mo Khan", "what": "to sign"},
    "available_moves": ["sign", "send-back"],
    "may": {"rate": None, "write_summary": "manager_summary", "set_outcome": True, "plan": True},
    "requirements": [EXAMPLE_REQUIREMENT],
    "events": [
        {
            "action": "shared",
            "from_stage": "manager_review",
            "to_stage": "agreed",
            "reason": "",
            "by": "Mo Khan",
            "at": "2025-05-02T10:00:00Z",
        }
    ],
    "links": {
        "objectives": "https://competency.example.org/api/v1/appraisals/41/objectives/",
        "development_actions": (
            "https://competency.example.org/api/v1/appraisals/41/development-actions/"
        ),
        "gaps": "https://competency.example.org/api/v1/appraisals/41/gaps/",
    },
}
DETAIL_EXAMPLE = OpenApiExample("An agreed appraisal", value=EXAMPLE_DETAIL, response_only=True)


def move_schema(summary, description, request=None, examples=()):
    return extend_schema(
        summary=summary,
        description=description
        + " Needs If-Match with the appraisal's ETag; answers with the appraisal and its new "
        "ETag. When the service refuses (not your part, not at this stage): 409 with its "
        "reason.",
        parameters=[IF_MATCH, APPRAISAL_ID],
        request=request,
        responses={200: AppraisalSerializer},
        examples=[*examples, DETAIL_EXAMPLE],
    )


@extend_schema_view(
    list=extend_schema(
        summary="Appraisals you may read",
        description="HR: every appraisal. A manager: everyone's in their reporting line "
        "(direct and indirect). A person: their own. Filters, `q` and `sort`; cursor "
        "pagination.",
        responses=AppraisalRowSerializer(many=True),
        examples=[
            OpenApiExample(
                "A page",
                value={"next": None, "previous": None, "results": [EXAMPLE_ROW]},
                response_only=True,
            )
        ],
    ),
    retrieve=extend_schema(
        summary="An appraisal, as its page shows it to you",
        description="Its requirements with both ratings, each side null while you may not "
        "see it (the manager's until shared, the person's until submitted); the moves you "
        "may make, whom it waits for, and its history.",
        parameters=[IF_NONE_MATCH, APPRAISAL_ID],
        responses={200: AppraisalSerializer, 304: OpenApiResponse(description="Not modified.")},
        examples=[DETAIL_EXAMPLE],
    ),
)
class AppraisalViewSet(GenericViewSet):
    """Appraisals: read what the pages show you, and move them on through the
    same workflow services."""

    filterset_class = AppraisalFilter
    pagination_class = OrderedCursorPagination
    serializer_class = AppraisalSerializer
    lookup_value_regex = r"[0-9]+"

    def get_queryset(self):
        return readable(self.request.user).order_by("-pk")

    def filter_queryset(self, queryset):
        # Filters are the list's; one appraisal is found by its id alone.
        return super().filter_queryset(queryset) if self.action == "list" else queryset

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response([row_body(request, appraisal) for appraisal in page])

    def _respond(self, pk, request=None):
        appraisal = get_object_or_404(self.get_queryset(), pk=pk)
        etag = appraisal_etag(appraisal)
        if request is not None:
            cached = not_modified(request, etag)
            if cached is not None:
                return cached
        return with_etag(Response(detail_body(self.request, appraisal)), etag)

    def retrieve(self, request, pk=None):
        return self._respond(pk, request)

    def _write(self, request, service, **arguments):
        appraisal = self.get_object()
        with transaction.atomic():
            stage = confirmed_stage(request, appraisal)
            service(appraisal=appraisal, by=request.user, confirmed_stage=stage, **arguments)
        return self._respond(appraisal.pk)

    # --- Saves --------------------------------------------------------------------------

    @move_schema(
        "Save your ratings",
        "The person's self-assessment (during self-assessment) or the manager's ratings "
        "(during manager review), as the page saves them: the person writes their side, "
        "anyone else the manager's. Only what each entry gives is changed.",
        request=RatingsSerializer,
        examples=[
            OpenApiExample(
                "Two ratings",
                value={
                    "ratings": [
                        {"requirement": 901, "rating": 3, "evidence": "Ran the sprints."},
                        {"requirement": 902, "rating": None, "comment": "Not this year."},
                    ]
                },
                request_only=True,
            )
        ],
    )
    @action(detail=True, methods=["patch"])
    def ratings(self, request, pk=None):
        given = RatingsSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        ratings = {
            row.pop("requirement"): row
            for row in (dict(r) for r in given.validated_data["ratings"])
        }
        appraisal = self.get_object()
        save = (
            workflow.save_self_ratings
            if is_the_person(request.user, appraisal)
            else workflow.save_manager_ratings
        )
        with transaction.atomic():
            stage = confirmed_stage(request, appraisal)
            save(appraisal=appraisal, by=request.user, confirmed_stage=stage, ratings=ratings)
        return self._respond(appraisal.pk)

    @move_schema(
        "Write your summary",
        "The person's summary (self-assessment, agreed) or the manager's (manager review, "
        "agreed), until someone signs.",
        request=SummaryTextSerializer,
        examples=[OpenApiExample("A summary", value={"text": "A good year."}, request_only=True)],
    )
    @action(detail=True, methods=["put"])
    def summary(self, request, pk=None):
        given = SummaryTextSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        return self._write(request, workflow.save_summary, text=given.validated_data["text"])

    @move_schema(
        "Set the outcome",
        "The manager, in manager review and agreed, until someone signs.",
        request=OutcomeSerializer,
        examples=[OpenApiExample("Meets", value={"outcome": "meets"}, request_only=True)],
    )
    @action(detail=True, methods=["put"])
    def outcome(self, request, pk=None):
        given = OutcomeSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        return self._write(request, workflow.set_outcome, outcome=given.validated_data["outcome"])

    # --- Moves --------------------------------------------------------------------------

    @move_schema("Open for self-assessment", "Draft → self-assessment: the manager or HR.")
    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        return self._write(request, workflow.start_self_assessment)

    @move_schema("Submit the self-assessment", "Self-assessment → manager review: the person.")
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return self._write(request, workflow.submit_self_assessment)

    @move_schema("Share the review", "Manager review → agreed: the manager.")
    @action(detail=True, methods=["post"])
    def share(self, request, pk=None):
        return self._write(request, workflow.share_review)

    @move_schema(
        "Sign",
        "Agreed: the person or the manager signs; the second signature signs it off.",
    )
    @action(detail=True, methods=["post"])
    def sign(self, request, pk=None):
        return self._write(request, workflow.sign_off)

    @move_schema(
        "Send back a stage",
        "With a reason that is kept: the manager, from self-assessment or manager review; "
        "either of the two from agreed (signatures are cleared).",
        request=ReasonSerializer,
        examples=[
            OpenApiExample("A reason", value={"reason": "Please add evidence."}, request_only=True)
        ],
    )
    @action(detail=True, methods=["post"], url_path="send-back")
    def send_back(self, request, pk=None):
        given = ReasonSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        return self._write(request, workflow.send_back, reason=given.validated_data["reason"])

    @move_schema(
        "Reopen (HR)",
        "Signed off → manager review, by HR, with a reason that is kept.",
        request=ReasonSerializer,
        examples=[
            OpenApiExample("A reason", value={"reason": "Wrong outcome."}, request_only=True)
        ],
    )
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        given = ReasonSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        return self._write(request, workflow.reopen, reason=given.validated_data["reason"])

    @move_schema(
        "Reassign the manager (HR)",
        "An open appraisal goes to another manager (the person moved team); a signed-off "
        "one keeps the manager who signed.",
        request=ReassignSerializer,
        examples=[
            OpenApiExample(
                "To Olu", value={"manager": 9, "reason": "Moved team."}, request_only=True
            )
        ],
    )
    @action(detail=True, methods=["post"])
    def reassign(self, request, pk=None):
        given = ReassignSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        # Among the people the caller may see: anyone else is "no such person".
        manager = (
            Person.objects.visible_to(request.user)
            .filter(pk=given.validated_data["manager"])
            .first()
        )
        if manager is None:
            raise serializers.ValidationError({"manager": ["There is no such person."]})
        return self._write(
            request,
            workflow.reassign_manager,
            manager=manager,
            reason=given.validated_data["reason"],
        )

    # --- Gaps -----------------------------------------------------------------------------

    @extend_schema(
        summary="The appraisal's gaps",
        description="What its gap chart shows you: each requirement with a required rank, "
        "the manager's (agreed) rating against it and the gap, the self rating beside it; "
        "the manager's side counts only once you may see it.",
        parameters=[IF_NONE_MATCH, APPRAISAL_ID],
        responses={200: GapsSerializer, 304: OpenApiResponse(description="Not modified.")},
        examples=[
            OpenApiExample(
                "Gaps",
                value={
                    "counts": {
                        "below": 1,
                        "meets": 0,
                        "above": 0,
                        "unrated": 0,
                        "total": 1,
                        "shared": True,
                    },
                    "rows": [
                        {
                            "requirement": 901,
                            "kind": "knowledge",
                            "title": "Agile working",
                            "required_label": "Proficient in",
                            "required_rank": 3,
                            "top_rank": 4,
                            "rating": 2,
                            "self_rating": 3,
                            "gap": -1,
                            "gap_word": "below",
                        }
                    ],
                },
                response_only=True,
            )
        ],
    )
    @action(detail=True, methods=["get"])
    def gaps(self, request, pk=None):
        appraisal = self.get_object()
        etag = appraisal_etag(appraisal)
        cached = not_modified(request, etag)
        if cached is not None:
            return cached
        sides = visible_sides(request.user, appraisal)
        rows = gap_rows(request.user, appraisal, appraisal.requirements.all())
        body = {
            "counts": gap_counts(rows, sides.manager_assessment),
            "rows": [
                {
                    "requirement": row.pk,
                    "kind": row.kind,
                    "title": row.title,
                    "required_label": row.required_label or None,
                    "required_rank": row.required_rank,
                    "top_rank": max((step["rank"] for step in row.scale), default=1),
                    "rating": row.manager_rating,
                    "self_rating": row.self_rating,
                    "gap": row.gap,
                    "gap_word": row.gap_word,
                }
                for row in rows
            ],
        }
        return with_etag(Response(body), etag)


# --- Objectives and the development plan ------------------------------------------------


class ObjectiveSerializer(serializers.ModelSerializer):
    class Meta:
        model = Objective
        fields = [
            "id",
            "title",
            "measure",
            "due_on",
            "status",
            "progress_notes",
            "carried_from",
            "position",
        ]
        read_only_fields = ["id", "carried_from", "position"]
        extra_kwargs = {"carried_from": {"help_text": "The objective it was carried over from."}}


class ActionSerializer(serializers.ModelSerializer):
    gap = serializers.IntegerField(
        read_only=True, allow_null=True, help_text="The gap of the requirement it is aimed at."
    )

    class Meta:
        model = DevelopmentAction
        fields = [
            "id",
            "title",
            "details",
            "status",
            "due_on",
            "requirement",
            "training",
            "development_activity",
            "position",
            "gap",
        ]
        read_only_fields = ["id", "training", "development_activity", "position", "gap"]


class ActionWriteSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=300, required=False)
    details = serializers.CharField(allow_blank=True, required=False)
    status = serializers.ChoiceField(choices=DevelopmentAction.Status.choices, required=False)
    due_on = serializers.DateField(allow_null=True, required=False)
    requirement = serializers.IntegerField(
        allow_null=True, required=False, help_text="A requirement of this appraisal it aims at."
    )


class ActionCreateSerializer(ActionWriteSerializer):
    option = serializers.CharField(
        required=False,
        max_length=50,
        help_text="One of the suggestions' options ('training-<id>' or 'pda-<id>'): the "
        "action copies its title and details.",
    )

    def validate(self, data):
        if not data.get("option") and not data.get("title"):
            raise serializers.ValidationError({"title": ["Give a title, or choose an option."]})
        return data


class ObjectiveWriteSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=300)
    measure = serializers.CharField(allow_blank=True, required=False)
    due_on = serializers.DateField(allow_null=True, required=False)
    status = serializers.ChoiceField(choices=Objective.Status.choices, required=False)
    progress_notes = serializers.CharField(allow_blank=True, required=False)


class OptionSerializer(serializers.Serializer):
    option = serializers.CharField(help_text="Send as `option` to add it.")
    kind = serializers.ChoiceField(choices=["training", "pda"])
    id = serializers.IntegerField()
    title = serializers.CharField()
    details = serializers.CharField(allow_blank=True)


class SuggestionSerializer(serializers.Serializer):
    requirement = serializers.IntegerField()
    title = serializers.CharField()
    gap = serializers.IntegerField()
    options = OptionSerializer(many=True)


class AppraisalChildViewSet(GenericViewSet):
    """What hangs off one appraisal: found through the appraisal the caller
    may read (404 otherwise), changed under its lock and ETag."""

    pagination_class = None
    lookup_value_regex = r"[0-9]+"
    http_method_names = ["get", "post", "patch", "head", "options"]

    def appraisal(self):
        if not hasattr(self, "_appraisal"):
            self._appraisal = get_object_or_404(
                readable(self.request.user), pk=self.kwargs["appraisal_pk"]
            )
        return self._appraisal

    def child(self, pk):
        return get_object_or_404(self.children(self.appraisal()), pk=pk)

    def _etag_of_appraisal(self):
        return appraisal_etag(
            Appraisal.objects.only("revision", "stage").get(pk=self.appraisal().pk)
        )

    def _one(self, obj, status_code=200, location=False):
        response = Response(self.body(obj), status=status_code)
        if location:
            response["Location"] = self.request.build_absolute_uri(
                reverse(f"api:{self.basename}-detail", args=[self.appraisal().pk, obj.pk])
            )
        return with_etag(response, self._etag_of_appraisal())

    def list(self, request, *args, **kwargs):
        appraisal = self.appraisal()
        etag = appraisal_etag(appraisal)
        cached = not_modified(request, etag)
        if cached is not None:
            return cached
        rows = [self.body(obj) for obj in self.children(appraisal)]
        return with_etag(Response(rows), etag)

    def retrieve(self, request, *args, pk=None, **kwargs):
        obj = self.child(pk)
        etag = appraisal_etag(self.appraisal())
        return not_modified(request, etag) or with_etag(Response(self.body(obj)), etag)


EXAMPLE_OBJECTIVE = {
    "id": 5,
    "title": "Run the platform's incident reviews",
    "measure": "Every incident reviewed within a week",
    "due_on": "2026-03-31",
    "status": "in_progress",
    "progress_notes": "",
    "carried_from": None,
    "position": 0,
}


def child_schema(kind, body, example, write=None):
    appraisal = OpenApiParameter("appraisal_pk", OpenApiTypes.INT, OpenApiParameter.PATH)
    child = OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH)
    shown = OpenApiExample(f"An {kind}" if kind[0] in "aeio" else f"A {kind}", value=example)
    return extend_schema_view(
        list=extend_schema(
            summary=f"The appraisal's {kind}s",
            description="Everyone who may read the appraisal. The ETag is the appraisal's.",
            parameters=[appraisal, IF_NONE_MATCH],
            responses={200: body(many=True), 304: OpenApiResponse(description="Not modified.")},
        ),
        retrieve=extend_schema(
            summary=f"One {kind}",
            parameters=[appraisal, child, IF_NONE_MATCH],
            responses={200: body, 304: OpenApiResponse(description="Not modified.")},
            examples=[shown],
        ),
        create=extend_schema(
            summary=f"Add an {kind}" if kind[0] in "aeio" else f"Add a {kind}",
            description="The manager in draft, manager review and agreed, the person once "
            "agreed, HR in draft; nothing once someone signed (409 otherwise). If-Match: "
            "the appraisal's ETag; the answer carries its new one.",
            parameters=[appraisal, IF_MATCH, IDEMPOTENCY_KEY],
            request=write[0],
            responses={201: body},
            examples=[shown],
        ),
        partial_update=extend_schema(
            summary=f"Change the {kind}",
            description="Who may, as for adding. If-Match: the appraisal's ETag.",
            parameters=[appraisal, child, IF_MATCH],
            request=write[1],
            responses={200: body},
            examples=[shown],
        ),
    )


@child_schema(
    "objective",
    ObjectiveSerializer,
    EXAMPLE_OBJECTIVE,
    write=(ObjectiveWriteSerializer, ObjectiveWriteSerializer(partial=True)),
)
class ObjectiveViewSet(AppraisalChildViewSet):
    """An appraisal's objectives (plans.add_objective and update_objective)."""

    serializer_class = ObjectiveSerializer
    queryset = Objective.objects.none()  # for the schema: the rows come from the appraisal

    def children(self, appraisal):
        return appraisal.objectives.all()

    def body(self, objective):
        return ObjectiveSerializer(objective).data

    @idempotent
    def create(self, request, *args, **kwargs):
        given = ObjectiveWriteSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        appraisal = self.appraisal()
        with transaction.atomic():
            stage = confirmed_stage(request, appraisal)
            objective = plans.add_objective(
                appraisal=appraisal, by=request.user, confirmed_stage=stage, **given.validated_data
            )
        return self._one(objective, status.HTTP_201_CREATED, location=True)

    def partial_update(self, request, *args, pk=None, **kwargs):
        objective = self.child(pk)
        given = ObjectiveWriteSerializer(data=request.data, partial=True)
        given.is_valid(raise_exception=True)
        with transaction.atomic():
            stage = confirmed_stage(request, self.appraisal())
            objective = plans.update_objective(
                objective=objective, by=request.user, confirmed_stage=stage, **given.validated_data
            )
        return self._one(objective)


@child_schema(
    "action",
    ActionSerializer,
    {
        "id": 8,
        "title": "Agile working course",
        "details": "Agile basics.",
        "status": "planned",
        "due_on": None,
        "requirement": 901,
        "training": 14,
        "development_activity": None,
        "position": 0,
        "gap": -1,
    },
    write=(ActionCreateSerializer, ActionWriteSerializer(partial=True)),
)
class DevelopmentActionViewSet(AppraisalChildViewSet):
    """An appraisal's development plan, biggest gaps first
    (plans.add_development_action and update_development_action), and the
    profile's training and PDAs suggested for its gaps."""

    serializer_class = ActionSerializer
    queryset = DevelopmentAction.objects.none()  # for the schema

    def children(self, appraisal):
        return appraisal.development_actions.biggest_gaps_first()

    def body(self, action):
        return ActionSerializer(action).data

    def _requirement(self, data):
        """The `requirement` argument for the service from the body's id:
        only a requirement of this appraisal."""
        if "requirement" not in data:
            return {}
        pk = data.pop("requirement")
        if pk is None:
            return {"requirement": None}
        requirement = self.appraisal().requirements.filter(pk=pk).first()
        if requirement is None:
            raise serializers.ValidationError(
                {"requirement": ["This appraisal has no such requirement."]}
            )
        return {"requirement": requirement}

    @idempotent
    def create(self, request, *args, **kwargs):
        given = ActionCreateSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        values = dict(given.validated_data)
        appraisal = self.appraisal()
        values.update(self._requirement(values))
        option = values.pop("option", "")
        with transaction.atomic():
            stage = confirmed_stage(request, appraisal)
            # The options come from the gaps: looked up only for those who may
            # plan (the service refuses everyone else with its own reason).
            source = {}
            if option and plans.may_plan(request.user, appraisal):
                try:
                    source = plans.offered_option(appraisal, option)
                except workflow.WorkflowError as error:
                    raise serializers.ValidationError({"option": error.messages}) from None
            action = plans.add_development_action(
                appraisal=appraisal, by=request.user, confirmed_stage=stage, **source, **values
            )
        return self._one(self.children(appraisal).get(pk=action.pk), 201, location=True)

    def partial_update(self, request, *args, pk=None, **kwargs):
        action = self.child(pk)
        given = ActionWriteSerializer(data=request.data, partial=True)
        given.is_valid(raise_exception=True)
        values = dict(given.validated_data)
        values.update(self._requirement(values))
        with transaction.atomic():
            stage = confirmed_stage(request, self.appraisal())
            plans.update_development_action(
                action=action, by=request.user, confirmed_stage=stage, **values
            )
        return self._one(self.children(self.appraisal()).get(pk=action.pk))

    @extend_schema(
        summary="Training and PDAs suggested for the gaps",
        description="The profile version's training items and PDAs for each requirement "
        "rated below what it requires, biggest gap first, as the page offers them: only to "
        "those who may plan now (403 otherwise).",
        parameters=[OpenApiParameter("appraisal_pk", OpenApiTypes.INT, OpenApiParameter.PATH)],
        responses=SuggestionSerializer(many=True),
        examples=[
            OpenApiExample(
                "One gap",
                value=[
                    {
                        "requirement": 901,
                        "title": "Agile working",
                        "gap": -1,
                        "options": [
                            {
                                "option": "training-14",
                                "kind": "training",
                                "id": 14,
                                "title": "Agile working course",
                                "details": "Agile basics.",
                            }
                        ],
                    }
                ],
                response_only=True,
            )
        ],
    )
    @action(detail=False, methods=["get"])
    def suggestions(self, request, *args, **kwargs):
        appraisal = self.appraisal()
        if not plans.may_plan(request.user, appraisal):
            raise exceptions.PermissionDenied(
                "Suggestions are for those who may plan now: the manager in draft and "
                "manager review, both once agreed, HR in draft."
            )
        return Response(
            [
                {
                    "requirement": suggestion.requirement.pk,
                    "title": suggestion.requirement.title,
                    "gap": suggestion.gap,
                    "options": [
                        {
                            "option": plans.option_key(item),
                            "kind": plans.option_key(item).split("-")[0],
                            "id": item.pk,
                            "title": item.title,
                            "details": item.details,
                        }
                        for item in suggestion.options
                    ],
                }
                for suggestion in plans.suggest_development_actions(appraisal)
            ]
        )
