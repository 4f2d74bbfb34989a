"""Pages of lists.

- PagePagination: numbered pages for the catalogue's lists (`?page=`,
  `?page_size=` up to 200), with the total count.
- OrderedCursorPagination: keyset cursors for the big lists (profiles,
  people, appraisals). It follows the order the queryset already has (a
  FilterSet's `sort` decides it), so a page never shifts when rows are added
  before it, no count is taken, and a deep page costs what the first does.
- TrailPagination: cursors for an audit trail, which is several tables'
  history read as one.
"""

import base64
import binascii
import json
import math
from datetime import UTC, date, datetime
from functools import reduce
from operator import or_

from django.core.exceptions import FieldDoesNotExist
from django.db.models import (
    CharField,
    DateField,
    DateTimeField,
    F,
    FloatField,
    IntegerField,
    Q,
    TextField,
)
from django.db.models.functions import Cast
from drf_spectacular.utils import OpenApiParameter
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import CursorPagination, PageNumberPagination
from rest_framework.utils.urls import replace_query_param

from competency.api.query import once, whole_number
from competency.numbers import MAX_DIGITS

LARGEST = 10**MAX_DIGITS - 1


class StrictPageSize:
    """`page_size` from 1 to max_page_size, or a 400 naming it (DRF would
    quietly serve the default page for `page_size=0` or `=ten`)."""

    def get_page_size(self, request):
        asked = whole_number(request, self.page_size_query_param, maximum=self.max_page_size)
        return asked or self.page_size

    def get_page_number(self, request, paginator):
        # PagePagination: `page` as strictly (a page beyond the last is 404).
        return whole_number(request, self.page_query_param) or 1

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == getattr(self, "page_query_param", None):
                # whole_number reads at most MAX_DIGITS digits.
                parameter["schema"] = {"type": "integer", "minimum": 1, "maximum": LARGEST}
            if parameter["name"] == getattr(self, "cursor_query_param", None):
                # Opaque, but never empty nor longer than ours can be.
                parameter["schema"] = {"type": "string", "minLength": 1, "maxLength": MAX_CURSOR}
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"] = {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": self.max_page_size,
                }
        return parameters

    def get_paginated_response_schema(self, schema):
        """DRF's page shape written as OpenAPI 3.1 (a link is a string or
        null, not `nullable`), with example links a URI validator accepts
        (DRF's cursor example ends in a stray quote)."""
        paged = super().get_paginated_response_schema(schema)
        for name, example in self.example_links.items():
            link = paged["properties"][name]
            link.pop("nullable", None)
            link["type"] = ["string", "null"]
            link["example"] = example
        return paged


class LinkHeader:
    """The body's `next` and `previous` addresses also as an RFC 8288 Link
    header (rel="next", rel="prev"), for clients that page by headers."""

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        links = [
            f'<{url}>; rel="{rel}"'
            for rel, url in (("next", self.get_next_link()), ("prev", self.get_previous_link()))
            if url
        ]
        if links:
            response["Link"] = ", ".join(links)
        return response


