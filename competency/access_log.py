"""One log line per request, at INFO in the `competency.access` logger: method,
path, status, duration and who asked. The path only: a query string may hold
what a person searched for (names, employee ids), which has no place in logs.
"""

import logging
import time

from django.utils.functional import empty

logger = logging.getLogger("competency.access")


def user_id(request):
    """The signed-in user's id when the request already looked them up, else
    None: asking here would cost a session query on requests that never
    needed one (static files, health checks)."""
    user = getattr(request, "user", None)
    if user is None:
        return None
    wrapped = getattr(user, "_wrapped", user)
    if wrapped is empty or not getattr(wrapped, "is_authenticated", False):
        return None
    return wrapped.pk


class AccessLogMiddleware:
    """Placed just inside RequestIdMiddleware, so its line carries the id."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        duration_ms = round((time.perf_counter() - started) * 1000, 1)
        logger.info(
            "%s %s %s %.1fms",
            request.method,
            request.path,
            response.status_code,
            duration_ms,
            extra={
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": duration_ms,
                "user_id": user_id(request),
            },
        )
        return response
