"""Base classes for the API's viewsets. Every viewset derives from one of
these, so that rate limits come first."""

from django.http import JsonResponse
from django.views import defaults
from rest_framework import exceptions, views, viewsets

from competency.api.parsers import refuse_oversized
from competency.api.problems import CONTENT_TYPE
from competency.api.scopes import TokenScope
from competency.api.throttling import rate_limit_headers


class ThrottleFirst:
    # Count a request against its rate before deciding who may do what.
    # DRF checks throttles after permissions, so a caller who is not signed
    # in (or guesses tokens) would get 401s forever without being counted.
    # Here a failed sign-in counts against the address, and the throttles
    # run before the permissions; each request is counted once. (A comment,
    # not a docstring: the schema would show it for every viewset.)

    def initial(self, request, *args, **kwargs):
        # A body larger than the view's parsers take is refused on its
        # stated length, before signing in by session (whose CSRF check
        # parses a form whole) or anything else reads it.
        refuse_oversized(request, self.get_parsers())
        super().initial(request, *args, **kwargs)

    def perform_authentication(self, request):
        try:
            super().perform_authentication(request)
        except exceptions.AuthenticationFailed:
            self.check_throttles(request)  # anonymous now: counted by address
            raise

    def check_permissions(self, request):
        self.check_throttles(request)
        super().check_permissions(request)

    def get_permissions(self):
        # A token's scopes before any permission the viewset or its action
        # names (competency/api/scopes.py): every operation checks them.
        return [TokenScope(), *super().get_permissions()]

    def check_throttles(self, request):
        if getattr(request, "_throttles_checked", False):
            return
        request._throttles_checked = True
        # DRF's own loop, keeping the throttles: their counts become the
        # answer's RateLimit headers (finalize_response).
        request._throttles = self.get_throttles()
        waits = [t.wait() for t in request._throttles if not t.allow_request(request, self)]
        if waits:
            self.throttled(request, max(waits))

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        for name, value in rate_limit_headers(getattr(request, "_throttles", ())).items():
            response[name] = value
        if response.status_code == 412 and "ETag" not in response:
            # A service refused a stale If-Match: tell the client what is
            # current, as check_if_match's 412s do.
            etag = self.current_etag() if hasattr(self, "current_etag") else None
            if etag is not None:
                response["ETag"] = f'"{etag}"'
        return response


class APIView(ThrottleFirst, views.APIView):
    """Give each view a docstring: the schema describes it with it."""


class GenericViewSet(ThrottleFirst, viewsets.GenericViewSet):
    """Give each viewset a docstring: the schema describes it with it."""


class ReadOnlyModelViewSet(ThrottleFirst, viewsets.ReadOnlyModelViewSet):
    """Give each viewset a docstring: the schema describes it with it."""


def server_error(request):
    """The project's handler500: under /api/, a problem details document as
    every other API error is (an integration parses JSON, not our HTML
    page); elsewhere the site's 500 page. Django has logged the exception
    with its traceback before calling this."""
    if not request.path.startswith("/api/"):
        return defaults.server_error(request)
    body = {
        "type": "about:blank",
        "title": "Internal Server Error",
        "status": 500,
        "detail": "The server failed to answer, through no fault of the request. Try again "
        "later; a POST sent with an Idempotency-Key is safe to send again.",
    }
    return JsonResponse(body, status=500, content_type=CONTENT_TYPE)
