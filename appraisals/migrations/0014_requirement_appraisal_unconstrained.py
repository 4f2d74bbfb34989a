"""A requirement's appraisal without a foreign key constraint in the
database: its check ran once a row, ~1.5 s of PostgreSQL's CPU when a cycle
opens for 10,000 people (appraisals.models.Requirement says why it is not
needed). Dropping a constraint is a catalogue change only, quick under its
brief lock; the release before writes requirements the same way.

And, on PostgreSQL, how many appraisals the requirements belong to: one for
every 40 rows, as a fraction, so that it grows with the table. ANALYZE's
sample of 30,000 rows saw 34,000 appraisals among 12,000,000 rows at
100,000 people (there are 300,000), so PostgreSQL expected 350 rows an
appraisal, and read the 50 appraisals of a manager's heatmap by hashing
every appraisal (470 ms) rather than by their ids (19 ms). Setting it takes
a lock that blocks neither reads nor writes; ANALYZE reads a sample."""

import django.db.models.deletion
from django.db import migrations, models

# Rows per appraisal as PostgreSQL is told (40 requirements a profile is usual).
DISTINCT_APPRAISALS = -0.025


def set_distinct(apps, schema_editor, value=DISTINCT_APPRAISALS):
    if schema_editor.connection.vendor != "postgresql":
        return
    table = schema_editor.quote_name("appraisals_requirement")
    schema_editor.execute(
        f"ALTER TABLE {table} ALTER COLUMN {schema_editor.quote_name('appraisal_id')} "
        f"SET (n_distinct = {value})"
    )
    schema_editor.execute(f"ANALYZE {table}")


def unset_distinct(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    table = schema_editor.quote_name("appraisals_requirement")
    schema_editor.execute(
        f"ALTER TABLE {table} ALTER COLUMN {schema_editor.quote_name('appraisal_id')} "
        "RESET (n_distinct)"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("appraisals", "0013_cycle_open_speed"),
    ]

    operations = [
        migrations.AlterField(
            model_name="requirement",
            name="appraisal",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="requirements",
                to="appraisals.appraisal",
            ),
        ),
        migrations.RunPython(set_distinct, unset_distinct, elidable=False),
    ]
