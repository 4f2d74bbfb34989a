"""`make run` is quiet: Django's system checks, the database's own included
(they run before `migrate`), find nothing to warn about, on the embedded
default and on PostgreSQL alike."""

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_the_system_checks_warn_of_nothing(capsys):
    # A warning fails the command (SystemCheckError), naming the check.
    call_command("check", "--database", "default", "--fail-level", "WARNING")
    assert "no issues" in capsys.readouterr().out
