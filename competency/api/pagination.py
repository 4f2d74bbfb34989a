"""Pages of lists.

- PagePagination: numbered pages for the catalogue's lists (`?page=`,
  `?page_size=` up to 200), with the total count.
- OrderedCursorPagination: cursors for the big lists (profiles, people,
  appraisals). It follows the order the queryset already
  has (a FilterSet's `sort` decides it), so a page never shifts when rows
  are added before it and no count is taken.
- TrailPagination: cursors for an audit trail, which is several tables'
  history read as one.
"""

import base64
import binascii
import json
from datetime import UTC, datetime
from operator import attrgetter

from drf_spectacular.utils import OpenApiParameter
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import CursorPagination, PageNumberPagination
from rest_framework.utils.urls import replace_query_param

from competency.api.query import once, whole_number


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
                parameter["schema"] = {"type": "integer", "minimum": 1}
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"] = {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": self.max_page_size,
                }
        return parameters


class PagePagination(StrictPageSize, PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class OrderedCursorPagination(StrictPageSize, CursorPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    # DRF's cursor points at the first sort field's value and steps over the
    # rows that share it by an offset, which it caps (1,000 by default): past
    # that many profiles in one job family, or updated by one batch import,
    # `next` served the same page for ever. The offset is bounded by the
    # list's own length instead.
    offset_cutoff = 10_000_000
    # Used only when the queryset has no order of its own.
    ordering = "pk"

    def get_ordering(self, request, queryset, view):
        ordering = tuple(str(field) for field in queryset.query.order_by)
        return ordering or (self.ordering,)

    def _get_position_from_instance(self, instance, ordering):
        # The cursor's position is the first ordering field's value, which
        # may follow a relation (job_family__name) or be an annotation.
        name = ordering[0].lstrip("-")
        try:
            value = attrgetter(name.replace("__", "."))(instance)
        except AttributeError:
            value = None
        return None if value is None else str(value)


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
        cursor = base64.urlsafe_b64encode(
            json.dumps([entries[-1]["key"][0].isoformat(), *entries[-1]["key"][1:]]).encode()
        ).decode()
        return entries, replace_query_param(request.build_absolute_uri(), "cursor", cursor)

    @staticmethod
    def _position(request):
        value = once(request, "cursor")
        if value is None:
            return None
        try:
            if len(value) > 200:  # ours are under 100 characters
                raise ValueError
            date, table, row, record = json.loads(base64.urlsafe_b64decode(value.encode()))
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
                "cursor", str, description="The `next` address's cursor; absent for the newest."
            ),
            OpenApiParameter(
                "page_size",
                {"type": "integer", "minimum": 1, "maximum": TrailPagination.max_page_size},
                description=f"Entries per page (default {TrailPagination.page_size}).",
            ),
        ]
