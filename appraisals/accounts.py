"""Whose sign-in account may still be used: not a leaver's.

An account whose person has left (models.left_by: their leaving date has
come, whether HR's form, the people import or the API set it, or the
calendar reached it) can no longer sign in, its sessions end on their next
request and its API tokens stop working. Each of those reads the user
through competency.roles.Backend, which asks this rule (named by
settings.ACCOUNT_RULE, so that competency, below this app, never imports
it): sign-in, every request of a session and every token ask the same
question, with today's date, so no job has to run on the day.

The rule is asked in two forms: `closed_sql`, a column read in the same
query as the user on every request, and `is_closed`, for a user already
read (at sign-in). Both come from the one filter, models.left_by.
"""

from datetime import date
from functools import cache

from django.db import connection
from django.db.models.expressions import RawSQL
from django.utils import timezone

from appraisals.models import Person, left_by

# A day the query is built with, then replaced by the day it runs on.
_ANY_DAY = date(2000, 1, 1)


@cache
def _closed_sql(user_column):
    """The people query, compiled once: its only parameter is the day."""
    query = Person.objects.filter(left_by(_ANY_DAY), account_id=RawSQL(user_column, ()))
    sql, params = query.order_by().values("pk").query.sql_with_params()
    if len(params) != 1:
        raise AssertionError(f"expected the day as the one parameter, got {params!r}")
    return f"EXISTS ({sql})"


def closed_sql(user_column):
    """(SQL, params): true when the account in `user_column` (the user
    table's id, as the outer query names it) belongs to someone who has
    left by today."""
    today = timezone.localdate()
    return _closed_sql(user_column), [connection.ops.adapt_datefield_value(today)]


def is_closed(user, on=None):
    """Whether this account's person has left by `on` (default today)."""
    return Person.objects.filter(left_by(on), account_id=user.pk).exists()
