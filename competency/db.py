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
