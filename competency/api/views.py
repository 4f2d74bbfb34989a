"""Base classes for the API's viewsets. Every viewset derives from one of
these, so that rate limits come first."""

from rest_framework import exceptions, viewsets

from competency.api.parsers import refuse_oversized
from competency.api.scopes import TokenScope


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
        super().check_throttles(request)


class GenericViewSet(ThrottleFirst, viewsets.GenericViewSet):
    """Give each viewset a docstring: the schema describes it with it."""


class ReadOnlyModelViewSet(ThrottleFirst, viewsets.ReadOnlyModelViewSet):
    """Give each viewset a docstring: the schema describes it with it."""
