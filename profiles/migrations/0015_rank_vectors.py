"""On PostgreSQL, small stored tsvectors of each profile's title (A) and
summary (B) to rank search results by (profiles/search.py).

Ranking with ts_rank over the whole search vector (~5.5 KB, stored out of
line) read every match's vector: for a word most profiles hold, thousands
of them per search. These hold only what ranking weighs most, are small
enough to stay in the row, and so cost nothing to read; matching still
uses the full vectors and their GIN indexes (migration 0012)."""

from django.db import migrations

VECTORS = {
    "published_rank_vector": ("published_title", "published_summary"),
    "search_rank_vector": ("title", "summary"),
}


def add(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column, (title, summary) in VECTORS.items():
        schema_editor.execute(
            f"ALTER TABLE profiles_roleprofile ADD COLUMN {column} tsvector GENERATED ALWAYS AS "
            f"(setweight(to_tsvector('english'::regconfig, {title}), 'A') || "
            f"setweight(to_tsvector('english'::regconfig, {summary}), 'B')) STORED"
        )


def remove(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in VECTORS:
        schema_editor.execute(f"ALTER TABLE profiles_roleprofile DROP COLUMN {column}")


class Migration(migrations.Migration):
    dependencies = [
        ("profiles", "0014_pending_upload_people"),
    ]

    operations = [
        migrations.RunPython(add, remove),
    ]
