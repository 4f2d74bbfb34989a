from django.core.management.base import BaseCommand

from competency import mail


class Command(BaseCommand):
    help = (
        "Send the outbox's mail that is due (competency/mail.py), as the worker's task "
        "does: for cron where no Celery worker and beat run. Safe to run twice at once."
    )

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=5000, help="At most this many mails.")

    def handle(self, *args, limit, **options):
        done = mail.deliver(limit=limit)
        self.stdout.write(
            f"{done.sent} sent, {done.refused} refused, {done.postponed} to try again later, "
            f"{done.failed} given up."
        )
