"""What every page with a long list shares: one page of it at a time."""

from django.core.paginator import Paginator


def paginate(request, rows, per_page):
    """One page of `rows` (a queryset: only that page is fetched, and one
    COUNT) and what templates/includes/pagination.html needs to link the
    others, keeping the rest of the query string."""
    paginator = Paginator(rows, per_page)
    page = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return {
        "page_obj": page,
        "page_range": paginator.get_elided_page_range(page.number, on_each_side=1),
        "query_without_page": query.urlencode(),
    }
