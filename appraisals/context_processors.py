"""What the layout (base.html) shows of the signed-in person that only the
appraisals app knows: their name, whether they manage anyone (the
navigation's "My team") and how many things wait for them (waiting.py).
Read lazily, in one query: the count is an expression of the same query
that reads the name (HR's name is their account's, so theirs is a count
alone).

A page that has read all three already (the home: the person, and the
whole "Waiting for you" list, whose length is the count) puts `header()`
in its own context as `signed_in`, which takes the place of this one's:
no query at all for the header."""

from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from appraisals import waiting
from appraisals.models import Person
from competency.prepared import Prepared
from competency.roles import is_hr


def manages_anyone():
    """Whether the Person of the row is anyone's line manager (the
    navigation's "My team"), as an expression to annotate them with."""
    return Exists(Person.objects.filter(line_manager=OuterRef("pk")))


def _account_name(user):
    return user.get_full_name() or user.get_username()


def _person_row(user, today):
    # first()'s query: the model's ordering, one row.
    return Person.objects.filter(account=user).values(
        "name", manages_anyone=manages_anyone(), waiting=waiting.count_expression(user, today)
    )[:1]


# Built once per process (competency.prepared): building the SQL of the
# count's rules, not running it, was most of the header's cost.
_person_rows = Prepared(_person_row)


def _signed_in(user):
    if is_hr(user):
        return header(user, waiting.count_for(user))
    found = _person_rows.rows(user, timezone.localdate())
    # Nothing waits for someone the appraisals do not know.
    if not found:
        return {"name": _account_name(user), "manages_anyone": False, "waiting": 0}
    return found[0]


def header(user, waiting_count, person=None):
    """What the layout shows of a user whose count the page knows, and whose
    Person (read with manages_anyone() as `manages_anyone`) it has read, or
    HR, whose header names their account."""
    if person is None or is_hr(user):
        return {"name": _account_name(user), "manages_anyone": False, "waiting": waiting_count}
    return {
        "name": person.name,
        "manages_anyone": person.manages_anyone,
        "waiting": waiting_count,
    }


def signed_in(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"signed_in": SimpleLazyObject(lambda: _signed_in(user))}
