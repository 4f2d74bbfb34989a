"""What the layout (base.html) shows of the signed-in person that only the
appraisals app knows: their name, whether they manage anyone (the
navigation's "My team") and how many things wait for them (waiting.py).
Read lazily, in one query: the count is an expression of the same query
that reads the name (HR's name is their account's, so theirs is a count
alone)."""

from django.db.models import Exists, OuterRef
from django.utils.functional import SimpleLazyObject

from appraisals import waiting
from appraisals.models import Person
from competency.roles import is_hr


def _signed_in(request):
    user = request.user
    account_name = user.get_full_name() or user.get_username()
    # A page that lists what waits (the homes) has counted it already.
    listed = getattr(request, "waiting_tasks", None)
    if is_hr(user):
        return {
            "name": account_name,
            "manages_anyone": False,
            "waiting": len(listed) if listed is not None else waiting.count_for(user),
        }
    counts = {} if listed is not None else {"waiting": waiting.count_expression(user)}
    found = (
        Person.objects.filter(account=user)
        .values(
            "name",
            manages_anyone=Exists(Person.objects.filter(line_manager=OuterRef("pk"))),
            **counts,
        )
        .first()
    )
    if found is None:
        # Nothing waits for someone the appraisals do not know.
        return {"name": account_name, "manages_anyone": False, "waiting": 0}
    if listed is not None:
        found["waiting"] = len(listed)
    return found


def signed_in(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"signed_in": SimpleLazyObject(lambda: _signed_in(request))}
