import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from competency.tables import MAX_FILE, FileImportError
from profiles.importing.framework_import import FORMATS, import_framework


class Command(BaseCommand):
    # In the profiles app because the DDaT role table also makes role profiles.
    help = (
        "Import a whole framework in one transaction: the DDaT role table "
        "(--format ddat-roles: its skills, job families and one draft profile per role "
        "level), an organisation's own skills table in CSV or XLSX (--format skills), "
        "or a framework/1 JSON export (--format json). Prints what was added, changed, "
        "left unchanged and is not in the new file. Bad input writes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", metavar="PATH")
        parser.add_argument(
            "--format",
            choices=FORMATS,
            help="The file's layout (default: json for .json, skills for .xlsx).",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Say what the import would do, and write nothing.",
        )

    def handle(self, *args, path, format=None, dry_run=False, **options):
        try:
            # One byte more than a framework file may hold is enough to
            # refuse a larger one, without reading all of it.
            with Path(path).open("rb") as file:
                data = file.read(MAX_FILE + 1)
        except OSError as exc:
            raise CommandError(f"{path}: cannot read the file: {exc.strerror}") from exc

        def progress(iterable, label):
            # A bar on a terminal; nothing when the output is piped or logged.
            items = list(iterable)
            return tqdm(
                items, desc=label, unit=" " + label, file=sys.stderr, disable=None, leave=False
            )

        try:
            result = import_framework(data, path, format=format, preview=dry_run, progress=progress)
        except FileImportError as exc:
            raise CommandError(f"{exc}\nNothing was imported.") from exc
        self.stdout.write("\n".join(result.lines))
