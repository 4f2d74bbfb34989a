"""Tokens get scopes. Every token made before them keeps its person's full
rights: each is given every scope there was when scopes came in."""

import json

from django.db import migrations, models

from competency import upgrades

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
        upgrades.defaults_for_older_code(
            "api",
            {"apitoken": {"scopes": "'" + json.dumps(ALL_SCOPES) + "'::jsonb"}},
        ),
    ]
