"""Bulk writes that keep the audit trail.

Django's bulk_create and bulk_update send no signals, so simple-history
would not record them; its bulk helpers do, and here they are given the
person behind the current request (simple-history's middleware keeps it),
so an upload through the browser is recorded under its author, as a save
would be. Commands have no request: their records have no user.
"""

from simple_history.models import HistoricalRecords
from simple_history.utils import bulk_create_with_history, bulk_update_with_history


def current_user():
    request = getattr(HistoricalRecords.context, "request", None)
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


def bulk_create(model, objects, batch_size=500):
    objects = list(objects)
    if not objects:
        return []
    return bulk_create_with_history(
        objects, model, batch_size=batch_size, default_user=current_user()
    )


def bulk_update(model, objects, fields, batch_size=500):
    objects = list(objects)
    if objects:
        bulk_update_with_history(
            objects, model, fields, batch_size=batch_size, default_user=current_user()
        )
