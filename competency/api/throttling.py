"""Request rates: per token or signed-in person, and per anonymous address.

Counted in Django's default cache, so every process that shares it shares
one count (Redis when REDIS_URL is set; the local-memory cache of `make run`
counts per process). Each rate is a fixed window (60/min: at most 60
requests in each minute that starts on a multiple of 60 seconds), counted
with the cache's atomic add and incr: two workers taking the same count at
once never lose one, as a read-then-write list of timestamps (DRF's
SimpleRateThrottle) does.

Every API answer that was counted says where its caller stands, as the
IETF's draft-ietf-httpapi-ratelimit-headers (revision 08 on) has it:

    RateLimit-Policy: "caller";q=600;w=60     the quota and its window
    RateLimit: "caller";r=598;t=41            requests left, seconds to reset

and a 429 says when to come back in Retry-After (seconds).
"""

import time

from django.core.cache import caches
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle

from competency.api.models import ApiToken

PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate):
    """("60/min") -> (60, 60): requests and the window's seconds."""
    count, _, period = rate.partition("/")
    return int(count), PERIODS[period.strip()[0]]


class WindowThrottle(BaseThrottle):
    """A fixed-window count per caller in the shared cache. Subclasses name
    the `scope` (its rate is DEFAULT_THROTTLE_RATES[scope]) and say whose
    request it is in `ident` (None: not counted here)."""

    scope = None
    cache_alias = "default"
    THROTTLE_RATES = api_settings.DEFAULT_THROTTLE_RATES

    def __init__(self):
        self.limit, self.window = parse_rate(self.THROTTLE_RATES[self.scope])
        self.remaining = None  # None until a request was counted
        self.reset = self.window

    def ident(self, request):
        raise NotImplementedError

    def allow_request(self, request, view):
        ident = self.ident(request)
        if ident is None:
            return True
        now = time.time()
        start = int(now // self.window) * self.window
        count = self._count(f"throttle:{self.scope}:{ident}:{start}")
        self.remaining = max(0, self.limit - count)
        self.reset = max(1, int(start + self.window - now + 0.999))
        return count <= self.limit

    def _count(self, key):
        cache = caches[self.cache_alias]
        # The key lives a little longer than its window, so a late incr
        # never finds it gone; add() is a no-op when another process made it.
        cache.add(key, 0, timeout=self.window + 5)
        try:
            return cache.incr(key)
        except ValueError:  # evicted between the two: start it again
            cache.add(key, 1, timeout=self.window + 5)
            return 1

    def wait(self):
        return self.reset

    def headers(self):
        """The draft's two fields, once this throttle has counted the request."""
        if self.remaining is None:
            return {}
        return {
            "RateLimit-Policy": f'"{self.scope}";q={self.limit};w={self.window}',
            "RateLimit": f'"{self.scope}";r={self.remaining};t={self.reset}',
        }


class AnonymousThrottle(WindowThrottle):
    """Callers not signed in, by address."""

    scope = "anonymous"

    def ident(self, request):
        if request.user and request.user.is_authenticated:
            return None
        return self.get_ident(request)


class CallerThrottle(WindowThrottle):
    """Signed-in callers: each token counts on its own (two integrations
    acting as one person do not share a budget), a browser session by its
    person."""

    scope = "caller"

    def ident(self, request):
        if not request.user or not request.user.is_authenticated:
            return None
        if isinstance(request.auth, ApiToken):
            return f"token-{request.auth.pk}"
        return f"user-{request.user.pk}"


def rate_limit_headers(throttles):
    """The headers of the throttle that counted the request (one of them
    does: a caller is either signed in or not)."""
    for throttle in throttles:
        headers = throttle.headers() if isinstance(throttle, WindowThrottle) else {}
        if headers:
            return headers
    return {}
