"""What every appraisal page shares: sign-in first and the 404 lookups.

Anonymous people are sent to sign in when they open a page (as every other
page of the site does), but a POST from them is 404: nothing is kept to
come back to, and an id tells nothing."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import get_object_or_404

from appraisals.models import Appraisal, Person


def signed_in(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            if request.method in ("GET", "HEAD"):
                return redirect_to_login(request.get_full_path())
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def readable_appraisal(user, pk):
    """The appraisal if this user may read it, else 404."""
    return get_object_or_404(
        Appraisal.objects.visible_to(user).select_related(
            "cycle", "person__line_manager", "manager", "profile_version__profile"
        ),
        pk=pk,
    )


def visible_person(user, pk):
    return get_object_or_404(Person.objects.visible_to(user).select_related("line_manager"), pk=pk)