class PagePagination(LinkHeader, StrictPageSize, PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    example_links = {
        "next": "https://competency.example.org/api/v1/skills/?page=3",
        "previous": "https://competency.example.org/api/v1/skills/?page=1",
    }


class OrderedCursorPagination(LinkHeader, StrictPageSize, CursorPagination):
    """Keyset pages in the order the queryset already has (a FilterSet's
    `sort` decides it; the primary key is added unless the order ends in a
    unique field). A cursor holds the values of every sort field of the row
    a page ends on (or starts on, going back), so the next page is read from
    there, with no OFFSET however many rows share a value (DRF's cursor
    stepped over ties by one), and it stays put when rows are added or
    removed elsewhere.

    Sort fields must not be NULL (a cursor cannot point at NULL the same way
    on every database): the orders coalesce any that could be."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    # Used only when the queryset has no order of its own.
    ordering = "pk"
    invalid_cursor = "This is not a cursor this list gave for this order."
    example_links = {
        "next": "https://competency.example.org/api/v1/people/?cursor=eyJvcmRlciI6WyJuYW1lIl19",
        "previous": None,
    }

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        self.page_size = self.get_page_size(request)
        order = tuple(queryset.query.order_by) or (self.ordering,)
        if not all(isinstance(name, str) for name in order):
            raise TypeError("Cursor pages follow orders by field name ('-title'), not expressions.")
        if not _unique(queryset.model, order[-1].lstrip("-")):
            order = (*order, "pk")  # a total order: ties broken for good
        queryset = queryset.order_by(*order)
        self.order = list(order)
        self.fields = [(name.lstrip("-"), name.startswith("-")) for name in order]
        # Each sort field's value read with the row, under a name of its own:
        # relations (person__name) and search ranks alike.
        keys = {f"cursor_{n}": self._key(queryset, name) for n, (name, _) in enumerate(self.fields)}
        queryset = queryset.annotate(**keys)
        self.kinds = [_kind(queryset.query.annotations[name].output_field) for name in keys]
        self.back, position = self._position(request)
        if position is not None:
            queryset = queryset.filter(self._beyond(position, back=self.back))
        if self.back:
            queryset = queryset.order_by(*(_turned(name) for name in order))
        rows = list(queryset[: self.page_size + 1])
        more = len(rows) > self.page_size
        rows = rows[: self.page_size]
        if self.back:
            rows.reverse()
        # Going forward, the rows before are there if a cursor led here;
        # going back, the rows after are (the page the cursor came from).
        self.has_next = (position is not None) if self.back else more
        self.has_previous = more if self.back else position is not None
        # The links start from the page's first and last rows; a page left
        # empty (its rows removed meanwhile) links on from the cursor itself.
        self.first = self._keys_of(rows[0]) if rows else position
        self.last = self._keys_of(rows[-1]) if rows else position
        self.page = rows
        if self.template is not None:
            self.display_page_controls = True  # the browsable API's links
        return rows

    @staticmethod
    def _key(queryset, name):
        expression = F(name)
        annotation = queryset.query.annotations.get(name)
        if annotation is not None and isinstance(annotation.output_field, FloatField):
            # PostgreSQL ranks as `real`: compared with the float a cursor
            # holds (a double) it would never be equal to itself.
            return Cast(expression, FloatField())
        return expression

    def _keys_of(self, row):
        # A row is a model instance, or a dict from a values() queryset.
        value = row.__getitem__ if isinstance(row, dict) else row.__getattribute__
        return [value(f"cursor_{n}") for n in range(len(self.fields))]

    def _beyond(self, position, *, back):
        """Rows after `position` in this order (before it, going back): the
        first field beyond its value, or equal to it and the next beyond..."""
        conditions = []
        for n, (_, descending) in enumerate(self.fields):
            before = {f"cursor_{m}": position[m] for m in range(n)}
            lookup = "lt" if descending != back else "gt"
            conditions.append(Q(**before, **{f"cursor_{n}__{lookup}": position[n]}))
        return reduce(or_, conditions)

    def get_next_link(self):
        return self._link(self.last, back=False) if self.has_next and self.last else None

    def get_previous_link(self):
        return self._link(self.first, back=True) if self.has_previous and self.first else None

    def _link(self, keys, *, back):
        values = [_written(kind, value) for kind, value in zip(self.kinds, keys, strict=True)]
        encoded = _encoded({"order": self.order, "at": values, "back": back})
        return replace_query_param(
            self.request.build_absolute_uri(), self.cursor_query_param, encoded
        )

    def _position(self, request):
        """(going back, the sort fields' values) from the cursor; (False,
        None) for the first page. Each value is read as its field's kind
        and checked as the database would take it (no NUL, a finite float,
        a date within UTC's), so a cursor that is not one of ours is a 400
        naming it, whatever it holds."""
        value = once(request, self.cursor_query_param)
        if value is None:
            return False, None
        try:
            cursor = _decoded(value, MAX_CURSOR)
            if cursor["order"] != self.order or not isinstance(cursor["back"], bool):
                raise ValueError  # a cursor of another sort (or direction)
            at = [_read(kind, value) for kind, value in zip(self.kinds, cursor["at"], strict=True)]
        except (
            ValueError,
            TypeError,
            KeyError,
            OverflowError,
            binascii.Error,
            UnicodeError,
        ):
            raise ValidationError({self.cursor_query_param: [self.invalid_cursor]}) from None
        return cursor["back"], at


# Three sort fields of up to 200 characters, four bytes each in UTF-8, as
# base64: under 4,000. Far longer is not ours.
MAX_CURSOR = 8_000


def _encoded(cursor):
    """A cursor as the query string carries it: compact JSON, UTF-8 rather
    than \\u escapes (titles in any script), as URL-safe base64."""
    text = json.dumps(cursor, ensure_ascii=False, separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode()


def _decoded(value, limit):
    """What _encoded wrote; ValueError (or binascii.Error, UnicodeError)
    for anything else, and for anything longer than `limit`."""
    if len(value) > limit:
        raise ValueError
    return json.loads(base64.urlsafe_b64decode(value.encode()))


def _unique(model, name):
    if name == "pk":
        return True
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return False  # a relation's field or an annotation
    return bool(field.primary_key or field.unique)


def _turned(name):
    return name[1:] if name.startswith("-") else f"-{name}"


def _kind(field):
    """How a cursor writes a sort field's value (as JSON that reads back
    exactly: datetimes to the microsecond, floats to the last bit)."""
    for kind, fields in [
        ("datetime", DateTimeField),
        ("date", DateField),
        ("int", IntegerField),
        ("float", FloatField),
        ("str", (CharField, TextField)),
    ]:
        if isinstance(field, fields):
            return kind
    raise TypeError(f"A cursor cannot hold a {type(field).__name__}'s value.")


def _written(kind, value):
    if value is None:
        raise ValueError("A sort field is NULL: coalesce it in the order.")
    return value.isoformat() if kind in ("datetime", "date") else value


def _read(kind, value):
    """A value from a cursor as its field's kind; ValueError (or another of
    the errors _position reads as "not ours") for anything else."""
    if kind == "datetime":
        value = datetime.fromisoformat(value)
        if value.tzinfo is None:
            raise ValueError
        return value.astimezone(UTC)  # OverflowError before any date in UTC
    if kind == "date":
        return date.fromisoformat(value)
    expected = {"int": int, "float": (int, float), "str": str}[kind]
    if isinstance(value, bool) or not isinstance(value, expected):
        raise ValueError
    if kind == "float" and not math.isfinite(value):
        raise ValueError
    if kind == "str" and "\x00" in value:
        raise ValueError  # PostgreSQL's text holds no NUL
    if kind == "int" and not -(2**63) <= value < 2**63:
        raise ValueError
    return value


# A trail's cursors are under 100 characters.
MAX_TRAIL_CURSOR = 200


class TrailPagination:
    """Cursors for an audit trail (competency.history.Trail), which is not
    a queryset: the cursor is the last entry's key (date, table, row,
    record), so a page stays put when newer changes are recorded."""

    page_size = 50
    max_page_size = 200

    def page(self, request, trail):
        """(entries, the next page's address or None)."""
        size = whole_number(request, "page_size", maximum=self.max_page_size) or self.page_size
        entries, more = trail.after(self._position(request), size)
        if not more:
            return entries, None
        cursor = _encoded([entries[-1]["key"][0].isoformat(), *entries[-1]["key"][1:]])
        return entries, replace_query_param(request.build_absolute_uri(), "cursor", cursor)

    @staticmethod
    def _position(request):
        value = once(request, "cursor")
        if value is None:
            return None
        try:
            date, table, row, record = _decoded(value, MAX_TRAIL_CURSOR)
            when = datetime.fromisoformat(date)
            if when.tzinfo is None:
                raise ValueError
            # In UTC, as stored: a date that has none (year 1 east of UTC) is refused here.
            key = (when.astimezone(UTC), table, row, record)
            if not all(isinstance(number, int) for number in key[1:]):
                raise ValueError
        except (ValueError, TypeError, OverflowError, binascii.Error, UnicodeError):
            raise ValidationError({"cursor": ["This is not a cursor this list gave."]}) from None
        return key

    @staticmethod
    def parameters():
        """The query parameters, for the schema."""
        return [
            OpenApiParameter(
                "cursor",
                {"type": "string", "minLength": 1, "maxLength": MAX_TRAIL_CURSOR},
                description="The `next` address's cursor; absent for the newest.",
            ),
            OpenApiParameter(
                "page_size",
                {"type": "integer", "minimum": 1, "maximum": TrailPagination.max_page_size},
                description=f"Entries per page (default {TrailPagination.page_size}).",
            ),
        ]
