"""What the routes under /people/<person_pk>/ share (check-ins, probation,
readiness and gaps): the path parameter and the person it names."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter

from appraisals.access import visible_person

PERSON_PK = OpenApiParameter(
    "person_pk", OpenApiTypes.INT, OpenApiParameter.PATH, description="The person's id."
)


class PersonScoped:
    """Routes under /people/<person_pk>/: the person must be one the caller
    may read (404 otherwise, as the pages)."""

    def person(self):
        if not hasattr(self, "_person"):
            self._person = visible_person(self.request.user, self.kwargs["person_pk"])
        return self._person
