"""Request bodies read within bounds.

DRF's parsers read as much as the client's Content-Length announces, and
Django's DATA_UPLOAD_MAX_MEMORY_SIZE guards only `request.body` and forms:
without these, a JSON body of a gigabyte would be read into memory (one
nested a hundred thousand brackets deep would crash the parser), and a
multipart one spooled to disk, before any serializer had a say.

Each parser of the API states the largest body it takes (`largest_body`,
by default Django's DATA_UPLOAD_MAX_MEMORY_SIZE). A request announcing more
than the largest its view's parsers take is refused with a 413 before
anything reads it (refuse_oversized(), which every viewset calls first:
signing in by session checks CSRF, which would parse a form whole), and
each parser reads no more than its own limit.
"""

import io

from django.conf import settings
from rest_framework import exceptions, parsers, status
from rest_framework.utils.json import strict_constant

from competency.json_input import JSONInputError, load_json

# No body the API's serializers take nests deeper than a few levels (a
# draft's items, a ratings list); this leaves room for any client's shape.
MAX_JSON_DEPTH = 32


def _megabytes(size):
    return f"{size / 1024 / 1024:,.1f} MB".replace(".0 MB", " MB")


class BodyTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "body_too_large"


class Bounded:
    """A parser that takes bodies of at most `largest_body` bytes."""

    @property
    def largest_body(self):
        return settings.DATA_UPLOAD_MAX_MEMORY_SIZE


def refuse_oversized(request, parsers):
    """Raise BodyTooLarge when the request announces a body longer than any
    of these parsers takes. A request without a body passes."""
    try:
        announced = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        announced = 0
    if announced <= 0:
        return
    limit = max((parser.largest_body for parser in parsers), default=0)
    if announced > limit:
        raise BodyTooLarge(
            f"The request body is {_megabytes(announced)}; this endpoint reads at most "
            f"{_megabytes(limit)}."
        )


def read_at_most(stream, limit):
    """The body's bytes, or BodyTooLarge when it is longer than `limit`."""
    if stream is None:
        return b""
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise BodyTooLarge(
            f"The request body is larger than {_megabytes(limit)}, the most this endpoint reads."
        )
    return data


class JSONParser(Bounded, parsers.JSONParser):
    """DRF's JSON parser within the limit, refusing deep nesting and endless
    numbers with a 400 that says which, as the importers do."""

    def parse(self, stream, media_type=None, parser_context=None):
        data = read_at_most(stream, self.largest_body)
        try:
            text = data.decode(parsers.get_encoding(parser_context or {}))
            return load_json(
                text,
                max_depth=MAX_JSON_DEPTH,
                max_size=self.largest_body,
                parse_constant=strict_constant if self.strict else None,
            )
        except JSONInputError as exc:
            raise exceptions.ParseError(f"JSON parse error - {exc.message}") from exc
        except ValueError as exc:  # not JSON, or not UTF-8
            raise exceptions.ParseError(f"JSON parse error - {exc}") from exc


class FormParser(Bounded, parsers.FormParser):
    """DRF's form parser (the browsable API's forms) within the limit."""

    def parse(self, stream, media_type=None, parser_context=None):
        data = read_at_most(stream, self.largest_body)
        return super().parse(io.BytesIO(data), media_type, parser_context)


class MultiPartParser(Bounded, parsers.MultiPartParser):
    """Django's multipart parser, which holds fields within the limit but
    spools files of any size to disk: refuse_oversized() bounds the whole
    body."""


class FileBody(Bounded, parsers.BaseParser):
    """A file sent as the body, kept as bytes for its importer, which reads
    it with its own limits (depth, numbers, rows) and points into it on
    error."""

    limit = 0  # set by each subclass to its importer's largest file

    @property
    def largest_body(self):
        return self.limit

    def parse(self, stream, media_type=None, parser_context=None):
        return read_at_most(stream, self.limit)
