"""A real SMTP server for the tests: aiosmtpd on 127.0.0.1, on a free
port, keeping what arrived. Addresses at `refused.example` are refused for
good (550), as a mail server refuses an unknown user.

    def test_something(smtp):        # the server, running; settings point at it
        ...
        assert smtp.messages[0]["To"] == "ada@example.com"

`smtp.stop()` and `smtp.start()` take it down and up again on the same port."""

import email
import email.policy
import socket
import threading

import pytest
from aiosmtpd.controller import Controller

REFUSED_DOMAIN = "refused.example"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Handler:
    def __init__(self, server):
        self.server = server

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower().endswith("@" + REFUSED_DOMAIN):
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.server.lock:
            self.server.messages.append(message)
            self.server.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 Message accepted for delivery"


class SMTPServer:
    def __init__(self):
        self.port = free_port()
        self.messages = []
        self.envelopes = []
        self.lock = threading.Lock()
        self.controller = None

    def start(self):
        self.controller = Controller(Handler(self), hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def to(self, address):
        """The messages that arrived for `address`."""
        return [message for message in self.messages if message["To"] == address]

    @staticmethod
    def text(message):
        return message.get_body(preferencelist=("plain",)).get_content()

    @staticmethod
    def html(message):
        part = message.get_body(preferencelist=("html",))
        return part.get_content() if part is not None else None


def email_settings(settings, port):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    settings.SITE_URL = "http://testserver"


@pytest.fixture
def smtp(settings):
    """A running SMTP server that Django's mail goes to."""
    server = SMTPServer()
    server.start()
    email_settings(settings, server.port)
    yield server
    server.stop()


@pytest.fixture
def smtp_down(settings):
    """The SMTP server's address, with nothing listening yet: start() it."""
    server = SMTPServer()
    email_settings(settings, server.port)
    yield server
    server.stop()


@pytest.fixture
def commits(django_capture_on_commit_callbacks):
    """`with commits(): ...` runs what the block queued for the commit when
    it ends, as the commit of a move would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)
