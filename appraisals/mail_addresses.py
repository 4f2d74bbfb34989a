"""Addresses the mail server refused for good (competency.mail's
address_refused), recorded against the person whose email it is: HR see it
on the person's page, and notices.py stops mailing it until the email is
changed (Person.email_refused_now)."""

from django.db.models.functions import Lower
from django.utils import timezone

from appraisals.models import Person


def on_address_refused(sender, address, reason, **kwargs):
    Person.objects.annotate(lower_email=Lower("email")).filter(lower_email=address.lower()).update(
        email_refused=address, email_refused_at=timezone.now(), email_refused_reason=reason[:300]
    )
