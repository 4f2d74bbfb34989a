"""A published version is never updated (deletes are left to PROTECT and to the code).

The SQL is frozen here: later changes to the rules get migrations of their own."""

from django.db import migrations

POSTGRESQL = (
    [
        "CREATE FUNCTION profiles_profileversion_frozen() RETURNS trigger AS $$ BEGIN RAISE "
        "EXCEPTION 'a published version never changes' USING ERRCODE = "
        "'integrity_constraint_violation'; END $$ LANGUAGE plpgsql;",
        "CREATE TRIGGER profiles_profileversion_frozen BEFORE UPDATE ON profiles_profileversion FOR "
        "EACH ROW EXECUTE FUNCTION profiles_profileversion_frozen();",
    ],
    [
        "DROP TRIGGER IF EXISTS profiles_profileversion_frozen ON profiles_profileversion;",
        "DROP FUNCTION IF EXISTS profiles_profileversion_frozen();",
    ],
)

SQLITE = (
    [
        "CREATE TRIGGER profiles_profileversion_frozen BEFORE UPDATE ON profiles_profileversion "
        "BEGIN SELECT RAISE(ABORT, 'a published version never changes'); END;"
    ],
    ["DROP TRIGGER IF EXISTS profiles_profileversion_frozen;"],
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
    dependencies = [("profiles", "0002_profileskill_level_in_framework")]

    operations = [
        migrations.RunPython(run(STATEMENTS, 0), run(STATEMENTS, 1), elidable=False),
    ]
