"""When the database refuses an import's write (IntegrityError): a race with
another import, or something wrong with the file itself.

An import checks its file and looks up what exists before it writes, so a
refusal is one of two things:

- a race: another import committed the same unique key (a slug, a
  catalogue item's text) after this one looked. Run again, the import finds
  that row and uses it: `once_more()` does so, once, after the first
  attempt's transaction is rolled back.
- the input: a rule the import did not check in Python (a CHECK or NOT NULL
  constraint, or two rows of the file that the database counts as the same
  key). A retry fails the same way, so "try again" would never help: the
  person is told what the database refused (`described()`).

A CHECK, NOT NULL or foreign-key refusal is never a race; a unique clash is
one only if it does not happen again.
"""

import re

from django.apps import apps

# SQLSTATE classes (PostgreSQL) and the start of SQLite's messages.
UNIQUE, NOT_NULL, CHECK, FOREIGN_KEY = "unique", "not null", "check", "foreign key"
_PG_CODES = {"23505": UNIQUE, "23502": NOT_NULL, "23514": CHECK, "23503": FOREIGN_KEY}
_SQLITE = {
    "UNIQUE constraint failed": UNIQUE,
    "NOT NULL constraint failed": NOT_NULL,
    "CHECK constraint failed": CHECK,
    "FOREIGN KEY constraint failed": FOREIGN_KEY,
}


def kind(error):
    """UNIQUE, NOT_NULL, CHECK, FOREIGN_KEY or None, for an IntegrityError."""
    cause = error.__cause__
    code = getattr(cause, "pgcode", None)
    if code is not None:
        return _PG_CODES.get(code)
    text = str(error)
    return next((name for start, name in _SQLITE.items() if text.startswith(start)), None)


def _table_names():
    return {model._meta.db_table: model for model in apps.get_models()}


def described(error):
    """What the database refused, in words a person can act on: the rule,
    the kind of record and, where the database says them, the fields and
    values (PostgreSQL's detail; SQLite names the table and columns)."""
    cause = error.__cause__
    diag = getattr(cause, "diag", None)
    tables = _table_names()
    if diag is not None:
        model = tables.get(diag.table_name or "")
        what = model._meta.verbose_name if model else (diag.table_name or "a record")
        rule = diag.constraint_name or diag.column_name or ""
        detail = (diag.message_detail or "").strip()
        if kind(error) == UNIQUE:
            match = re.match(r"Key \((.*)\)=\((.*)\) already exists", detail)
            if match:
                return f"two {what} records would have the same {match[1]} ({match[2]})"
        if kind(error) == NOT_NULL and diag.column_name:
            return f"a {what} record would have no {diag.column_name}"
        return f"a {what} record breaks the database's rule {rule}".strip()
    text = str(error)
    found = kind(error)
    rest = text.split(":", 1)[1].strip() if ":" in text else ""
    if rest.startswith("index "):  # an index on expressions: SQLite names only it
        return f"two records would have the same key of the database's index {rest[6:]}"
    columns = [part.strip() for part in rest.split(",") if part.strip()]
    table = columns[0].split(".")[0] if columns and "." in columns[0] else ""
    model = tables.get(table)
    what = model._meta.verbose_name if model else (table or "a record")
    names = ", ".join(column.split(".", 1)[-1] for column in columns)
    if found == UNIQUE:
        return f"two {what} records would have the same {names}"
    if found == NOT_NULL:
        return f"a {what} record would have no {names}"
    return f"a record breaks the database's rule {rest or text}"


class Clash(Exception):
    """A unique key clashed during an import's write: perhaps a race, which
    `once_more()` tells from the file's own doing. `refusal` is what to
    raise if it is the file's."""

    def __init__(self, error, refusal):
        super().__init__(str(error))
        self.error, self.refusal = error, refusal


def once_more(attempt):
    """Run `attempt()` (an import writing in its own transaction); if a
    unique key clashed (it raised Clash), run it once more, its first
    transaction being rolled back: a row another import committed meanwhile
    is found and used. If it clashes again, the file is at fault: its
    refusal is raised, never "try again"."""
    try:
        return attempt()
    except Clash:
        pass
    try:
        return attempt()
    except Clash as again:
        raise again.refusal from again.error
