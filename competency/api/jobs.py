"""A background job, for the caller who started it (and HR): its state,
progress and result. An API call that starts one (opening a cycle, with a
broker configured) answers 202 with its address in Location."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers

from competency import jobs
from competency.api.scopes import ANY_AREA
from competency.api.views import GenericViewSet
from competency.models import BackgroundJob


class JobSerializer(serializers.ModelSerializer):
    done = serializers.SerializerMethodField()
    total = serializers.SerializerMethodField()

    class Meta:
        model = BackgroundJob
        fields = [
            "id",
            "kind",
            "title",
            "state",
            "done",
            "total",
            "result",
            "error",
            "created_at",
            "started_at",
            "finished_at",
        ]

    def get_done(self, job) -> int:
        return jobs.progress(job)[0]

    def get_total(self, job) -> int | None:
        return jobs.progress(job)[1]


@extend_schema(
    summary="A background job",
    description="Its state (queued, running, done, failed), how far it has got, and, when "
    "done, its result (`message`, and `url` where to see it). Only for whoever started it, "
    "and HR; 404 for anyone else.",
    parameters=[OpenApiParameter("id", {"type": "string", "format": "uuid"}, "path")],
)
class JobViewSet(mixins.RetrieveModelMixin, GenericViewSet):
    serializer_class = JobSerializer
    # Any token may read the jobs its person started, whatever its scopes:
    # the call that started one needed its scope (competency/api/scopes.py).
    api_area = ANY_AREA
    # Any id reaches the view, so that sign-in is checked first (401); one
    # that is not a job's is 404 like any other.
    lookup_value_regex = r"[^/]+"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return BackgroundJob.objects.none()
        return jobs.visible_to(self.request.user)
