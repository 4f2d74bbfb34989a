"""What the appraisals pages share: sign-in first, HR's pages, the 404
lookups and the address of an appraisal's page.

Anonymous people are sent to sign in when they open a page (as every other
page of the site does), but a POST from them is 404: nothing is kept to
come back to, and an id tells nothing."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.urls import reverse

from appraisals.models import Appraisal
from competency.prepared import Prepared
from competency.roles import is_hr


def signed_in(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            if request.method in ("GET", "HEAD"):
                return redirect_to_login(request.get_full_path())
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def _readable(user, pk):
    # get()'s query: unordered, and enough rows to tell one from several.
    return (
        Appraisal.objects.visible_to(user)
        .select_related("cycle", "person__line_manager", "manager", "profile_version__profile")
        .filter(pk=pk)
        .order_by()[:2]
    )


# Built once per process (competency.prepared): every appraisal page and
# action reads its appraisal here first.
_readable_rows = Prepared(_readable)


def readable_appraisal(user, pk):
    """The appraisal if this user may read it, else 404."""
    if not user.is_authenticated:
        raise Http404("No Appraisal matches the given query.")
    found = _readable_rows.rows(user, int(pk))
    if len(found) != 1:
        raise Http404("No Appraisal matches the given query.")
    return found[0]


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


def appraisal_page(pk):
    """The address of the appraisal's own page (its stages, forms and moves)."""
    return reverse("appraisals:detail", args=[pk])
