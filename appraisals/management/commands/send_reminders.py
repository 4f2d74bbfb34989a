from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from appraisals import reminders
from competency import jobs


class Command(BaseCommand):
    help = (
        "Send today's appraisal reminders: to whoever an open appraisal waits for, on the "
        "cycle's reminder days before its closing date and while it is overdue, escalating "
        "to the manager's manager and then HR (appraisals/reminders.py). Everything due to "
        "one mailbox goes in one mail, at most one a day: safe to run twice, even at once "
        "(the Celery beat schedule runs the same thing where there is a worker). "
        "Mail goes through the outbox; without a Celery worker the command sends it "
        "before it ends. --dry-run lists who would get what, and sends nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--date", dest="day", help="Run as on this day (YYYY-MM-DD); default today."
        )
        parser.add_argument("--dry-run", action="store_true", help="List, and send nothing.")

    def handle(self, *args, day=None, dry_run=False, **options):
        today = self._day(day)
        if dry_run:
            planned = reminders.plan(today)
            reminded = reminders.already_reminded(planned.digests, today)
            for digest in planned.digests.values():
                note = " (reminded today already)" if digest.address in reminded else ""
                self.stdout.write(f"{digest.address}: {len(digest.items)} item(s){note}")
            self.stdout.write(f"{len(planned.digests)} reminder(s) due; none sent (dry run).")
            return
        queued = reminders.send_scheduled(today)
        self.stdout.write(f"Queued {queued} reminder(s) for {today:%Y-%m-%d}.")
        if not jobs.in_background():
            # No worker sends the outbox here: send it before cron's run ends.
            sent = reminders.deliver_all()
            self.stdout.write(f"Sent {sent} mail(s) from the outbox.")

    def _day(self, text):
        if not text:
            return timezone.localdate()
        try:
            return date.fromisoformat(text)
        except ValueError:
            raise CommandError(f"--date {text!r} is not a date such as 2026-03-31") from None
