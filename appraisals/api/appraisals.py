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
objectives and development plan (plans.py) carry the appraisal's ETag.
"""

from django.db import transaction
from django.db.models import Case, F, TextField, When
from django.db.models.fields.json import KeyTextTransform
from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from appraisals import plans, review, workflow
from appraisals.access import (
    gap_counts,
    gap_rows,
    is_the_person,
    masked_requirements,
    sides_of,
    visible_sides,
)
from appraisals.api.appraisal_serializers import (
    AnswersSerializer,
    AppraisalRowSerializer,
    AppraisalSerializer,
    ConfirmUnratedSerializer,
    GapsSerializer,
    OutcomeSerializer,
    RatingsSerializer,
    ReasonSerializer,
    ReassignSerializer,
    SummaryTextSerializer,
)
from appraisals.api.person_serializers import person_ref
from appraisals.filters import AppraisalFilter
from appraisals.models import Appraisal, Person, Stage
from competency.api.conditional import check_if_match, not_modified, with_etag
from competency.api.pagination import OrderedCursorPagination
from competency.api.schema import IF_MATCH, IF_NONE_MATCH
from competency.api.views import GenericViewSet

# --- ETags ---------------------------------------------------------------------------


def appraisal_etag(appraisal):
    return f"{appraisal.revision}.{appraisal.stage}"


def confirmed_stage(request, appraisal):
    """Lock the appraisal's row, check If-Match against it (428 without,
    412 when it changed) and return the stage to pass the service as
    `confirmed_stage`. Call inside transaction.atomic(): the service then
    writes under the same lock."""
    locked = workflow.lock(appraisal, None)
    if check_if_match(request, appraisal_etag(locked)) is None:
        return None  # If-Match: * (whatever it is now)
    return locked.stage


# --- Bodies --------------------------------------------------------------------------
# Built as dicts (a list of 100 appraisals or one of 60 requirements is
# served without a serializer per row); appraisal_serializers.py describes them for the
# schema.


def cycle_ref(appraisal):
    """The appraisal's cycle, from the columns readable() reads with it."""
    return {
        "id": appraisal.cycle_id,
        "name": appraisal.cycle_name,
        "kind": appraisal.cycle_kind,
        "status": appraisal.cycle_status,
    }


def appraisal_api_url(request, pk):
    """The appraisal's absolute address in the API (its page's is
    views.common.appraisal_page)."""
    # The address of every appraisal but its id, worked out once per request:
    # a list of 100 rows reversed the route 100 times.
    if not hasattr(request, "_appraisal_api_url"):
        request._appraisal_api_url = request.build_absolute_uri(
            reverse("api:appraisal-detail", args=[0])
        ).replace("/0/", "/{}/")
    return request._appraisal_api_url.format(pk)


def row_body(request, appraisal, sides):
    """`sides`: what the caller sees of it (access.visible_sides)."""
    return {
        "id": appraisal.pk,
        "url": appraisal_api_url(request, appraisal.pk),
        "cycle": cycle_ref(appraisal),
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
        "etag": f'"{appraisal_etag(appraisal)}"',
        "updated_at": appraisal.updated_at,
    }


