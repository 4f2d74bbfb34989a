"""What the appraisal tests share besides the cast (tests/cast.py): an
appraisal page's address, an appraisal's requirements by kind, and a form's
data as its page shows it."""

from django.urls import reverse


def url(name, appraisal, *args):
    return reverse(f"appraisals:{name}", args=[appraisal.pk, *args])


def rows(appraisal):
    """The appraisal's requirements by kind (one of each in the cast's profile)."""
    return {row.kind: row for row in appraisal.requirements.all()}


def shown_data(form):
    """What a browser sends back for `form` as the page showed it: each
    date as its three boxes (name-day, name-month, name-year)."""
    data = {}
    for name in form.fields:
        value = form[name].value()
        if isinstance(value, list):
            data.update(zip([f"{name}-day", f"{name}-month", f"{name}-year"], value, strict=True))
        else:
            data[name] = "" if value is None else value
    return data


def reminder_mails():
    """The reminders in Django's test mailbox, without the mails of the
    hand-offs the tests' moves queue (appraisals/notices.py)."""
    from django.core import mail

    return [m for m in mail.outbox if m.subject.endswith("waiting for you in appraisals")]
