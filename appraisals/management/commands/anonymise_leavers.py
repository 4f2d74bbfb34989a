from django.conf import settings
from django.core.management.base import BaseCommand

from appraisals import privacy


class Command(BaseCommand):
    help = (
        "Anonymise every leaver whose leaving date is RETENTION_YEARS (setting, default 6) "
        "years ago or more: their name, employee id and email become a placeholder "
        "('Former employee <id>') here and in the audit trail, what they wrote in their own "
        "appraisals is removed (ratings, stages and dates stay), their name is taken out of "
        "what others wrote, and their account is closed for good. Each person is one "
        "transaction; someone another run is anonymising at the same moment is skipped "
        "(their row is locked), and anyone already anonymised is left alone, so running it "
        "again is harmless. --dry-run lists who would be anonymised and writes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="List who would be anonymised, and write nothing.",
        )

    def handle(self, *args, dry_run=False, **options):
        cutoff = privacy.retention_cutoff()
        due = privacy.due().order_by("leaving_date", "pk")
        if dry_run:
            people = list(due.only("pk", "name", "employee_id", "leaving_date"))
            for person in people:
                self.stdout.write(
                    f"Would anonymise {person.name} ({person.employee_id}), "
                    f"left {person.leaving_date:%Y-%m-%d}"
                )
            self.stdout.write(
                f"{len(people)} leaver(s) left on or before {cutoff:%Y-%m-%d} "
                f"({settings.RETENTION_YEARS} years ago); nothing written (dry run)."
            )
            return
        done = skipped = 0
        for pk in list(due.values_list("pk", flat=True)):
            try:
                if privacy.anonymise(person_id=pk):
                    done += 1
                    self.stdout.write(f"Anonymised {privacy.placeholder(pk)}")
            except privacy.Busy:
                skipped += 1
                self.stdout.write(f"Skipped person {pk}: another run is anonymising them")
            except privacy.NotDue:
                # Their leaving date changed since the list was read.
                skipped += 1
        self.stdout.write(
            f"Anonymised {done} leaver(s) who left on or before {cutoff:%Y-%m-%d}"
            + (f"; skipped {skipped}" if skipped else "")
            + "."
        )
