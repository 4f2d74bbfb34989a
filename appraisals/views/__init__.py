"""HTML pages of the appraisals app, one module per area."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.urls import NoReverseMatch, reverse

from competency.roles import is_hr


def hr_only(view):
    """HR's pages: anonymous people sign in; anyone else gets 404, as for
    every appraisals page, so an address tells them nothing."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not is_hr(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped


def appraisal_url(pk):
    """The appraisal's own page, where that page is installed (the staff and
    manager pages, built beside these); None until then."""
    try:
        return reverse("appraisals:detail", kwargs={"pk": pk})
    except NoReverseMatch:
        return None
