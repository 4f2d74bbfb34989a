"""A webhook's secret before its last rotation, and until when it still
signs deliveries beside the new one (competency/webhooks.py)."""

from django.db import migrations, models


def database_default(apps, schema_editor):
    """On PostgreSQL, previous_secret's default ('') in the database itself:
    while the release rolls out, the previous release's processes insert
    webhooks without it (tests/test_upgrades.py)."""
    if schema_editor.connection.vendor != "postgresql":
        return
    table = schema_editor.quote_name(apps.get_model("api", "webhook")._meta.db_table)
    column = schema_editor.quote_name("previous_secret")
    schema_editor.execute(f"ALTER TABLE {table} ALTER COLUMN {column} SET DEFAULT ''")


class Migration(migrations.Migration):
    dependencies = [
        ("api", "0003_webhooks"),
    ]

    operations = [
        migrations.AddField(
            model_name="webhook",
            name="previous_secret",
            field=models.CharField(blank=True, default="", editable=False, max_length=100),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="webhook",
            name="previous_secret_until",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.RunPython(database_default, migrations.RunPython.noop, elidable=False),
    ]
