from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("appraisals", "0003_requirement_rating_indexes"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="person",
            index=models.Index(fields=["name", "id"], name="person_by_name"),
        ),
    ]
