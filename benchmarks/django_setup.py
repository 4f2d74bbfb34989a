"""Set up Django on a scratch database for a benchmark script: SQLite in a
temporary folder unless DATABASE_URL says otherwise, migrated (unless the
caller restored a database that already is)."""

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup(*, migrate=True):
    sys.path.insert(0, str(ROOT))
    folder = tempfile.mkdtemp(prefix="competency-bench-")
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{folder}/bench.sqlite3")
    os.environ.setdefault("SECRET_KEY", "benchmark-only")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "competency.settings")

    import django
    from django.core.management import call_command

    django.setup()
    if migrate:
        call_command("migrate", verbosity=0)
    return Path(folder)
