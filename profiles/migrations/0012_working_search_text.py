"""HR's search text of each working copy, and on PostgreSQL the full-text
vectors and GIN indexes of both search texts."""

from django.db import migrations, models

# Stored (generated) tsvector columns rather than expression indexes on
# to_tsvector(...): a GIN expression index finds the rows as fast, but
# ranking and sorting by relevance needs each matched row's vector, and
# re-parsing every matched text (thousands of ~10 KB texts for a common
# word) at query time costs seconds; a stored vector is read, not parsed.
# PostgreSQL computes them on every write (COPY included), so no code keeps
# them in step, and the ORM never names them (they are not model fields:
# SQLite has no tsvector). The title weighs most (A), then the summary (B),
# then every other word (D).
VECTORS = {
    "published_vector": ("published_title", "published_summary", "published_text"),
    "search_vector": ("title", "summary", "search_text"),
}


def vector_sql(title, summary, text):
    return (
        f"setweight(to_tsvector('english'::regconfig, {title}), 'A') || "
        f"setweight(to_tsvector('english'::regconfig, {summary}), 'B') || "
        f"to_tsvector('english'::regconfig, {text})"
    )


def fill_in(apps, schema_editor):
    from profiles.search import refresh_search_text

    RoleProfile = apps.get_model("profiles", "RoleProfile")
    refresh_search_text(RoleProfile.objects.all(), words=False)


def add_vectors(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column, sources in VECTORS.items():
        schema_editor.execute(
            f"ALTER TABLE profiles_roleprofile ADD COLUMN {column} tsvector "
            f"GENERATED ALWAYS AS ({vector_sql(*sources)}) STORED"
        )
        schema_editor.execute(
            f"CREATE INDEX profiles_roleprofile_{column} ON profiles_roleprofile "
            f"USING gin ({column})"
        )


def remove_vectors(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in VECTORS:
        schema_editor.execute(f"ALTER TABLE profiles_roleprofile DROP COLUMN {column}")


class Migration(migrations.Migration):
    dependencies = [
        ("profiles", "0011_readers_columns"),
    ]

    operations = [
        migrations.AddField(
            model_name="roleprofile",
            name="search_text",
            field=models.TextField(blank=True, editable=False),
        ),
        migrations.RunPython(fill_in, migrations.RunPython.noop),
        migrations.RunPython(add_vectors, remove_vectors),
    ]
