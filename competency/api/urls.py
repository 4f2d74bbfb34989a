"""/api/v1/'s own addresses around the resources: the schema, its docs, and
a problem-details 404 for any other address. The project's URLconf
(competency/urls.py) registers every app's viewsets on one router and
includes `api_patterns(router)` under /api/v1/ as the `api` namespace."""

from csp.constants import NONCE
from csp.decorators import csp_update
from django.urls import include, path, re_path
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)
from rest_framework.exceptions import NotFound

from competency.api.scopes import ANY_AREA
from competency.api.views import APIView


@extend_schema(exclude=True)
class Unknown(APIView):
    """Any other address under /api/v1/: 404 as problem details, not a page.
    Callers sign in as anywhere else, so a signed-in caller is counted
    against their own budget, never their address's anonymous one."""

    permission_classes = []
    # Any token may learn an address does not exist.
    api_area = ANY_AREA

    def _unknown(self, request, *args, **kwargs):
        raise NotFound("There is no such address in the API.")

    get = post = put = patch = delete = _unknown


unknown = Unknown.as_view()


def api_patterns(router):
    """/api/v1/'s URL patterns: `router`'s resources, the schema and its docs."""
    return [
        path("schema/", SpectacularAPIView.as_view(urlconf=None), name="schema"),
        # The split view loads Swagger UI's start-up script from its own URL
        # (?script), not inline: the site's Content-Security-Policy applies.
        path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="swagger"),
        # ReDoc writes its styles into <style> elements, given the page's
        # nonce, and runs its search in a worker made from a blob: URL.
        path(
            "redoc/",
            csp_update({"style-src": [NONCE], "worker-src": ["blob:"]})(
                SpectacularRedocView.as_view(url_name="api:schema")
            ),
            name="redoc",
        ),
        path("", include(router.urls)),
        # (?s): an address with an encoded newline in it is unknown too, not
        # Django's HTML 404 page.
        re_path(r"^[\s\S]*$", unknown),
    ]
