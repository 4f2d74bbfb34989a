"""`updated_since`: what changed since a time, for a nightly sync.

A list whose viewset names `changes_field` (the row's time of last change,
an indexed column: competency.changes.ChangeTracked's `updated_at`, or a
version's `published_at`) takes `?updated_since=` (ISO 8601 with its
offset: `2026-05-01T02:00:00Z`, `…+01:00` written `%2B01:00` in a URL).
It lists the rows changed at or after that time, oldest change first,
ordered by (time, id) so that its cursor or pages never skip a row; a sync
keeps the greatest `updated_at` it read and asks from there next time
(a row changed twice may come twice: read at least once, never missed).
Without it, a list is as it was. With it, `sort` does not apply: the
changes have their own order (a 400 for both would refuse a request the
schema allows)."""

from datetime import UTC, datetime

from django.utils.dateparse import parse_datetime
from rest_framework.exceptions import ValidationError
from rest_framework.filters import BaseFilterBackend

from competency.api.query import once

PARAMETER = "updated_since"
FORMAT = "Give a date and time in ISO 8601 with its offset, e.g. 2026-05-01T02:00:00Z."


def since(request):
    """The time asked for, timezone-aware, or None when not asked."""
    value = once(request, PARAMETER)
    if value is None:
        return None
    try:
        moment = parse_datetime(value.strip())
    except ValueError:  # a well-formed date that does not exist (31 June)
        moment = None
    if moment is None or moment.tzinfo is None:
        hint = " A + in a URL is read as a space: write it %2B." if " " in value.strip() else ""
        raise ValidationError({PARAMETER: [FORMAT + hint]})
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        # Within a day of the first or last time Python can hold (year 1 or
        # 9999): every row is after the first, none after the last.
        return (
            datetime.min.replace(tzinfo=UTC)
            if moment.year == 1
            else datetime.max.replace(tzinfo=UTC)
        )


class UpdatedSinceFilter(BaseFilterBackend):
    """The filter backend every list that syncs has (the settings' default
    backends): it does nothing for a view without `changes_field`."""

    def filter_queryset(self, request, queryset, view):
        field = getattr(view, "changes_field", None)
        if field is None or getattr(view, "action", "list") != "list":
            return queryset
        moment = since(request)
        if moment is None:
            return queryset
        return queryset.filter(**{f"{field}__gte": moment}).order_by(field, "pk")

    def get_schema_operation_parameters(self, view):
        field = getattr(view, "changes_field", None)
        if field is None:
            return []
        return [
            {
                "name": PARAMETER,
                "required": False,
                "in": "query",
                "description": "Only rows changed at or after this time (ISO 8601 with its "
                f"offset), oldest change first, ordered by (`{field}`, id) whatever `sort` "
                f"says. Keep the greatest `{field}` you read and ask from there next time.",
                "schema": {"type": "string", "format": "date-time"},
            }
        ]
