"""EMAIL_URL read into Django's EMAIL_* settings (competency/email_url.py)."""

import pytest

from competency.email_url import CONSOLE, SMTP, parse


def test_smtp_with_starttls_and_an_encoded_user():
    assert parse("smtp+tls://mail%40example.org:p%3Ass@smtp.example.org") == {
        "EMAIL_BACKEND": SMTP,
        "EMAIL_HOST": "smtp.example.org",
        "EMAIL_PORT": 587,
        "EMAIL_HOST_USER": "mail@example.org",
        "EMAIL_HOST_PASSWORD": "p:ss",
        "EMAIL_USE_TLS": True,
        "EMAIL_USE_SSL": False,
    }


def test_smtps_and_plain_smtp_ports():
    assert parse("smtps://relay:2465")["EMAIL_PORT"] == 2465
    assert parse("smtps://relay")["EMAIL_USE_SSL"] is True
    assert parse("smtp://relay")["EMAIL_PORT"] == 25


def test_console():
    assert parse("console://") == {"EMAIL_BACKEND": CONSOLE}


@pytest.mark.parametrize("url", ["http://relay", "smtp://", "relay:25"])
def test_anything_else_is_refused_with_what_is_expected(url):
    with pytest.raises(ValueError, match="EMAIL_URL"):
        parse(url)
