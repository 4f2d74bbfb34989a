"""Bulk writes that keep the audit trail.

Django's bulk_create and bulk_update send no signals, so simple-history
would not record them; its bulk helpers do, and here they are given the
person behind the current request (simple-history's middleware keeps it),
so an upload through the browser is recorded under its author, as a save
would be. Commands have no request: their records have no user.
"""

from django.utils import timezone
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


def bulk_delete(model, objects, batch_size=500):
    """Delete rows with one "-" history record each, in a few queries.

    Django's delete() sends post_delete for every row, and simple-history
    answers each with an INSERT of its own; its bulk helpers cover creating
    and updating only. So the records are written here in bulk (from the
    rows as loaded: every tracked field must be there) and the rows deleted
    without signals. Only for models that no other row refers to: a raw
    delete cascades nothing."""
    objects = list(objects)
    if not objects:
        return
    assert not model._meta.related_objects, f"{model.__name__} rows are referred to"
    history = model.history.model
    user, now = current_user(), timezone.now()
    history.objects.bulk_create(
        [
            history(
                history_date=now,
                history_user=user,
                history_type="-",
                **{field.attname: getattr(obj, field.attname) for field in history.tracked_fields},
            )
            for obj in objects
        ],
        batch_size=batch_size,
    )
    pks = [obj.pk for obj in objects]
    for start in range(0, len(pks), batch_size):
        rows = model._base_manager.filter(pk__in=pks[start : start + batch_size])
        rows._raw_delete(rows.db)


# Fields of a history record that are bookkeeping, not content (the key is a
# fingerprint of the text, so it changes with it).
BOOKKEEPING = {
    "id",
    "key",
    "updated_at",
    "history_id",
    "history_date",
    "history_change_reason",
    "history_type",
    "history_user",
}


def history_entries(records, describe=lambda record: ""):
    """Audit entries from simple-history records, newest first: when, who,
    what kind of change, to what (`describe`), and which fields changed,
    worked out in memory by comparing each record with the one before it
    for the same row (one query per table, never one per record)."""
    records = sorted(
        records, key=lambda record: (record.id, record.history_date, record.history_id)
    )
    entries, previous = [], None
    for record in records:
        changed = []
        if record.history_type == "~" and previous is not None and previous.id == record.id:
            changed = [
                str(field.verbose_name)
                for field in record._meta.fields
                if field.name not in BOOKKEEPING
                and getattr(record, field.attname) != getattr(previous, field.attname)
            ]
        entries.append(
            {
                "when": record.history_date,
                "who": record.history_user,
                "type": record.get_history_type_display(),
                "what": describe(record),
                "changed": ", ".join(changed),
            }
        )
        previous = record
    entries.sort(key=lambda entry: entry["when"], reverse=True)
    return entries
