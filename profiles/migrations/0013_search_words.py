"""On PostgreSQL, the words the search texts hold, with a trigram index,
to offer "Did you mean …?" for a misspelt search (profiles/search.py)."""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

# A table of distinct words (some thousands) rather than trigram matching
# of the profiles' texts themselves: a trigram index over 20,000 texts of
# ~10 KB is large and slow to search, one over the distinct words is small.
# Not a model: only PostgreSQL has it. Words are only ever added; one that
# no profile holds any more is harmless, since a suggestion is offered
# only when it finds profiles the person may see.
CREATE = [
    "CREATE TABLE profiles_searchword (word text PRIMARY KEY)",
    "CREATE INDEX profiles_searchword_trigrams ON profiles_searchword "
    "USING gin (word gin_trgm_ops)",
]


def words_of(column):
    return (
        "INSERT INTO profiles_searchword (word) SELECT DISTINCT w FROM profiles_roleprofile, "
        f"regexp_split_to_table(lower({column}), '[^[:alnum:]]+') AS w "
        "WHERE length(w) BETWEEN 3 AND 40 ON CONFLICT DO NOTHING"
    )


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for statement in [*CREATE, words_of("search_text"), words_of("published_text")]:
        schema_editor.execute(statement)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP TABLE profiles_searchword")


class Migration(migrations.Migration):
    dependencies = [
        ("profiles", "0012_working_search_text"),
    ]

    operations = [
        TrigramExtension(),
        migrations.RunPython(create, drop),
    ]
