"""Migrations are history: what each one does must not change when the
application's code changes later, so none of them imports it."""

import ast

import pytest

from tests.conftest import ROOT

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
