"""What the layout (base.html) shows of the signed-in person that only the
appraisals app knows: their name, and whether they manage anyone (the
navigation's "My team"). Read lazily, in one query, and only for people who
are not HR: HR's navigation is the same whoever they manage, and their name
is their account's."""

from django.db.models import Exists, OuterRef
from django.utils.functional import SimpleLazyObject

from appraisals.models import Person
from competency.roles import is_hr


def _signed_in(user):
    if is_hr(user):
        return {"name": user.get_full_name() or user.get_username(), "manages_anyone": False}
    found = (
        Person.objects.filter(account=user)
        .values("name", manages_anyone=Exists(Person.objects.filter(line_manager=OuterRef("pk"))))
        .first()
    )
    return found or {"name": user.get_full_name() or user.get_username(), "manages_anyone": False}


def signed_in(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"signed_in": SimpleLazyObject(lambda: _signed_in(user))}
