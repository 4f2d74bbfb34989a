"""Where a reminder digest leaves the application: one small class, so that
the reminders do not care how mail is sent.

Django's mail backend (settings EMAIL_*), one connection held open for a
whole run: the console in development, SMTP in production and in the tests
(a local aiosmtpd server)."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection


class Sender:
    """`with Sender() as sender: sender.send_digest(...)`."""

    def __enter__(self):
        self.connection = get_connection()
        self.connection.open()
        return self

    def __exit__(self, *exc):
        self.connection.close()
        return False

    def send_digest(self, digest, subject, text, html):
        mail = EmailMultiAlternatives(
            subject,
            text,
            settings.DEFAULT_FROM_EMAIL,
            [digest.address],
            connection=self.connection,
        )
        mail.attach_alternative(html, "text/html")
        mail.send()
