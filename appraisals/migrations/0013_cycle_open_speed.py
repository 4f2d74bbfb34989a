"""A requirement's catalogue items indexed only where set (one entry a row,
not three), replacing the covering indexes that finding people by rating
no longer reads (it reads LatestRating), and without foreign key
constraints in the database (appraisals.models.Requirement says why). On PostgreSQL the indexes are
built and dropped CONCURRENTLY, so the release before keeps writing
requirements while this runs (README, "Upgrades without downtime")."""

from django.contrib.postgres.operations import AddIndexConcurrently, RemoveIndexConcurrently
from django.db import migrations, models


class AddIndexWithoutLock(AddIndexConcurrently):
    """CREATE INDEX CONCURRENTLY on PostgreSQL; a plain one elsewhere."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            return super().database_forwards(app_label, schema_editor, from_state, to_state)
        return migrations.AddIndex.database_forwards(
            self, app_label, schema_editor, from_state, to_state
        )

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            return super().database_backwards(app_label, schema_editor, from_state, to_state)
        return migrations.AddIndex.database_backwards(
            self, app_label, schema_editor, from_state, to_state
        )


class RemoveIndexWithoutLock(RemoveIndexConcurrently):
    """DROP INDEX CONCURRENTLY on PostgreSQL; a plain one elsewhere."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            return super().database_forwards(app_label, schema_editor, from_state, to_state)
        return migrations.RemoveIndex.database_forwards(
            self, app_label, schema_editor, from_state, to_state
        )

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            return super().database_backwards(app_label, schema_editor, from_state, to_state)
        return migrations.RemoveIndex.database_backwards(
            self, app_label, schema_editor, from_state, to_state
        )


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("appraisals", "0012_updated_since"),
        ("competency", "0005_knowledge_types_as_published"),
    ]

    operations = [
        AddIndexWithoutLock(
            model_name="requirement",
            index=models.Index(
                condition=models.Q(("skill__isnull", False)),
                fields=["skill"],
                name="requirement_skill",
            ),
        ),
        AddIndexWithoutLock(
            model_name="requirement",
            index=models.Index(
                condition=models.Q(("knowledge_item__isnull", False)),
                fields=["knowledge_item"],
                name="requirement_knowledge_item",
            ),
        ),
        AddIndexWithoutLock(
            model_name="requirement",
            index=models.Index(
                condition=models.Q(("work_activity__isnull", False)),
                fields=["work_activity"],
                name="requirement_work_activity",
            ),
        ),
        RemoveIndexWithoutLock(model_name="requirement", name="requirement_knowledge_rated"),
        RemoveIndexWithoutLock(model_name="requirement", name="requirement_skill_rated"),
        migrations.AlterField(
            model_name="requirement",
            name="work_activity",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                db_index=False,
                null=True,
                on_delete=models.deletion.PROTECT,
                related_name="+",
                to="competency.workactivity",
            ),
        ),
        migrations.AlterField(
            model_name="requirement",
            name="skill",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                db_index=False,
                null=True,
                on_delete=models.deletion.PROTECT,
                related_name="+",
                to="competency.skill",
            ),
        ),
        migrations.AlterField(
            model_name="requirement",
            name="knowledge_item",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                db_index=False,
                null=True,
                on_delete=models.deletion.PROTECT,
                related_name="+",
                to="competency.knowledgeitem",
            ),
        ),
    ]
