"""Pages of lists.

- PagePagination: numbered pages for the catalogue's lists (`?page=`,
  `?page_size=` up to 200), with the total count.
- OrderedCursorPagination: cursors for the big lists (profiles, and people,
  appraisals and history next). It follows the order the queryset already
  has (a FilterSet's `sort` decides it), so a page never shifts when rows
  are added before it and no count is taken.
"""

from operator import attrgetter

from rest_framework.pagination import CursorPagination, PageNumberPagination

from competency.api.query import whole_number


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
