"""A background job, for the caller who started it (and HR): its state,
progress and result. An API call that starts one (opening a cycle, or
importing a large file, with a broker configured) answers 202 with its
address in Location (accepted)."""

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.response import Response

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


# An import call's 202, in its operation's words and responses.
IN_BACKGROUND = (
    "Where the service runs background workers, a file of IMPORTS_IN_BACKGROUND_FROM_BYTES "
    "(64 KB unless configured) or more is written by a job: 202 with the job, its address "
    "in Location; the job's `result` is then this call's answer, or the problem details "
    "of its refusal (`errors` at their rows)."
)
# The 202's header, in the parameters of an operation that may answer it.
LOCATION = OpenApiParameter(
    "Location",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    response=[202],
    description="The job's address (/api/v1/jobs/{id}/).",
)
ACCEPTED = OpenApiResponse(
    JobSerializer,
    description="A large file, written by a background job: follow it at Location.",
)


def api_root(request):
    """The API's root address as the request reached it: a job started by
    the call gives whole addresses in its result, as the call would
    (competency.jobs.for_api)."""
    return request.build_absolute_uri("/")


def accepted(job):
    """The answer of a call that started a background job: 202, the job as
    it is now, and its address to follow in Location."""
    return Response(
        JobSerializer(job).data,
        status=status.HTTP_202_ACCEPTED,
        headers={"Location": reverse("api:job-detail", kwargs={"pk": job.pk})},
    )


@extend_schema(
    summary="A background job",
    description="Its state (queued, running, done, failed), how far it has got, and, when "
    "done, its result (`message`, and `url` where to see it). A job started by an import "
    "call (202) has in `result` what the call answers when it runs at once: its body when "
    "done, and when failed its problem details (`status`, `title`, `detail`, and `errors` "
    "each with a pointer to its row or field), as well as `error` in words. Nothing is "
    "written by a failed job. Only for whoever started it, and HR; 404 for anyone else.",
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
