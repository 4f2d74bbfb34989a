"""Request rates: per token or signed-in person, and per anonymous address.

Counted in Django's cache (per process with the default local-memory cache:
configure a shared cache for several workers to share one count)."""

from rest_framework.throttling import AnonRateThrottle, SimpleRateThrottle

from competency.api.models import ApiToken


class AnonymousThrottle(AnonRateThrottle):
    """Callers not signed in, by address."""

    scope = "anonymous"


class CallerThrottle(SimpleRateThrottle):
    """Signed-in callers: each token counts on its own (two integrations
    acting as one person do not share a budget), a browser session by its
    person."""

    scope = "caller"

    def get_cache_key(self, request, view):
        if not request.user or not request.user.is_authenticated:
            return None
        if isinstance(request.auth, ApiToken):
            ident = f"token-{request.auth.pk}"
        else:
            ident = f"user-{request.user.pk}"
        return self.cache_format % {"scope": self.scope, "ident": ident}
