"""A skill's level description must be at a level of the skill's own framework's scale.

The SQL is frozen here: later changes to the rules get migrations of their own."""

from django.db import migrations

POSTGRESQL = (
    [
        "\n"
        "CREATE FUNCTION competency_skilllevel_level_in_framework() RETURNS trigger AS $$\n"
        "BEGIN\n"
        "    IF NOT EXISTS (\n"
        "SELECT 1 FROM competency_level l\n"
        "JOIN competency_category c ON c.framework_id = l.framework_id\n"
        "JOIN competency_skill s ON s.category_id = c.id\n"
        "WHERE l.id = NEW.level_id AND s.id = NEW.skill_id\n"
        ") THEN\n"
        "        RAISE EXCEPTION 'competency_skilllevel: level is not on the scale of the skill''s "
        "framework' USING ERRCODE = 'check_violation';\n"
        "    END IF;\n"
        "    RETURN NEW;\n"
        "END\n"
        "$$ LANGUAGE plpgsql;\n"
        "CREATE TRIGGER competency_skilllevel_level_in_framework BEFORE INSERT OR UPDATE OF "
        "skill_id, level_id ON competency_skilllevel\n"
        "    FOR EACH ROW EXECUTE FUNCTION competency_skilllevel_level_in_framework();\n"
    ],
    [
        "DROP TRIGGER IF EXISTS competency_skilllevel_level_in_framework ON competency_skilllevel; "
        "DROP FUNCTION IF EXISTS competency_skilllevel_level_in_framework();"
    ],
)

SQLITE = (
    [
        "CREATE TRIGGER competency_skilllevel_level_in_framework_insert BEFORE INSERT ON "
        "competency_skilllevel WHEN NOT EXISTS (\n"
        "SELECT 1 FROM competency_level l\n"
        "JOIN competency_category c ON c.framework_id = l.framework_id\n"
        "JOIN competency_skill s ON s.category_id = c.id\n"
        "WHERE l.id = NEW.level_id AND s.id = NEW.skill_id\n"
        ") BEGIN SELECT RAISE(ABORT, 'competency_skilllevel: level is not on the scale of the "
        "skill''s framework'); END;",
        "CREATE TRIGGER competency_skilllevel_level_in_framework_update BEFORE UPDATE OF skill_id, "
        "level_id ON competency_skilllevel WHEN NOT EXISTS (\n"
        "SELECT 1 FROM competency_level l\n"
        "JOIN competency_category c ON c.framework_id = l.framework_id\n"
        "JOIN competency_skill s ON s.category_id = c.id\n"
        "WHERE l.id = NEW.level_id AND s.id = NEW.skill_id\n"
        ") BEGIN SELECT RAISE(ABORT, 'competency_skilllevel: level is not on the scale of the "
        "skill''s framework'); END;",
    ],
    [
        "DROP TRIGGER IF EXISTS competency_skilllevel_level_in_framework_insert;",
        "DROP TRIGGER IF EXISTS competency_skilllevel_level_in_framework_update;",
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
    dependencies = [("competency", "0001_catalogue")]

    operations = [
        migrations.RunPython(run(STATEMENTS, 0), run(STATEMENTS, 1), elidable=False),
    ]
