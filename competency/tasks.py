"""The competency app's Celery tasks, found here by Celery's autodiscovery:
sending the outbox (competency/mail.py) and webhooks' deliveries
(competency/webhooks.py): one task per delivery, sent after the change
commits; a failed attempt sends the same task again after its backoff. The
scheduler's sweep sends any delivery whose task was lost (a broker restart)
once its time has come."""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from competency import webhooks
from competency.mail import deliver_mail

__all__ = ["deliver_mail", "deliver_webhook", "send_due_webhooks"]


@shared_task(
    name=webhooks.DELIVER,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=True,
    max_retries=5,
    acks_late=True,
)
def deliver_webhook(delivery_id):
    """One attempt; after a failure, the next one after its backoff."""
    delay = webhooks.deliver(delivery_id)
    if delay is not None:
        deliver_webhook.apply_async((delivery_id,), countdown=delay)


@shared_task(name=webhooks.SEND_DUE, acks_late=True)
def send_due_webhooks():
    """The deliveries due and not being sent (the scheduler's sweep)."""
    return webhooks.send_due()
