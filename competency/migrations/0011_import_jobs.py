from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("competency", "0010_updated_since"),
    ]

    operations = [
        migrations.AlterField(
            model_name="backgroundjob",
            name="kind",
            field=models.CharField(
                choices=[
                    ("open_cycle", "Opening a cycle"),
                    ("import_profile", "Importing a role profile"),
                    ("import_framework", "Importing a framework"),
                    ("import_people", "Importing people"),
                ],
                max_length=40,
            ),
        ),
    ]
