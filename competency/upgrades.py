"""Upgrades without downtime: while a release rolls out, the previous
release's processes keep serving on the new schema (tests/test_upgrades.py).
They insert rows without the columns this release added, so a NOT NULL
column needs a default in the database itself, not only in Django (which
fills it from Python and leaves the column without one).

A migration that adds such a column ends with `defaults_for_older_code`,
which gives the column a database default on PostgreSQL. This release
always sets the columns itself; SQLite, the embedded default, is never
upgraded under running processes."""

from django.db import migrations

NOW = "now()"
EMPTY_TEXT = "''"


def defaults_for_older_code(app_label, columns):
    """A migration's operation: `columns` maps a model's name to its
    {column: SQL default}, set on PostgreSQL."""

    def forwards(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        quote = schema_editor.quote_name
        for model, defaults in columns.items():
            table = apps.get_model(app_label, model)._meta.db_table
            for column, default in defaults.items():
                schema_editor.execute(
                    f"ALTER TABLE {quote(table)} ALTER COLUMN {quote(column)} SET DEFAULT {default}"
                )

    return migrations.RunPython(forwards, migrations.RunPython.noop, elidable=False)


def updated_at(app_label, models):
    """`updated_at` of each model defaults to now() (competency/changes.py)."""
    return defaults_for_older_code(app_label, {model: {"updated_at": NOW} for model in models})
