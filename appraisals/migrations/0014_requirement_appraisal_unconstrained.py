"""A requirement's appraisal without a foreign key constraint in the
database: its check ran once a row, ~1.5 s of PostgreSQL's CPU when a cycle
opens for 10,000 people (appraisals.models.Requirement says why it is not
needed). Dropping a constraint is a catalogue change only, quick under its
brief lock; the release before writes requirements the same way."""

import django.db.models.deletion
from django.db import migrations, models


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
    ]
