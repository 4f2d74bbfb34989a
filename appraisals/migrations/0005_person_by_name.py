from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("appraisals", "0004_review_shared"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="person",
            index=models.Index(fields=["name", "id"], name="person_by_name"),
        ),
    ]
