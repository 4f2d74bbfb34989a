"""A skill and a category stay in their framework: levels and requirements depend on its scale.

The SQL is frozen here: later changes to the rules get migrations of their own."""

from django.db import migrations

POSTGRESQL = (
    [
        "CREATE FUNCTION competency_skill_framework_fixed() RETURNS trigger AS $$ BEGIN IF \n"
        "(SELECT framework_id FROM competency_category WHERE id = OLD.category_id)\n"
        "<> (SELECT framework_id FROM competency_category WHERE id = NEW.category_id)\n"
        " THEN RAISE EXCEPTION 'a skill or category cannot move to another framework' USING ERRCODE "
        "= 'check_violation'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql;",
        "CREATE TRIGGER competency_skill_framework_fixed BEFORE UPDATE OF category_id ON "
        "competency_skill FOR EACH ROW EXECUTE FUNCTION competency_skill_framework_fixed();",
        "CREATE FUNCTION competency_category_framework_fixed() RETURNS trigger AS $$ BEGIN IF "
        "OLD.framework_id <> NEW.framework_id THEN RAISE EXCEPTION 'a skill or category cannot move "
        "to another framework' USING ERRCODE = 'check_violation'; END IF; RETURN NEW; END $$ "
        "LANGUAGE plpgsql;",
        "CREATE TRIGGER competency_category_framework_fixed BEFORE UPDATE OF framework_id ON "
        "competency_category FOR EACH ROW EXECUTE FUNCTION competency_category_framework_fixed();",
    ],
    [
        "DROP TRIGGER IF EXISTS competency_skill_framework_fixed ON competency_skill;",
        "DROP TRIGGER IF EXISTS competency_category_framework_fixed ON competency_category;",
        "DROP FUNCTION IF EXISTS competency_skill_framework_fixed();",
        "DROP FUNCTION IF EXISTS competency_category_framework_fixed();",
    ],
)

SQLITE = (
    [
        "CREATE TRIGGER competency_skill_framework_fixed BEFORE UPDATE OF category_id ON "
        "competency_skill WHEN \n"
        "(SELECT framework_id FROM competency_category WHERE id = OLD.category_id)\n"
        "<> (SELECT framework_id FROM competency_category WHERE id = NEW.category_id)\n"
        " BEGIN SELECT RAISE(ABORT, 'a skill or category cannot move to another framework'); END;",
        "CREATE TRIGGER competency_category_framework_fixed BEFORE UPDATE OF framework_id ON "
        "competency_category WHEN OLD.framework_id <> NEW.framework_id BEGIN SELECT RAISE(ABORT, 'a "
        "skill or category cannot move to another framework'); END;",
    ],
    [
        "DROP TRIGGER IF EXISTS competency_skill_framework_fixed;",
        "DROP TRIGGER IF EXISTS competency_category_framework_fixed;",
    ],
)


def run(statements_of, index):
    """RunPython code running this vendor's frozen statements: triggers say
    what Django's constraints cannot, and each database spells them its own way."""

    def migrate(apps, schema_editor):
        statements = statements_of.get(schema_editor.connection.vendor)
        for statement in statements[index] if statements else ():
            schema_editor.execute(statement)

    return migrate


STATEMENTS = {"postgresql": POSTGRESQL, "sqlite": SQLITE}


class Migration(migrations.Migration):
    dependencies = [("competency", "0002_skilllevel_level_in_framework")]

    operations = [
        migrations.RunPython(run(STATEMENTS, 0), run(STATEMENTS, 1), elidable=False),
    ]
