import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from appraisals.importing import (
    ChangedSincePreview,
    Mode,
    PeopleImportError,
    apply_import,
    plan_import,
)
from competency.tables import MAX_FILE


class Command(BaseCommand):
    help = (
        "Load the organisation's people from a CSV or XLSX table with the columns: employee "
        "id, name, email, manager's employee id, profile slug, job title, start date, "
        "probation end date (and, optionally, leaving date). New people are created and "
        "people in the file are moved and updated. --mode says what the file is, and must be "
        "given: whole_organisation (everyone: people not in the file are marked as having "
        "left today) or add_and_update (some people: nobody is marked as left, and a line "
        "manager may be someone already here). Nothing is deleted. Any error, and nothing "
        "is written."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", metavar="FILE")
        parser.add_argument(
            "--mode",
            required=True,
            choices=Mode.values,
            help="whole_organisation: the file is everyone, and whoever is not in it leaves "
            "today. add_and_update: the file adds and updates the people in it, and nobody "
            "leaves.",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Say what the import would do, and write nothing.",
        )

    def handle(self, *args, path, mode, dry_run=False, **options):
        try:
            # One byte past the limit is enough to refuse a larger file.
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
            if dry_run:
                plan = plan_import(data, path, mode=mode, progress=progress)
            else:
                plan = apply_import(data, path, mode=mode, progress=progress)
        except (PeopleImportError, ChangedSincePreview) as exc:
            raise CommandError(
                f"{path}:\n" + "\n".join(exc.messages) + "\nNothing was imported."
            ) from exc
        verb = "Would import" if dry_run else "Imported"
        self.stdout.write(f"{verb} {path}: {plan.summary()}.")
        for change in plan.moved[:20]:
            self.stdout.write(f"  moves: {change.person} – {_describe(change)}")
        for person in plan.leavers[:20]:
            self.stdout.write(f"  leaves: {person}")
        if dry_run:
            self.stdout.write("Nothing was written (--dry-run).")


def _describe(change):
    return "; ".join(
        f"{what} {before or '(none)'} → {after or '(none)'}"
        for what, (before, after) in change.changes.items()
    )
