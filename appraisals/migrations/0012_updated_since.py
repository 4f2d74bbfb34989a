"""`updated_at` on every row an integration syncs, indexed, for the API's
`updated_since` (competency/changes.py, competency/api/changes.py)."""

import django.utils.timezone
from django.db import migrations, models

COLUMN = "updated_at"


def in_place(app_label, added, indexed):
    """The main tables' `updated_at` added (and indexed) in place, in SQL.
    Django's SQLite backend would rebuild each table to add a NOT NULL
    column, which drops the triggers on it or naming it (a skill's framework
    fixed, a role profile's search vectors). Every existing row counts as
    changed now: a first sync reads everything anyway."""

    def tables(apps):
        def table(name):
            return apps.get_model(app_label, name)._meta.db_table

        return [table(name) for name in added], [table(name) for name in indexed]

    def forwards(apps, schema_editor):
        quote = schema_editor.quote_name
        connection = schema_editor.connection
        kind = connection.data_types["DateTimeField"]
        if connection.vendor == "sqlite":
            # A column added to SQLite must have a constant default.
            now = connection.ops.adapt_datetimefield_value(django.utils.timezone.now())
            default = schema_editor.quote_value(now)
        else:
            default = "now()"
        new, old = tables(apps)
        for table in new:
            schema_editor.execute(
                f"ALTER TABLE {quote(table)} ADD COLUMN {quote(COLUMN)} {kind} NOT NULL "
                f"DEFAULT {default}"
            )
        for table in new + old:
            name = schema_editor._create_index_name(table, [COLUMN])
            schema_editor.execute(f"CREATE INDEX {quote(name)} ON {quote(table)} ({quote(COLUMN)})")

    def backwards(apps, schema_editor):
        quote = schema_editor.quote_name
        new, old = tables(apps)
        for table in new + old:
            name = schema_editor._create_index_name(table, [COLUMN])
            schema_editor.execute(f"DROP INDEX {quote(name)}")
        for table in new:
            schema_editor.execute(f"ALTER TABLE {quote(table)} DROP COLUMN {quote(COLUMN)}")

    return migrations.RunPython(forwards, backwards)


def database_defaults(app_label, columns):
    """On PostgreSQL, defaults in the database itself for the NOT NULL
    columns this migration adds: while the release rolls out, the previous
    release's processes insert rows without them (tests/test_upgrades.py).
    `columns` maps a model's name to its {column: SQL default}. (Written
    out in each migration: a migration imports nothing from the code.)"""

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


class Migration(migrations.Migration):
    dependencies = [
        ("appraisals", "0011_person_reports_index"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddField(
                    model_name="person",
                    name="updated_at",
                    field=models.DateTimeField(auto_now=True, db_index=True),
                ),
                migrations.AlterField(
                    model_name="appraisal",
                    name="updated_at",
                    field=models.DateTimeField(auto_now=True, db_index=True),
                ),
            ],
            database_operations=[in_place("appraisals", ["person"], ["appraisal"])],
        ),
        migrations.AddField(
            model_name="historicalperson",
            name="updated_at",
            field=models.DateTimeField(
                blank=True, db_index=True, default=django.utils.timezone.now, editable=False
            ),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="historicalappraisal",
            name="updated_at",
            field=models.DateTimeField(blank=True, db_index=True, editable=False),
        ),
        database_defaults(
            "appraisals",
            {
                model: {"updated_at": "now()"}
                for model in ["person", "appraisal", "historicalperson", "historicalappraisal"]
            },
        ),
    ]