def gap_row_body(row):
    """A requirement's gap as gap_rows() gives it to this viewer."""
    return {
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


def review_body(appraisal, sides):
    """The shared review's items and their threads, for those who see the
    manager's side; None before it is shared."""
    if not (appraisal.reached(Stage.REVIEW_SHARED) and sides.manager_assessment):
        return None
    items = review.items(appraisal)
    return {
        "counts": review.counts(items),
        "items": [
            {
                "id": item.pk,
                "kind": item.kind,
                "requirement": item.requirement_id,
                "objective": item.objective_id,
                "answer": item.answer or None,
                "thread": [
                    {
                        "kind": comment.kind,
                        "text": comment.text,
                        "by": (comment.by.get_full_name() or comment.by.get_username())
                        if comment.by
                        else None,
                        "at": comment.at,
                    }
                    for comment in item.comments.all()
                ],
            }
            for item in items
        ],
    }


def detail_body(request, appraisal):
    user = request.user
    sides = visible_sides(user, appraisal)
    requirements = masked_requirements(user, appraisal, appraisal.requirements.all())
    who, what = workflow.waiting_for(appraisal)
    url = appraisal_api_url(request, appraisal.pk)
    return {
        **row_body(request, appraisal, sides),
        "revision": appraisal.revision,
        "superseded": appraisal.published_version_id != appraisal.profile_version_id,
        "sides": {
            "self_assessment": sides.self_assessment,
            "manager_assessment": sides.manager_assessment,
        },
        "person_summary": appraisal.person_summary if sides.self_assessment else None,
        "manager_summary": appraisal.manager_summary if sides.manager_assessment else None,
        "waiting_for": {"who": who, "what": what},
        "available_moves": [
            workflow.MOVES[name].path for name in workflow.available_moves(user, appraisal)
        ],
        "may": {
            "rate": workflow.may_edit_side(user, appraisal),
            "write_summary": workflow.may_write_summary(user, appraisal),
            "set_outcome": workflow.may_set_outcome(user, appraisal),
            "plan": plans.may_plan(user, appraisal),
            "answer": workflow.may_answer(user, appraisal),
        },
        "requirements": [requirement_body(row, sides) for row in requirements],
        "review": review_body(appraisal, sides),
        "events": [event_body(event) for event in appraisal.events.select_related("by")],
        "links": {
            "objectives": f"{url}objectives/",
            "development_actions": f"{url}development-actions/",
            "gaps": f"{url}gaps/",
        },
    }


# --- Appraisals ---------------------------------------------------------------------------


def readable(user):
    """The appraisals `user` may read, with what their bodies show."""
    return (
        Appraisal.objects.visible_to(user)
        # The person and the manager as rows: the access rules ask for them.
        # The cycle's few fields as columns (a Cycle made per row of a list
        # cost more than the rest of its row's body).
        .select_related("person", "manager")
        .annotate(
            cycle_name=F("cycle__name"),
            cycle_kind=F("cycle__kind"),
            cycle_status=F("cycle__status"),
            profile_slug=F("profile_version__profile__slug"),
            # The version in force's title is kept in its profile's row: read
            # the (~20 KB) document only for an appraisal against an older one.
            profile_title=Case(
                When(
                    profile_version__profile__published_version=F("profile_version"),
                    then=F("profile_version__profile__published_title"),
                ),
                default=KeyTextTransform("title", "profile_version__document"),
                output_field=TextField(),
            ),
            version_number=F("profile_version__number"),
            published_version_id=F("profile_version__profile__published_version"),
        )
    )


_PERSON_COLUMNS = ("name", "employee_id", "account_id")
_APPRAISAL_COLUMNS = (
    *("stage", "outcome", "person_signed_at", "manager_signed_at", "revision", "updated_at"),
    *("cycle_name", "cycle_kind", "cycle_status", "profile_slug", "profile_title"),
    "version_number",
)
# What a list row reads, as values: readable()'s annotations among them.
ROW_VALUES = (
    *("pk", "cycle_id", "person_id", "manager_id"),
    *_APPRAISAL_COLUMNS,
    *(f"{whose}__{name}" for whose in ("person", "manager") for name in _PERSON_COLUMNS),
)


class _Listed:
    """An object with the given attributes (a listed appraisal's person)."""

    def __init__(self, **attributes):
        self.__dict__.update(attributes)


class ListedAppraisal(_Listed):
    """A row of the list read as values (ROW_VALUES): what row_body and the
    access rules read of an Appraisal, its person and its manager, without
    the three model instances a row cost (most of a 100-row page's time)."""

    reached = Appraisal.reached

    @classmethod
    def of(cls, row):
        sides = {
            whose: _Listed(
                pk=row[f"{whose}_id"], **{name: row[f"{whose}__{name}"] for name in _PERSON_COLUMNS}
            )
            for whose in ("person", "manager")
        }
        return cls(
            pk=row["pk"],
            cycle_id=row["cycle_id"],
            **{name: row[name] for name in _APPRAISAL_COLUMNS},
            **sides,
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
    "updated_at": "2025-04-02T09:30:00Z",
    "etag": '"appraisal-41-9"',
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
    "may": {
        "rate": None,
        "write_summary": "manager_summary",
        "set_outcome": False,
        "plan": True,
        "answer": None,
    },
    "requirements": [EXAMPLE_REQUIREMENT],
    "review": {
        "counts": {"agreed": 1, "disagreed": 0, "waiting": 0, "total": 1},
        "items": [
            {
                "id": 71,
                "kind": "requirement",
                "requirement": 901,
                "objective": None,
                "answer": "agreed",
                "thread": [
                    {
                        "kind": "agreed",
                        "text": "",
                        "by": "Sam Patel",
                        "at": "2025-05-03T09:00:00Z",
                    }
                ],
            }
        ],
    },
    "events": [
        {
            "action": "agreed",
            "from_stage": "review_shared",
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
            # A row: drf-spectacular makes the page of it.
            OpenApiExample("A page", value=EXAMPLE_ROW, response_only=True)
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

    # Which token scope it needs (competency/api/scopes.py).
    api_area = "appraisals"

    filterset_class = AppraisalFilter.offering(*AppraisalFilter.API)
    pagination_class = OrderedCursorPagination
    serializer_class = AppraisalSerializer
    lookup_value_regex = r"[0-9]+"
    # A nightly sync asks for what changed (competency/api/changes.py).
    changes_field = "updated_at"

    def get_queryset(self):
        return readable(self.request.user).order_by("-pk")

    def filter_queryset(self, queryset):
        # Filters are the list's; one appraisal is found by its id alone.
        return super().filter_queryset(queryset) if self.action == "list" else queryset

    def list(self, request, *args, **kwargs):
        # A row reads these columns only, as values: read whole, the rows
        # behind each appraisal were most of a page's time, and then making
        # its three model instances.
        rows = self.filter_queryset(self.get_queryset()).values(*ROW_VALUES)
        page = [ListedAppraisal.of(row) for row in self.paginate_queryset(rows)]
        sides = sides_of(request.user)
        return self.get_paginated_response(
            [row_body(request, appraisal, sides(appraisal)) for appraisal in page]
        )

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

    def _write(self, request, service, body=None, *, appraisal=None, **arguments):
        # The appraisal before the body: a caller who may not read it gets
        # the 404 of a missing one, not a hint from the body's errors.
        appraisal = appraisal or self.get_object()
        if body is not None:
            given = body(data=request.data)
            given.is_valid(raise_exception=True)
            arguments = {**given.validated_data, **arguments}
        with transaction.atomic():
            stage = confirmed_stage(request, appraisal)
            service(appraisal=appraisal, by=request.user, confirmed_stage=stage, **arguments)
        return self._respond(appraisal.pk)

    def _move(self, request, name):
        """One of workflow.MOVES, with the reason in the body if it takes one."""
        move = workflow.MOVES[name]
        body = (
            ReasonSerializer
            if move.needs_reason
            else ConfirmUnratedSerializer
            if move.checks_unrated
            else None
        )
        return self._write(request, move.service, body)

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
        appraisal = self.get_object()
        given = RatingsSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        ratings = {
            row.pop("requirement"): row
            for row in (dict(r) for r in given.validated_data["ratings"])
        }
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
        return self._write(request, workflow.save_summary, SummaryTextSerializer)

    @move_schema(
        "Set the outcome",
        "The manager, in manager review and agreed, until someone signs.",
        request=OutcomeSerializer,
        examples=[OpenApiExample("Meets", value={"outcome": "meets"}, request_only=True)],
    )
    @action(detail=True, methods=["put"])
    def outcome(self, request, pk=None):
        return self._write(request, workflow.set_outcome, OutcomeSerializer)

    @move_schema(
        "Answer the shared review",
        "While the review is shared. The person agrees or disagrees (with a comment) item by "
        "item; a comment alone adds to the item's thread; the manager replies with comments. "
        "When the person has agreed to every item, the appraisal is agreed. A manager who "
        "disagrees changes the rating (PATCH ratings/), objective, plan or outcome instead: "
        "that item goes back to the person.",
        request=AnswersSerializer,
        examples=[
            OpenApiExample(
                "Agree to one, disagree with another",
                value={
                    "answers": [
                        {"item": 71, "answer": "agreed"},
                        {"item": 72, "answer": "disagreed", "comment": "I led the review."},
                    ]
                },
                request_only=True,
            )
        ],
    )
    @action(detail=True, methods=["post"])
    def answers(self, request, pk=None):
        appraisal = self.get_object()
        given = AnswersSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        answers = {
            row.pop("item"): row for row in (dict(a) for a in given.validated_data["answers"])
        }
        with transaction.atomic():
            stage = confirmed_stage(request, appraisal)
            workflow.answer_review(
                appraisal=appraisal, by=request.user, confirmed_stage=stage, answers=answers
            )
        return self._respond(appraisal.pk)

    # --- Moves --------------------------------------------------------------------------

    @move_schema("Open for self-assessment", "Draft → self-assessment: the manager or HR.")
    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        return self._move(request, "start")

    @move_schema(
        "Submit the self-assessment",
        "Self-assessment → manager review: the person. With any requirement not rated, "
        "refused (400, the requirements named under `confirm_unrated`) unless the body says "
        '`{"confirm_unrated": true}`.',
        request=ConfirmUnratedSerializer,
        examples=[
            OpenApiExample(
                "Submit with some not rated", value={"confirm_unrated": True}, request_only=True
            )
        ],
    )
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return self._move(request, "submit")

    @move_schema(
        "Take back the self-assessment",
        "Manager review → self-assessment: the person, until the manager starts the review "
        "(saves a rating, evidence or comment of their side, their summary or the outcome).",
    )
    @action(detail=True, methods=["post"], url_path=workflow.MOVES["take_back"].path)
    def take_back(self, request, pk=None):
        return self._move(request, "take_back")

    @move_schema(
        "Share the review",
        "Manager review → review shared: the manager. With any requirement not rated, refused "
        "(400, the requirements named under `confirm_unrated`) unless the body says "
        '`{"confirm_unrated": true}`.',
        request=ConfirmUnratedSerializer,
        examples=[
            OpenApiExample(
                "Share with some not rated", value={"confirm_unrated": True}, request_only=True
            )
        ],
    )
    @action(detail=True, methods=["post"])
    def share(self, request, pk=None):
        return self._move(request, "share")

    @move_schema(
        "Take the review back",
        "Review shared → manager review: the manager, with a reason that is kept. The "
        "person's answers stay; what the manager changes goes back to them when shared again.",
        request=ReasonSerializer,
        examples=[
            OpenApiExample("A reason", value={"reason": "Reworking the plan."}, request_only=True)
        ],
    )
    @action(detail=True, methods=["post"], url_path=workflow.MOVES["take_back_review"].path)
    def take_back_review(self, request, pk=None):
        return self._move(request, "take_back_review")

    @move_schema(
        "Sign",
        "Agreed: the person or the manager signs; the second signature signs it off.",
    )
    @action(detail=True, methods=["post"])
    def sign(self, request, pk=None):
        return self._move(request, "sign")

    @move_schema(
        "Send back a stage",
        "With a reason that is kept: the manager, from self-assessment or manager review; "
        "either of the two from agreed (signatures are cleared).",
        request=ReasonSerializer,
        examples=[
            OpenApiExample("A reason", value={"reason": "Please add evidence."}, request_only=True)
        ],
    )
    @action(detail=True, methods=["post"], url_path=workflow.MOVES["send_back"].path)
    def send_back(self, request, pk=None):
        return self._move(request, "send_back")

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
        return self._move(request, "reopen")

    @move_schema(
        "Reassign the manager (HR)",
        "An open appraisal goes to another manager (the person moved team); a signed-off "
        "one keeps the manager who signed.",
        request=ReassignSerializer,
        examples=[
            OpenApiExample(
                "To Olu", value={"manager": "DV007", "reason": "Moved team."}, request_only=True
            )
        ],
    )
    @action(detail=True, methods=["post"])
    def reassign(self, request, pk=None):
        appraisal = self.get_object()  # as _write: the appraisal before the body
        given = ReassignSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        # Among the people the caller may see: anyone else is no such person.
        employee_id = given.validated_data["manager"]
        manager = Person.objects.visible_to(request.user).filter(employee_id=employee_id).first()
        if manager is None:
            raise serializers.ValidationError(
                {"manager": [f"No person has the employee id {employee_id}."]}
            )
        return self._write(
            request,
            workflow.reassign_manager,
            appraisal=appraisal,
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
            "rows": [gap_row_body(row) for row in rows],
        }
        return with_etag(Response(body), etag)
