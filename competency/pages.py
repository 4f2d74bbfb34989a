"""What every page with a long list shares: one page of it at a time, and
each row's link."""

from django.core.paginator import Paginator
from django.urls import reverse
from django.utils.functional import cached_property


class CappedPaginator(Paginator):
    """Counts at most `cap` rows (and pages through those only).

    A search for a common word matches most of 20,000 profiles; counting
    them all reads every match, which costs more than the page itself.
    Counting stops at cap + 1 rows, in a subquery with no ORDER BY, so the
    database can stop early; the page then says "more than" the cap."""

    def __init__(self, rows, per_page, cap):
        super().__init__(rows, per_page)
        self.cap = cap
        self.capped = False

    @cached_property
    def count(self):
        counted = self.object_list.order_by()[: self.cap + 1].count()
        self.capped = counted > self.cap
        return min(counted, self.cap)


def paginate(request, rows, per_page, cap=None, count=None):
    """One page of `rows` (a queryset: only that page is fetched, and one
    COUNT, stopping at `cap` rows when one is given; none when the caller
    knows the `count`) and what templates/includes/pagination.html needs to
    link the others, keeping the rest of the query string."""
    paginator = Paginator(rows, per_page) if cap is None else CappedPaginator(rows, per_page, cap)
    if count is not None:
        paginator.count = count  # Paginator.count is a cached property: known already
    page = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return {
        "page_obj": page,
        "page_range": paginator.get_elided_page_range(page.number, on_each_side=1),
        "query_without_page": query.urlencode(),
    }


def path_for_each(name):
    """reverse(name, args=[id]) for many ids: the route reversed once, each
    id put in its place (reverse() costs ~0.1 ms: a page of rows, or the
    mails of a cycle opened for 10,000 people, ask for thousands). Call it
    where the work starts (a render, a task): the path has the script
    prefix of that moment."""
    marker = 987_654_321_012_345
    before, after = reverse(name, args=[marker]).split(str(marker))
    return lambda pk: f"{before}{int(pk)}{after}"
