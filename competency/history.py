"""Bulk writes that keep the audit trail.

Django's bulk_create, bulk_update and raw deletes send no signals, so
simple-history would not record them. These helpers write the rows in bulk
and then their history records in one INSERT … SELECT per batch, copied
from the rows as they are in the database (no record is built in Python,
which for an import of a few hundred links cost more than the queries).
Each record names the person behind the current request (simple-history's
middleware keeps it), so an upload through the browser is recorded under
its author, as a save would be. Commands have no request: their records
have no user.
"""

from functools import cache

from django.core.exceptions import ObjectDoesNotExist
from django.db import connections, router, transaction
from django.utils import timezone
from simple_history.models import HistoricalRecords


def current_user():
    request = getattr(HistoricalRecords.context, "request", None)
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


@cache
def _history_model(model):
    # Once per model: simple-history's descriptor builds a manager class on
    # every access.
    return model.history.model


def _record(model, pks, history_type, batch_size):
    """Write a history record of `history_type` for each of the rows `pks`
    of `model`, as stored now: one INSERT … SELECT per batch, all with the
    same date and author."""
    history = _history_model(model)
    connection = connections[router.db_for_write(history)]
    quote = connection.ops.quote_name
    fields = history.tracked_fields
    columns = [history._meta.get_field(field.name).column for field in fields]
    columns += [history._meta.get_field(name).column for name in BOOKS]
    user = current_user()
    books = [
        history._meta.get_field("history_date").get_db_prep_value(timezone.now(), connection),
        history_type,
        user.pk if user is not None else None,
    ]
    source = ", ".join([*(f"t.{quote(field.column)}" for field in fields), "%s", "%s", "%s"])
    pk = quote(model._meta.pk.column)
    pks = sorted(pks)
    with connection.cursor() as cursor:
        for start in range(0, len(pks), batch_size):
            batch = pks[start : start + batch_size]
            cursor.execute(
                f"INSERT INTO {quote(history._meta.db_table)} "
                f"({', '.join(quote(column) for column in columns)}) "
                f"SELECT {source} FROM {quote(model._meta.db_table)} t "
                f"WHERE t.{pk} IN ({', '.join(['%s'] * len(batch))}) ORDER BY t.{pk}",
                [*books, *batch],
            )


# What a record says of itself besides the row's fields, in _record's order.
BOOKS = ("history_date", "history_type", "history_user")


def bulk_create(model, objects, batch_size=500):
    """Create the rows, each with its "+" record; returns them with their ids."""
    objects = list(objects)
    if not objects:
        return []
    with transaction.atomic(savepoint=False):
        created = model._default_manager.bulk_create(objects, batch_size=batch_size)
        _record(model, [obj.pk for obj in created], "+", batch_size)
    return created


def bulk_update(model, objects, fields, batch_size=500):
    """Update `fields` of the rows, each with its "~" record."""
    objects = list(objects)
    if objects:
        with transaction.atomic(savepoint=False):
            model._default_manager.bulk_update(objects, fields, batch_size=batch_size)
            _record(model, [obj.pk for obj in objects], "~", batch_size)


def record_created(model, objects, batch_size=500):
    """The "+" records of rows saved without them (simple-history's
    save_without_historical_record), written together."""
    objects = list(objects)
    if objects:
        _record(model, [obj.pk for obj in objects], "+", batch_size)


def bulk_delete(model, objects, batch_size=500):
    """Delete rows with one "-" history record each, in a few queries.

    Django's delete() sends post_delete for every row, and simple-history
    answers each with an INSERT of its own. So the records are written here
    in bulk, from the rows as stored, and the rows deleted without
    signals. Only for models that no other row refers to: a raw delete
    cascades nothing."""
    objects = list(objects)
    if not objects:
        return
    assert not model._meta.related_objects, f"{model.__name__} rows are referred to"
    pks = [obj.pk for obj in objects]
    with transaction.atomic(savepoint=False):
        _record(model, pks, "-", batch_size)
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


# The change reason of a record written only because a row's place shifted
# when another row moved or left (profiles.drafts): the trail shows the move
# or removal, once, and reads such a record only as the one before the row's
# next change (whose "before" it holds).
SHIFTED = "shifted"


def history_entries(records, describe=lambda record: "", shown=None):
    """Audit entries from simple-history records, newest first: when, who,
    what kind of change, to what (`describe`), and which fields changed from
    what to what, worked out in memory by comparing each record with the one
    before it for the same row (one query per table, never one per record).
    Records of a shift (SHIFTED) are not entries of their own."""
    records = sorted(records, key=_row_order)
    entries, previous = [], None
    for record in records:
        same_row = previous is not None and previous.id == record.id
        if record.history_change_reason != SHIFTED:
            entries.append(entry(record, previous if same_row else None, describe, shown))
        previous = record
    entries.sort(key=lambda entry: entry["when"], reverse=True)
    return entries


def _row_order(record):
    return (record.id, record.history_date, record.history_id)


def entry(record, previous, describe, shown=None):
    """One audit entry: `previous` is the record before it for the same row
    (None for the first), whose values tell which fields a change changed
    and what they were. `shown` maps a field's name to how its value (the
    related row, for a foreign key) reads, where str() does not say enough."""
    changes = []
    if record.history_type == "~" and previous is not None:
        changes = [
            {
                "field": str(field.verbose_name),
                "before": value_text(previous, field, shown),
                "after": value_text(record, field, shown),
            }
            for field in record._meta.fields
            if field.name not in BOOKKEEPING
            and getattr(record, field.attname) != getattr(previous, field.attname)
        ]
    return {
        "when": record.history_date,
        "who": record.history_user,
        "type": record.get_history_type_display(),
        "what": describe(record),
        "changed": [change["field"] for change in changes],
        "changes": changes,
    }


