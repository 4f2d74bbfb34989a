from django.core.management.base import BaseCommand

from competency import webhooks


class Command(BaseCommand):
    help = (
        "Send the webhook deliveries whose time has come: retries after a failure, and any "
        "whose task was lost. Without a broker (no scheduler), run it from cron every minute; "
        "with one, the scheduler does the same."
    )

    def handle(self, *args, **options):
        sent = webhooks.send_due()
        self.stdout.write(f"{sent} webhook deliveries tried.")
