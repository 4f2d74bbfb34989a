"""Tokens get scopes. Every token made before them keeps its person's full
rights: each is given every scope there was when scopes came in."""

import json

from django.db import migrations, models

# The scopes as they were when this migration was written (the model's
# list may grow; a migration must not change with it).
ALL_SCOPES = [
    "profiles:read",
    "profiles:write",
    "people:read",
    "people:write",
    "appraisals:read",
    "appraisals:write",
]


def full_rights(apps, schema_editor):
    ApiToken = apps.get_model("api", "ApiToken")
    ApiToken.objects.update(scopes=ALL_SCOPES)


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
        ("api", "0001_api_tokens_and_idempotency"),
    ]

    operations = [
        migrations.AddField(
            model_name="apitoken",
            name="scopes",
            field=models.JSONField(default=list),
            preserve_default=False,
        ),
        # Nothing to undo: going back drops the column.
        migrations.RunPython(full_rights, migrations.RunPython.noop),
        # A token the previous release makes has its person's full rights,
        # as every token had then.
        database_defaults(
            "api",
            {"apitoken": {"scopes": "'" + json.dumps(ALL_SCOPES) + "'::jsonb"}},
        ),
    ]
