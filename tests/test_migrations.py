"""Migrations are history: what each one does must not change when the
application's code changes later, so none of them imports it."""

import ast

import pytest

from tests.paths import ROOT

OUR_PACKAGES = {"competency", "profiles", "appraisals", "tests"}
MIGRATIONS = sorted(ROOT.glob("*/migrations/0*.py"))


def imported_packages(path):
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            yield node.module.split(".")[0]
        elif isinstance(node, ast.Import):
            yield from (alias.name.split(".")[0] for alias in node.names)


def test_there_are_migrations_to_check():
    assert len(MIGRATIONS) >= 10


@pytest.mark.parametrize(
    "path", MIGRATIONS, ids=lambda path: f"{path.parent.parent.name}/{path.name}"
)
def test_a_migration_imports_nothing_from_the_application(path):
    assert not OUR_PACKAGES & set(imported_packages(path))


@pytest.mark.django_db
def test_after_every_migration_the_database_still_refuses_to_change_a_published_version():
    """A later migration that rebuilt the versions' table (as SQLite does for
    some column changes) would drop the trigger without a word."""
    from django.db import DatabaseError, connection, transaction

    from profiles.lifecycle import publish_profile
    from tests import factories

    version = publish_profile(profile=factories.RoleProfileFactory())
    for statement in (
        "UPDATE profiles_profileversion SET number = number + 1 WHERE id = %s",
        "UPDATE profiles_profileversion SET change_note = 'rewritten' WHERE id = %s",
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement, [version.pk])
    version.refresh_from_db()
    assert version.number == 1 and version.change_note == ""
