"""EMAIL_URL for settings.py: one variable for the SMTP server, read
without Django (settings are not configured yet when it runs).

    smtp://user:password@host:25        plain SMTP
    smtp+tls://user:password@host:587   STARTTLS
    smtps://user:password@host:465      SMTP over TLS
    console://                          print mails (as `make run` does)

User and password may be percent-encoded (an @ in a user name: %40)."""

from urllib.parse import unquote, urlsplit

SMTP = "django.core.mail.backends.smtp.EmailBackend"
CONSOLE = "django.core.mail.backends.console.EmailBackend"
DEFAULT_PORTS = {"smtp": 25, "smtp+tls": 587, "smtps": 465, "smtp+ssl": 465}


def parse(url):
    """The Django EMAIL_* settings that `url` says, as a dict."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "console":
        return {"EMAIL_BACKEND": CONSOLE}
    if scheme not in DEFAULT_PORTS:
        raise ValueError(
            f"EMAIL_URL's scheme {scheme!r} is not one of smtp, smtp+tls, smtps or console."
        )
    if not parts.hostname:
        raise ValueError("EMAIL_URL names no host: smtp://user:password@host:port")
    return {
        "EMAIL_BACKEND": SMTP,
        "EMAIL_HOST": parts.hostname,
        "EMAIL_PORT": parts.port or DEFAULT_PORTS[scheme],
        "EMAIL_HOST_USER": unquote(parts.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
        "EMAIL_USE_TLS": scheme == "smtp+tls",
        "EMAIL_USE_SSL": scheme in ("smtps", "smtp+ssl"),
    }
