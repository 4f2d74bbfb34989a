"""Requirements lose three indexes that others cover (the unique
(appraisal, position) one, and the covering indexes that lead with the skill
and the knowledge item): each index costs time on every one of the ~400,000
rows that opening a cycle for 10,000 people writes."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("appraisals", "0007_anonymised_people"),
        ("competency", "0006_training_develops"),
    ]

    operations = [
        migrations.AlterField(
            model_name="requirement",
            name="appraisal",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="requirements",
                to="appraisals.appraisal",
            ),
        ),
        migrations.AlterField(
            model_name="requirement",
            name="knowledge_item",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="competency.knowledgeitem",
            ),
        ),
        migrations.AlterField(
            model_name="requirement",
            name="skill",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="competency.skill",
            ),
        ),
    ]