def value_text(record, field, shown=None):
    """A field's value in a history record, as people read it: as `shown`
    says for this field (given the value, or the related row), else a
    choice's label, a related row by its name (joined by the caller: no
    query here when it was), a list one item a line, nothing as ""."""
    describe = (shown or {}).get(field.name)
    if field.is_relation:
        if getattr(record, field.attname) is None:
            return ""
        try:
            related = getattr(record, field.name)
        except ObjectDoesNotExist:
            return "(since deleted)"
        return (describe or str)(related)
    value = getattr(record, field.attname)
    if value is None:
        return ""
    if describe is not None:
        return describe(value)
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, list):
        return "\n".join(str(item) for item in value)
    return str(value)


class Trail:
    """The history of several tables as one list, newest first, read a page
    at a time in the database; a Paginator takes it as it takes a queryset.

    Each source is (queryset of history records, describe, related[,
    shown]): the records of one table that belong here (SHIFTED ones are
    left out), how an entry names what changed, relations to join for it
    (besides the record's own foreign keys, always joined), and how values
    read (see entry()). Counting is one UNION ALL; a page is one
    UNION ALL of (date, table, row, record) with ORDER BY and LIMIT, then one
    query per table for the page's records and, for each change, the record
    before it of the same row. Ties on the date are ordered by table (as
    given), row and record, as history_entries orders them."""

    def __init__(self, sources):
        self.sources = [
            (
                queryset.order_by().exclude(history_change_reason=SHIFTED),
                describe,
                tuple(related),
                shown[0] if shown else None,
            )
            for queryset, describe, related, *shown in sources
        ]

    def _keys(self, after=None):
        """Every entry's key (date, table, row, record), or only those after
        the key `after` in the trail's order (newest first)."""
        from django.db.models import IntegerField, Q, Value

        keys = []
        for number, (queryset, *_) in enumerate(self.sources):
            if after is not None:
                date, table, row, record = after
                if number < table:
                    queryset = queryset.filter(history_date__lt=date)
                elif number > table:
                    queryset = queryset.filter(history_date__lte=date)
                else:
                    queryset = queryset.filter(
                        Q(history_date__lt=date)
                        | Q(history_date=date, id__gt=row)
                        | Q(history_date=date, id=row, history_id__gt=record)
                    )
            keys.append(
                queryset.annotate(trail_table=Value(number, IntegerField())).values_list(
                    "history_date", "trail_table", "id", "history_id"
                )
            )
        return keys[0].union(*keys[1:], all=True)

    def _ordered_keys(self, after=None):
        return self._keys(after).order_by("-history_date", "trail_table", "id", "history_id")

    def count(self):
        return self._keys().count()

    def __len__(self):
        return self.count()

    def __getitem__(self, page):
        if not isinstance(page, slice):
            raise TypeError("A trail is read a page (a slice) at a time.")
        return self._entries(list(self._ordered_keys()[page]))

    def after(self, key, size):
        """The `size` entries after the entry whose `key` is given (None:
        from the newest), and whether more follow: a page that stays put
        when newer changes are recorded (the API's cursor)."""
        keys = list(self._ordered_keys(after=key)[: size + 1])
        shown = keys[:size]
        entries = self._entries(shown)
        return [{**entry, "key": key} for entry, key in zip(entries, shown, strict=True)], (
            len(keys) > size
        )

    def _entries(self, keys):
        """The entries of these keys, in order."""
        if not keys:
            return []
        # The page's dates bound what each table is asked for, so that every
        # table is asked once whatever the page holds (the page costs the same
        # queries however long the history is).
        oldest, newest = keys[-1][0], keys[0][0]
        records = {}
        for number, (queryset, _, related, _) in enumerate(self.sources):
            for record in self._with_previous(queryset, related, oldest, newest):
                records[number, record.history_id] = record
        entries = []
        for _, table, _, history_id in keys:
            record = records[table, history_id]
            previous = records.get((table, record.previous_id))
            _, describe, _, shown = self.sources[table]
            entries.append(entry(record, previous, describe, shown))
        return entries

    @staticmethod
    def _with_previous(queryset, related, oldest, newest):
        """A table's records dated within the page's dates and the records
        before its changes (of the same row, whichever: a SHIFTED one too),
        each with previous_id."""
        from django.db.models import OuterRef, Q, Subquery

        table = queryset.model._base_manager.all()
        before = (
            table.filter(id=OuterRef("id"))
            .filter(
                Q(history_date__lt=OuterRef("history_date"))
                | Q(history_date=OuterRef("history_date"), history_id__lt=OuterRef("history_id"))
            )
            .order_by("-history_date", "-history_id")
            .values("history_id")[:1]
        )
        on_page = queryset.filter(history_date__range=(oldest, newest))
        previous = on_page.filter(history_type="~").annotate(previous_id=Subquery(before))
        # Every foreign key of a record is joined: a change of one shows the
        # related row's name before and after.
        keys = [
            field.name
            for field in queryset.model._meta.fields
            if field.is_relation and field.name not in BOOKKEEPING
        ]
        return (
            table.filter(
                Q(history_id__in=on_page.values("history_id"))
                | Q(history_id__in=previous.values("previous_id"))
            )
            .annotate(previous_id=Subquery(before))
            .select_related("history_user", *keys, *related)
        )
