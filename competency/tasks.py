"""The competency app's Celery tasks, found here by Celery's autodiscovery:
sending the outbox (competency/mail.py)."""

from competency.mail import deliver_mail

__all__ = ["deliver_mail"]
