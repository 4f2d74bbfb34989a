"""Database rules that cross tables, which Django's constraints cannot say.

A skill's level must be a step of that skill's own framework's scale. Both
the catalogue (SkillLevel) and the profiles (ProfileSkill) store a skill and a
level side by side, so a trigger checks every insert and update on either
table, on PostgreSQL and on SQLite alike.
"""

_CHECK = """
SELECT 1 FROM competency_level l
JOIN competency_category c ON c.framework_id = l.framework_id
JOIN competency_skill s ON s.category_id = c.id
WHERE l.id = NEW.level_id AND s.id = NEW.skill_id
"""

MESSAGE = "level is not on the scale of the skill's framework"


def _postgres_sql(table):
    function = f"{table}_level_in_framework"
    create = f"""
CREATE FUNCTION {function}() RETURNS trigger AS $$
BEGIN
    IF NOT EXISTS ({_CHECK}) THEN
        RAISE EXCEPTION '{table}: {MESSAGE.replace("'", "''")}' USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER {function} BEFORE INSERT OR UPDATE OF skill_id, level_id ON {table}
    FOR EACH ROW EXECUTE FUNCTION {function}();
"""
    drop = f"DROP TRIGGER IF EXISTS {function} ON {table}; DROP FUNCTION IF EXISTS {function}();"
    return create, drop


def _sqlite_sql(table):
    statements = []
    for event, name in (("INSERT", "insert"), ("UPDATE OF skill_id, level_id", "update")):
        statements.append(
            f"CREATE TRIGGER {table}_level_in_framework_{name} BEFORE {event} ON {table} "
            f"WHEN NOT EXISTS ({_CHECK}) "
            f"BEGIN SELECT RAISE(ABORT, '{table}: {MESSAGE.replace(chr(39), chr(39) * 2)}'); END;"
        )
    drop = [
        f"DROP TRIGGER IF EXISTS {table}_level_in_framework_{name};"
        for name in ("insert", "update")
    ]
    return statements, drop


def level_in_framework_trigger(table):
    """Return (forwards, backwards) functions for a RunPython migration."""

    def forwards(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        if vendor == "postgresql":
            schema_editor.execute(_postgres_sql(table)[0])
        elif vendor == "sqlite":
            for statement in _sqlite_sql(table)[0]:
                schema_editor.execute(statement)

    def backwards(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        if vendor == "postgresql":
            schema_editor.execute(_postgres_sql(table)[1])
        elif vendor == "sqlite":
            for statement in _sqlite_sql(table)[1]:
                schema_editor.execute(statement)

    return forwards, backwards


def vendor_sql(*, postgresql, sqlite):
    """RunPython functions running each vendor's (forwards, backwards) SQL
    statements; for rules only a trigger can say."""

    def run(index):
        def migrate(apps, schema_editor):
            statements = {"postgresql": postgresql, "sqlite": sqlite}.get(
                schema_editor.connection.vendor
            )
            for statement in statements[index] if statements else ():
                schema_editor.execute(statement)

        return migrate

    return run(0), run(1)


def frozen_table_trigger(table, message):
    """Refuse every UPDATE of a table's rows (deletes are left to PROTECT and
    to the code: test databases are emptied with DELETE on SQLite)."""
    pg_function = f"{table}_frozen"
    return vendor_sql(
        postgresql=(
            [
                f"CREATE FUNCTION {pg_function}() RETURNS trigger AS $$ BEGIN "
                f"RAISE EXCEPTION '{message}' USING ERRCODE = 'integrity_constraint_violation'; "
                "END $$ LANGUAGE plpgsql;",
                f"CREATE TRIGGER {pg_function} BEFORE UPDATE ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION {pg_function}();",
            ],
            [
                f"DROP TRIGGER IF EXISTS {pg_function} ON {table};",
                f"DROP FUNCTION IF EXISTS {pg_function}();",
            ],
        ),
        sqlite=(
            [
                f"CREATE TRIGGER {pg_function} BEFORE UPDATE ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{message}'); END;"
            ],
            [f"DROP TRIGGER IF EXISTS {pg_function};"],
        ),
    )


_SKILL_STAYS = """
(SELECT framework_id FROM competency_category WHERE id = OLD.category_id)
<> (SELECT framework_id FROM competency_category WHERE id = NEW.category_id)
"""
MOVE_MESSAGE = "a skill or category cannot move to another framework"


def frameworks_fixed_triggers():
    """A skill keeps its framework, and so does a category: its levels and
    the profiles' requirements depend on that framework's scale."""
    return vendor_sql(
        postgresql=(
            [
                "CREATE FUNCTION competency_skill_framework_fixed() RETURNS trigger AS $$ "
                "BEGIN IF " + _SKILL_STAYS + " THEN "
                f"RAISE EXCEPTION '{MOVE_MESSAGE}' USING ERRCODE = 'check_violation'; END IF; "
                "RETURN NEW; END $$ LANGUAGE plpgsql;",
                "CREATE TRIGGER competency_skill_framework_fixed BEFORE UPDATE OF category_id "
                "ON competency_skill FOR EACH ROW "
                "EXECUTE FUNCTION competency_skill_framework_fixed();",
                "CREATE FUNCTION competency_category_framework_fixed() RETURNS trigger AS $$ "
                "BEGIN IF OLD.framework_id <> NEW.framework_id THEN "
                f"RAISE EXCEPTION '{MOVE_MESSAGE}' USING ERRCODE = 'check_violation'; END IF; "
                "RETURN NEW; END $$ LANGUAGE plpgsql;",
                "CREATE TRIGGER competency_category_framework_fixed BEFORE UPDATE OF "
                "framework_id ON competency_category FOR EACH ROW "
                "EXECUTE FUNCTION competency_category_framework_fixed();",
            ],
            [
                "DROP TRIGGER IF EXISTS competency_skill_framework_fixed ON competency_skill;",
                "DROP TRIGGER IF EXISTS competency_category_framework_fixed "
                "ON competency_category;",
                "DROP FUNCTION IF EXISTS competency_skill_framework_fixed();",
                "DROP FUNCTION IF EXISTS competency_category_framework_fixed();",
            ],
        ),
        sqlite=(
            [
                "CREATE TRIGGER competency_skill_framework_fixed BEFORE UPDATE OF category_id "
                f"ON competency_skill WHEN {_SKILL_STAYS} "
                f"BEGIN SELECT RAISE(ABORT, '{MOVE_MESSAGE}'); END;",
                "CREATE TRIGGER competency_category_framework_fixed BEFORE UPDATE OF "
                "framework_id ON competency_category WHEN OLD.framework_id <> NEW.framework_id "
                f"BEGIN SELECT RAISE(ABORT, '{MOVE_MESSAGE}'); END;",
            ],
            [
                "DROP TRIGGER IF EXISTS competency_skill_framework_fixed;",
                "DROP TRIGGER IF EXISTS competency_category_framework_fixed;",
            ],
        ),
    )
