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


# The searched texts of each section's links as they were when this
# migration was written (profiles/search.py builds the same from SECTIONS):
# (slot, link table, joins, columns in order).
LINKS = [
    (5, "profiles_profileworkactivity", [("competency_workactivity", "l.activity_id")],
     ["j0.title", "j0.details"]),
    (6, "profiles_profileknowledge", [("competency_knowledgeitem", "l.item_id")],
     ["j0.title", "j0.details"]),
    (7, "profiles_profiletraining", [("competency_training", "l.training_id")],
     ["j0.title", "j0.details"]),
    (8, "profiles_profiledevelopmentactivity", [("competency_developmentactivity", "l.activity_id")],
     ["j0.title", "j0.details"]),
    (9, "profiles_profilequalification",
     [("competency_qualification", "l.qualification_id"),
      ("competency_awardingbody", "j0.awarding_body_id")],
     ["j0.title", "j1.name"]),
    (10, "profiles_profileskill",
     [("competency_skill", "l.skill_id"), ("competency_category", "j0.category_id")],
     ["j1.name", "j0.name"]),
]  # fmt: skip


def search_text_sql(postgres):
    """The working copy's values-only search text of the outer profile row."""
    table = "profiles_roleprofile"
    parts = [
        f"SELECT 0 AS s, 0 AS o, 0 AS i, 0 AS f, {table}.title AS part",
        f"SELECT 1, 0, 0, 0, {table}.summary",
    ]
    for slot, name in enumerate(("responsibilities", "background", "prior_knowledge"), 2):
        if postgres:
            parts.append(
                f"SELECT {slot}, t.o, 0, 0, t.v FROM jsonb_array_elements_text({table}.{name}) "
                "WITH ORDINALITY AS t(v, o)"
            )
        else:
            parts.append(f"SELECT {slot}, t.key, 0, 0, t.value FROM json_each({table}.{name}) t")
    for slot, link_table, joins, columns in LINKS:
        source = f"{link_table} l " + " ".join(
            f"JOIN {target} j{number} ON j{number}.id = {column}"
            for number, (target, column) in enumerate(joins)
        )
        parts += [
            f"SELECT {slot}, l.position, l.id, {key}, {column} FROM {source} "
            f"WHERE l.profile_id = {table}.id"
            for key, column in enumerate(columns)
        ]
    union = " UNION ALL ".join(parts)
    if postgres:
        aggregate = (
            f"SELECT string_agg(part, E'\\n' ORDER BY s, o, i, f) FROM ({union}) AS parts "
            "WHERE part <> ''"
        )
    else:
        aggregate = (
            f"SELECT group_concat(part, char(10)) FROM (SELECT part FROM ({union}) "
            "WHERE part <> '' ORDER BY s, o, i, f)"
        )
    return f"COALESCE(({aggregate}), '')"


def fill_in(apps, schema_editor):
    postgres = schema_editor.connection.vendor == "postgresql"
    schema_editor.execute(
        f"UPDATE profiles_roleprofile SET search_text = {search_text_sql(postgres)}"
    )


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
