"""On PostgreSQL, keep the small rank vectors (migration 0015) in the row.

A profile's row is larger than PostgreSQL's 2 KB threshold, so it moves
values out of line until the row fits, and with the default storage the
rank vectors (~600 bytes each) went too: ranking a common word's ~20,000
matches then read ~80,000 TOAST pages (600 ms at 20,000 profiles, where
the same ranking over vectors kept in the row takes ~80 ms). MAIN storage
keeps them in the row (compressed if need be) and moves the larger texts
out first. The rows are rewritten so that the vectors already stored are
stored again under the new rule."""

from django.db import migrations

COLUMNS = ("published_rank_vector", "search_rank_vector")


def storage(kind):
    def change(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        columns = ", ".join(f"ALTER COLUMN {column} SET STORAGE {kind}" for column in COLUMNS)
        schema_editor.execute(f"ALTER TABLE profiles_roleprofile {columns}")
        # Stored generated columns are computed again when what they are
        # made of is written, and only then stored under the new rule.
        schema_editor.execute(
            "UPDATE profiles_roleprofile SET title = title, published_title = published_title"
        )

    return change


class Migration(migrations.Migration):
    dependencies = [
        ("profiles", "0015_rank_vectors"),
    ]

    operations = [
        migrations.RunPython(storage("MAIN"), storage("EXTENDED")),
    ]
