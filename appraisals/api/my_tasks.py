"""What waits for the caller, over the REST API: the home page's "Waiting
for you" list (appraisals/waiting.py), read-only, a page at a time, for
integrations (a chat bot, a portal's badge). Each caller reads only their
own: the list has no ids to guess."""

from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import serializers

from appraisals import waiting
from appraisals.models import Appraisal
from competency.api.pagination import PagePagination
from competency.api.views import GenericViewSet


class TaskPersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    employee_id = serializers.CharField()


class TaskSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=[kind.value for kind in waiting.Kind],
        help_text="What to do: open_for_self_assessment, self_assessment, write_review, "
        "answer_review, settle_disagreements, sign, probation_checkpoint, check_in_actions; "
        "for HR also reassign (an appraisal whose manager has left) and overdue_by_manager.",
    )
    label = serializers.CharField(help_text="What to do, in words, as the home page says it.")
    url = serializers.URLField(help_text="The page where it is done.")
    due_on = serializers.DateField(allow_null=True, help_text="Null: no due date.")
    overdue = serializers.BooleanField()
    appraisal = serializers.IntegerField(
        allow_null=True, help_text="The appraisal's id, for items about one appraisal."
    )
    person = TaskPersonSerializer(
        allow_null=True,
        help_text="Whom it is about: the person appraised, or for overdue_by_manager the manager.",
    )
    cycle = serializers.CharField(allow_blank=True, help_text="The cycle's name, if any.")
    count = serializers.IntegerField(help_text="How many appraisals the item stands for.")

    def to_representation(self, task):
        request = self.context["request"]
        return {
            "kind": task.kind.value,
            "label": task.label,
            "url": request.build_absolute_uri(task.url),
            "due_on": task.due_on.isoformat() if task.due_on else None,
            "overdue": task.overdue,
            "appraisal": task.appraisal_id,
            "person": (
                {
                    "id": task.person_id,
                    "name": task.person_name,
                    "employee_id": task.person_employee_id,
                }
                if task.person_id
                else None
            ),
            "cycle": task.cycle_name,
            "count": task.count,
        }


@extend_schema_view(
    list=extend_schema(
        summary="What waits for you",
        description="Everything waiting for the signed-in caller across every open cycle, "
        "soonest due first (items with no due date last): the home page's list.",
        responses=TaskSerializer(many=True),
        examples=[
            OpenApiExample(
                "A review to write",
                value={
                    "kind": "write_review",
                    "label": "Write and share Sam Person’s review",
                    "url": "https://competency.example/appraisals/12/#ratings",
                    "due_on": "2026-03-31",
                    "overdue": False,
                    "appraisal": 12,
                    "person": {"id": 3, "name": "Sam Person", "employee_id": "E3"},
                    "cycle": "Annual 2026",
                    "count": 1,
                },
                response_only=True,
            )
        ],
    )
)
class MyTaskViewSet(GenericViewSet):
    """What waits for the caller: their own list, read-only."""

    serializer_class = TaskSerializer
    pagination_class = PagePagination
    api_area = "appraisals"
    # Never read: the list is waiting.waiting_for's. The schema generator
    # asks every view for a model.
    queryset = Appraisal.objects.none()

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(waiting.waiting_for(request.user))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)
