"""The serializers of the appraisal endpoints' bodies (appraisals.py,
plans.py): those that describe what they answer, for the schema (the bodies
are built as plain dicts, without a serializer per row), and those that
read what they are sent."""

from drf_spectacular.utils import inline_serializer
from rest_framework import serializers

from appraisals.api.person_serializers import PersonRefSerializer
from appraisals.models import (
    Appraisal,
    AppraisalEvent,
    Cycle,
    DevelopmentAction,
    Objective,
    Requirement,
    ReviewComment,
    ReviewItem,
    Stage,
)
from appraisals.workflow import MOVES
from competency.api.schema import ROW_ETAG, constrain


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
    etag = serializers.CharField(help_text=ROW_ETAG)
    updated_at = serializers.DateTimeField(
        help_text="When the appraisal's row (stage, outcome, signatures, summaries) last "
        "changed: what `updated_since` compares."
    )


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


class ThreadEntrySerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ReviewComment.Kind.choices)
    text = serializers.CharField()
    by = serializers.CharField(allow_null=True)
    at = serializers.DateTimeField()


class ReviewItemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=ReviewItem.Kind.choices)
    requirement = serializers.IntegerField(allow_null=True)
    objective = serializers.IntegerField(allow_null=True)
    answer = serializers.ChoiceField(
        choices=["agreed", "disagreed"], allow_null=True, help_text="Null: not answered yet."
    )
    thread = ThreadEntrySerializer(many=True)


class ReviewSerializer(serializers.Serializer):
    counts = inline_serializer(
        "ReviewCounts",
        {
            "agreed": serializers.IntegerField(),
            "disagreed": serializers.IntegerField(),
            "waiting": serializers.IntegerField(),
            "total": serializers.IntegerField(),
        },
    )
    items = ReviewItemSerializer(many=True)


class AnswerSerializer(serializers.Serializer):
    item = serializers.IntegerField(min_value=1, help_text="The review item's id.")
    answer = serializers.ChoiceField(
        choices=["agreed", "disagreed"],
        required=False,
        help_text="The person only. A disagreement needs a comment.",
    )
    comment = serializers.CharField(
        allow_blank=True, required=False, max_length=20000, help_text="Added to its thread."
    )


class AnswersSerializer(serializers.Serializer):
    body_required = True
    answers = AnswerSerializer(many=True, allow_empty=False, max_length=500)

    def validate_answers(self, answers):
        seen = set()
        for answer in answers:
            if answer["item"] in seen:
                raise serializers.ValidationError(f"Item {answer['item']} is given twice.")
            seen.add(answer["item"])
        return answers


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
        child=serializers.ChoiceField(choices=[move.path for move in MOVES.values()]),
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
            "answer": serializers.ChoiceField(
                choices=["person", "manager"],
                allow_null=True,
                help_text="While the review is shared: person (agree, disagree, comment) or "
                "manager (reply); POST to the appraisal's URL + 'answers/'.",
            ),
        },
    )
    requirements = RequirementSerializer(many=True)
    review = ReviewSerializer(
        allow_null=True,
        help_text="From review shared on, to those who see the manager's side: each item "
        "the person answers, with its thread. Null before.",
    )
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
    body_required = True  # in the schema (competency.api.schema), as `ratings` is
    ratings = RatingSerializer(many=True, allow_empty=False, max_length=500)

    def validate_ratings(self, ratings):
        seen = set()
        for rating in ratings:
            if rating["requirement"] in seen:
                raise serializers.ValidationError(
                    f"Requirement {rating['requirement']} is given twice."
                )
            seen.add(rating["requirement"])
        return ratings


# PATCH changes the ratings given, not the others; but it must give some. The
# generator makes every field of a PATCH body optional and drops the bounds
# of `many=True`.
constrain(
    "PatchedRatingsRequest",
    required=["ratings"],
    properties={
        "ratings": {
            "type": "array",
            "items": {"$ref": "#/components/schemas/RatingRequest"},
            "minItems": 1,
            "maxItems": 500,
        }
    },
)


class SummaryTextSerializer(serializers.Serializer):
    text = serializers.CharField(allow_blank=True, max_length=20000)


class OutcomeSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(
        choices=Appraisal.Outcome.choices, allow_blank=True, help_text="'' clears it."
    )


class ConfirmUnratedSerializer(serializers.Serializer):
    confirm_unrated = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Hand it over with requirements not rated. Without it, a submission or "
        "share with any not rated is refused (400, naming them under `confirm_unrated`).",
    )


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=5000, help_text="Why: kept with the appraisal.")


class ReassignSerializer(serializers.Serializer):
    manager = serializers.CharField(
        max_length=50,
        help_text="The new manager's employee id (as people and filters name them).",
    )
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


class GapCountsSerializer(serializers.Serializer):
    below = serializers.IntegerField()
    meets = serializers.IntegerField()
    above = serializers.IntegerField()
    unrated = serializers.IntegerField()
    total = serializers.IntegerField()
    shared = serializers.BooleanField(
        help_text="Whether the manager's ratings are shown to you (else all unrated)."
    )


class GapsSerializer(serializers.Serializer):
    counts = GapCountsSerializer()
    rows = GapRowSerializer(many=True)


# --- Objectives and the development plan ---


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
    body_required = True  # in the schema: a title or an option, below
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


# The schema says what `validate` asks: a title, an option, or both.
constrain("ActionCreateRequest", anyOf=[{"required": ["title"]}, {"required": ["option"]}])


class ObjectiveWriteSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=300)
    measure = serializers.CharField(allow_blank=True, required=False)
    due_on = serializers.DateField(allow_null=True, required=False)
    status = serializers.ChoiceField(choices=Objective.Status.choices, required=False)
    progress_notes = serializers.CharField(allow_blank=True, required=False)


class ObjectiveProgressSerializer(serializers.Serializer):
    """The person's progress on their own objective: what is not sent is
    kept."""

    body_required = True  # in the schema: the status, the note or both, below
    status = serializers.ChoiceField(choices=Objective.Status.choices, required=False)
    progress_notes = serializers.CharField(
        allow_blank=True, required=False, help_text="What they have done and what is next."
    )

    def validate(self, data):
        if not data:
            raise serializers.ValidationError(
                {"status": ["Send the status, the progress note or both."]}
            )
        return data


constrain(
    "ObjectiveProgressRequest",
    anyOf=[{"required": ["status"]}, {"required": ["progress_notes"]}],
)


class OptionSerializer(serializers.Serializer):
    option = serializers.CharField(help_text="Send as `option` to add it.")
    kind = serializers.ChoiceField(choices=["training", "pda"])
    id = serializers.IntegerField()
    title = serializers.CharField()
    details = serializers.CharField(allow_blank=True)
    develops = serializers.BooleanField(
        help_text="Whether the catalogue says it develops this requirement's skill or "
        "knowledge item (those come first)."
    )
    planned = serializers.BooleanField(
        help_text="Whether the plan already has it for this requirement."
    )


class SuggestionSerializer(serializers.Serializer):
    requirement = serializers.IntegerField()
    title = serializers.CharField()
    gap = serializers.IntegerField()
    options = OptionSerializer(many=True)
