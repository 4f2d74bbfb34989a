"""The documents' fingerprints stored with each profile's row, so that the
API's list rows carry the ETag a GET of the profile gives
(profiles/fingerprints.py, profiles/api/etags.py)."""

import hashlib
import json

from django.db import migrations, models

COLUMNS = ["working_fingerprint", "published_fingerprint"]


def add_columns(apps, schema_editor):
    """Added in SQL, NOT NULL with a default of '' kept in the database (the
    previous release inserts rows without them while this one rolls out):
    Django's SQLite backend would rebuild the table to add a NOT NULL
    column, which drops the triggers on it (the search vectors). '' is
    "not known": the working copy's is built by the next read."""
    quote = schema_editor.quote_name
    table = apps.get_model("profiles", "roleprofile")._meta.db_table
    for column in COLUMNS:
        schema_editor.execute(
            f"ALTER TABLE {quote(table)} ADD COLUMN {quote(column)} varchar(16) NOT NULL DEFAULT ''"
        )


def drop_columns(apps, schema_editor):
    quote = schema_editor.quote_name
    table = apps.get_model("profiles", "roleprofile")._meta.db_table
    for column in COLUMNS:
        schema_editor.execute(f"ALTER TABLE {quote(table)} DROP COLUMN {quote(column)}")


def fingerprint(document):
    # documents.document_fingerprint, written out (a migration imports
    # nothing from the code).
    return hashlib.sha256(json.dumps(document, sort_keys=True).encode()).hexdigest()[:16]


def published_fingerprints(apps, schema_editor):
    """The version in force's fingerprint, for each profile that has one
    (versions are frozen: what is stored now stays true)."""
    RoleProfile = apps.get_model("profiles", "roleprofile")
    ProfileVersion = apps.get_model("profiles", "profileversion")
    in_force = RoleProfile.objects.filter(published_version__isnull=False).values_list(
        "pk", "published_version"
    )
    pairs = list(in_force)
    for start in range(0, len(pairs), 500):
        chunk = dict(pairs[start : start + 500])
        documents = dict(
            ProfileVersion.objects.filter(pk__in=chunk.values()).values_list("pk", "document")
        )
        for profile, version in chunk.items():
            RoleProfile.objects.filter(pk=profile).update(
                published_fingerprint=fingerprint(documents[version])
            )


class Migration(migrations.Migration):
    dependencies = [
        ("profiles", "0020_updated_since"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddField(
                    model_name="roleprofile",
                    name=column,
                    field=models.CharField(blank=True, editable=False, max_length=16),
                )
                for column in COLUMNS
            ],
            database_operations=[migrations.RunPython(add_columns, drop_columns)],
        ),
        migrations.RunPython(published_fingerprints, migrations.RunPython.noop),
    ]
