"""Drop the profiles' audit records that record no change.

Until now every press of the edit page saved the whole profile and every
change to an item saved the profile's updated_at, each with an audit record
of the profile: records identical to the one before them but for the date,
which the audit trail listed as "Profile · Changed" naming no field (20
rows for 4 edits). The code no longer writes them; this removes those
already written. A record is dropped only when every field the trail
compares equals that of the profile's record before it: nothing it says is
lost. Nothing to undo: reversing leaves the trail as it is.
"""

from django.db import migrations

# What a record holds besides the profile's own fields (as
# competency/history.py's BOOKKEEPING, copied: a migration stays as written).
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
BATCH = 500


def drop_records_that_name_nothing(apps, schema_editor):
    record_model = apps.get_model("profiles", "HistoricalRoleProfile")
    compared = [
        field.attname for field in record_model._meta.fields if field.name not in BOOKKEEPING
    ]
    records = (
        record_model.objects.order_by("id", "history_date", "history_id")
        .values_list("id", "history_id", "history_type", *compared)
        .iterator(chunk_size=2000)
    )
    empty, previous = [], None
    for profile_id, history_id, history_type, *values in records:
        if (
            history_type == "~"
            and previous is not None
            and previous[0] == profile_id
            and previous[1] == values
        ):
            empty.append(history_id)
        else:
            # An empty record is skipped over: the next compares with the
            # last record that said something, whose values are the same.
            previous = (profile_id, values)
    for start in range(0, len(empty), BATCH):
        record_model.objects.filter(history_id__in=empty[start : start + BATCH]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("profiles", "0018_vectors_kept_by_a_trigger"),
    ]

    operations = [
        migrations.RunPython(drop_records_that_name_nothing, migrations.RunPython.noop),
    ]
