"""The request id: one token that names a request in every log line it causes,
from the proxy in front of us to the Celery tasks it queues.

The proxy sends it as `X-Request-ID`; we keep it when it is a sane token
(bounded, safe characters: it is written into every log line and echoed in a
response header) and make a uuid4 otherwise. It lives in a contextvar, so
threads and asyncio tasks each see their own.

    from competency import request_id
    request_id.get()                     # the current id, or "-" outside a request
    with request_id.bound("abc-123"):    # run something under an id (a task, a command)
        ...
"""

import contextlib
import contextvars
import logging
import re
import uuid

from django.core.signals import request_finished
from django.dispatch import receiver

HEADER = "X-Request-ID"
# What a log line says outside any request (a management command, a worker
# between tasks).
NONE = "-"
# Letters, digits and the separators proxies use (uuids, nginx's $request_id,
# AWS's "Root=1-5e..."), at most 200 characters: nothing that could break a
# log line or a header.
VALID = re.compile(r"[A-Za-z0-9._:=+/-]{1,200}")

_current = contextvars.ContextVar("request_id", default=NONE)


def get():
    """The id of the request (or task) being handled, or "-"."""
    return _current.get()


def new():
    return uuid.uuid4().hex


def accept(value):
    """`value` when it is a usable id, else a new one."""
    if value and VALID.fullmatch(value):
        return value
    return new()


def enter(value):
    """Set the id (a new one when `value` is not usable) until `leave(token)`:
    for hooks that start and end in separate calls, as Celery's signals."""
    return _current.set(accept(value))


def leave(token):
    _current.reset(token)


@contextlib.contextmanager
def bound(value):
    """Run the block under the id `value` (a new one when it is not usable)."""
    token = enter(value)
    try:
        yield _current.get()
    finally:
        leave(token)


class RequestIdMiddleware:
    """Takes the proxy's id (or makes one), keeps it for the request's log
    lines and echoes it in the response so a user's report can be matched
    with the logs. Near the top of MIDDLEWARE, so redirects and errors carry
    it.

    The id stays set after the middleware returns: Django logs a failed
    response ("Service Unavailable: /readyz") after the middleware chain,
    and that line must carry it too. `request_finished`, sent when the
    response has been sent, clears it before the thread serves another."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        enter(request.headers.get(HEADER))
        request.request_id = get()
        response = self.get_response(request)
        response[HEADER] = request.request_id
        return response


@receiver(request_finished, dispatch_uid="competency.request_id.clear")
def clear(**kwargs):
    _current.set(NONE)


class RequestIdFilter(logging.Filter):
    """Gives every log record a `request_id` attribute (the formatters name
    it), unless the record already carries one (a task's own)."""

    def filter(self, record):
        if not hasattr(record, "request_id"):
            record.request_id = get()
        return True
