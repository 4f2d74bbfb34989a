"""On PostgreSQL, the four search vectors (migrations 0012 and 0015) are
kept by a trigger instead of being generated columns.

PostgreSQL computes every stored generated column again on every UPDATE of
the row, whatever the update writes: publishing, which writes the version
in force's columns, parsed the working copy's ~10 KB search text again,
and parsed the same text a third time for the version in force, which
says what the working copy says. The trigger computes a vector only when
what it is made of changed, and gives the version in force the working
copy's vectors when their texts are the same (as they are just after
publishing). An import that publishes a new profile parses its text once,
where it did three times. The vectors are what the generated columns
computed; their indexes stay.
"""

from django.db import migrations

TRIGGER_SQL = r"""
CREATE FUNCTION profiles_roleprofile_vectors() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'INSERT'
        OR NEW.title IS DISTINCT FROM OLD.title
        OR NEW.summary IS DISTINCT FROM OLD.summary
        OR NEW.search_text IS DISTINCT FROM OLD.search_text
        OR NEW.search_vector IS NULL
    THEN
        NEW.search_rank_vector :=
            setweight(to_tsvector('english'::regconfig, NEW.title), 'A')
            || setweight(to_tsvector('english'::regconfig, NEW.summary), 'B');
        NEW.search_vector :=
            NEW.search_rank_vector || to_tsvector('english'::regconfig, NEW.search_text);
    END IF;
    IF NEW.published_title = NEW.title
        AND NEW.published_summary = NEW.summary
        AND NEW.published_text = NEW.search_text
    THEN
        NEW.published_rank_vector := NEW.search_rank_vector;
        NEW.published_vector := NEW.search_vector;
    ELSIF TG_OP = 'INSERT'
        OR NEW.published_title IS DISTINCT FROM OLD.published_title
        OR NEW.published_summary IS DISTINCT FROM OLD.published_summary
        OR NEW.published_text IS DISTINCT FROM OLD.published_text
        OR NEW.published_vector IS NULL
    THEN
        NEW.published_rank_vector :=
            setweight(to_tsvector('english'::regconfig, NEW.published_title), 'A')
            || setweight(to_tsvector('english'::regconfig, NEW.published_summary), 'B');
        NEW.published_vector :=
            NEW.published_rank_vector
            || to_tsvector('english'::regconfig, NEW.published_text);
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER profiles_roleprofile_vectors
    BEFORE INSERT OR UPDATE ON profiles_roleprofile
    FOR EACH ROW EXECUTE FUNCTION profiles_roleprofile_vectors();
"""

COLUMNS = ("search_vector", "search_rank_vector", "published_vector", "published_rank_vector")

# The generated columns as migrations 0012 and 0015 made them, to go back.
GENERATED = {
    "search_rank_vector": ("title", "summary", None),
    "search_vector": ("title", "summary", "search_text"),
    "published_rank_vector": ("published_title", "published_summary", None),
    "published_vector": ("published_title", "published_summary", "published_text"),
}


def kept_by_trigger(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    drops = ", ".join(f"ALTER COLUMN {column} DROP EXPRESSION" for column in COLUMNS)
    schema_editor.execute(f"ALTER TABLE profiles_roleprofile {drops}")
    schema_editor.execute(TRIGGER_SQL)


def generated_again(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        "DROP TRIGGER profiles_roleprofile_vectors ON profiles_roleprofile; "
        "DROP FUNCTION profiles_roleprofile_vectors()"
    )
    # A column cannot become generated again: each is made anew, with the
    # index of the full vectors (migration 0012) and MAIN storage of the
    # rank vectors (migration 0016).
    for column, (title, summary, text) in GENERATED.items():
        expression = (
            f"setweight(to_tsvector('english'::regconfig, {title}), 'A') || "
            f"setweight(to_tsvector('english'::regconfig, {summary}), 'B')"
        )
        if text:
            expression += f" || to_tsvector('english'::regconfig, {text})"
        schema_editor.execute(
            f"ALTER TABLE profiles_roleprofile DROP COLUMN {column}; "
            f"ALTER TABLE profiles_roleprofile ADD COLUMN {column} tsvector "
            f"GENERATED ALWAYS AS ({expression}) STORED"
        )
        if text:
            schema_editor.execute(
                f"CREATE INDEX profiles_roleprofile_{column} ON profiles_roleprofile "
                f"USING gin ({column})"
            )
        else:
            schema_editor.execute(
                f"ALTER TABLE profiles_roleprofile ALTER COLUMN {column} SET STORAGE MAIN"
            )
    schema_editor.execute(
        "UPDATE profiles_roleprofile SET title = title, published_title = published_title"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("profiles", "0017_hr_list_title_index"),
    ]

    operations = [
        migrations.RunPython(kept_by_trigger, generated_again),
    ]
