"""The security headers on every kind of answer: pages, API answers (JSON
and problem details), error pages and static files all carry the
Content-Security-Policy (no inline script or style, no eval, no framing)
and the Permissions-Policy, beside the headers Django's SecurityMiddleware
sends. The library pages that need more than the policy allows (ReDoc, the
browsable API) get exactly what they need, on their own answers only.

The browser tests (tests/browser/) check that no page breaks the policy."""

import base64
import hashlib
import re

import pytest
from django.test import Client
from django.urls import path

from competency.api.renderers import style_attribute_hashes
from tests.paths import ROOT

SLUG = "platform-engineer"

# Where the policy must say exactly this, on every answer.
STRICT = {
    "default-src": {"'self'"},
    "script-src": {"'self'"},
    "style-src": {"'self'"},
    "object-src": {"'none'"},
    "base-uri": {"'self'"},
    "form-action": {"'self'"},
    "frame-ancestors": {"'none'"},
}
DENIED_FEATURES = ["camera", "microphone", "geolocation", "payment", "usb", "interest-cohort"]


def policy(response):
    """The Content-Security-Policy of `response` as {directive: {sources}}."""
    header = response["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        name, *sources = part.split()
        directives[name] = set(sources)
    return directives


def assert_protected(response, **widened):
    """The answer carries the site's headers; its policy is the site's, with
    `widened` directives (their underscores as dashes) added on top."""
    directives = policy(response)
    header = response["Content-Security-Policy"]
    assert "unsafe-inline" not in header and "unsafe-eval" not in header, header
    assert "*" not in header and "http:" not in header and "https:" not in header, header
    expected = {**STRICT}
    for name, sources in widened.items():
        name = name.replace("_", "-")
        expected[name] = expected.get(name, set()) | set(sources)
    for name, sources in expected.items():
        assert directives.get(name) == sources, (name, header)
    assert directives["img-src"] == {"'self'", "data:"}, header

    permissions = response["Permissions-Policy"]
    for feature in DENIED_FEATURES:
        assert f"{feature}=()" in permissions.split(", "), permissions
    assert "=(*)" not in permissions and "self" not in permissions, permissions
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def inline_code(html):
    """Inline scripts, <style> elements, style attributes and event handler
    attributes in `html`: what the strict policy refuses."""
    found = []
    for match in re.finditer(r"<script\b([^>]*)>(.*?)</script>", html, re.S):
        attributes, body = match.groups()
        if 'type="application/json"' in attributes:
            continue  # data, never run
        if "src=" not in attributes or body.strip():
            found.append(match.group(0)[:80])
    found += re.findall(r"<style\b", html)
    found += re.findall(r"""\s(?:style|on[a-z]+)\s*=\s*["'][^"']*["']""", html)
    found += re.findall(r"javascript:", html)
    return found


# Pages ------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_sign_in_page_has_the_policy_and_no_inline_code(client):
    response = client.get("/sign-in/")
    assert response.status_code == 200
    assert_protected(response)
    html = response.content.decode()
    assert inline_code(html) == []
    # The script that marks the body for GOV.UK Frontend is a file now.
    assert re.search(r'<body[^>]*>\s*<script src="/static/js-enabled\.js"></script>', html)


def test_a_signed_in_page_has_the_policy_and_no_inline_code(staff, profile):
    response = staff.get(f"/profiles/{SLUG}/")
    assert response.status_code == 200
    assert_protected(response)
    # Older browsers that know no frame-ancestors read this instead.
    assert response["X-Frame-Options"] == "DENY"
    assert inline_code(response.content.decode()) == []


def test_no_template_of_the_site_has_inline_code():
    """Every page the site renders, including those no test opens: no
    inline script or style for the policy to refuse. (The PDF templates are
    rendered by WeasyPrint, and the mails' by a mail program, never served
    as pages.)"""
    offenders = {}
    for template in sorted((ROOT / "templates").rglob("*")):
        if template.suffix not in {".html", ".svg"} or template.name.endswith("pdf.html"):
            continue
        if template.parent.name == "drf_spectacular":
            continue  # the API docs' pages, checked below as they are served
        if "mail" in template.relative_to(ROOT / "templates").parts[:1]:
            continue  # mails: read in a mail program, which takes only inline styles
        found = inline_code(template.read_text(encoding="utf-8"))
        if found:
            offenders[str(template.relative_to(ROOT))] = found
    assert offenders == {}


# API answers ----------------------------------------------------------------------


def test_an_api_answer_has_the_policy(staff_api, profile):
    response = staff_api.get("/api/v1/profiles/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert_protected(response)


def test_a_refusal_in_problem_details_has_the_policy(anonymous_api, db):
    response = anonymous_api.get("/api/v1/profiles/", HTTP_ACCEPT="application/json")
    assert response.status_code in (401, 403)
    assert response["Content-Type"] == "application/problem+json"
    assert_protected(response)


def test_an_unknown_api_address_has_the_policy(staff_api):
    response = staff_api.get("/api/v1/no-such-thing/", HTTP_ACCEPT="application/json")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert_protected(response)


def test_the_browsable_api_allows_only_drfs_own_style_attributes(hr_api, profile):
    """A browser gets DRF's HTML pages: their fixed style attributes are
    allowed by hash, each one on the page is among them, and nothing else
    inline is there."""
    response = hr_api.get("/api/v1/profiles/", HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    hashes = style_attribute_hashes()
    assert_protected(response, style_src_attr={"'unsafe-hashes'", *hashes})
    html = response.content.decode()
    styles = re.findall(r'\sstyle="([^"]*)"', html)
    assert styles, "the page has none of the style attributes this test is about"
    for value in styles:
        digest = base64.b64encode(hashlib.sha256(value.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in hashes, value
    assert "<style" not in html
    # JSON answers of the same address do not get the widened policy.
    json_answer = hr_api.get("/api/v1/profiles/", HTTP_ACCEPT="application/json")
    assert "style-src-attr" not in policy(json_answer)


def test_the_style_attribute_hashes_are_of_the_fixed_values_only(tmp_path):
    (tmp_path / "page.html").write_text(
        '<div style="float: right"></div><p style="{{ style }}"></p><b style="">x</b>'
    )
    digest = base64.b64encode(hashlib.sha256(b"float: right").digest()).decode()
    empty = base64.b64encode(hashlib.sha256(b"").digest()).decode()
    assert style_attribute_hashes(tmp_path) == sorted([f"'sha256-{digest}'", f"'sha256-{empty}'"])


# The API's documentation ----------------------------------------------------------


@pytest.mark.django_db
def test_swagger_ui_needs_no_inline_code(client):
    response = client.get("/api/v1/docs/")
    assert response.status_code == 200
    assert_protected(response)
    html = response.content.decode()
    assert inline_code(html) == []
    # Its start-up script comes from the view's own address, as JavaScript.
    script = re.search(r'<script src="(/api/v1/docs/\?script=)"', html)
    assert script, html
    started = client.get(script.group(1))
    assert started.status_code == 200
    assert "javascript" in started["Content-Type"]
    assert b"SwaggerUIBundle(" in started.content
    assert_protected(started)


@pytest.mark.django_db
def test_redoc_gets_a_nonce_for_its_styles_and_a_worker(client):
    response = client.get("/api/v1/redoc/")
    assert response.status_code == 200
    html = response.content.decode()
    nonce = re.search(r'<script src="/static/api-redoc\.js" nonce="([^"]+)"', html).group(1)
    assert_protected(response, style_src={f"'nonce-{nonce}'"}, worker_src={"blob:"})
    # The nonce is not a script source: scripts still come from the site only.
    assert policy(response)["script-src"] == {"'self'"}
    assert inline_code(html) == []
    assert "fonts.googleapis.com" not in html
    # A new nonce for every answer.
    again = client.get("/api/v1/redoc/").content.decode()
    assert f'nonce="{nonce}"' not in again


# Error pages and static files --------------------------------------------------------


class Boom(Exception):
    pass


def boom(request):
    raise Boom("a view that fails")


urlpatterns = [path("boom/", boom)]


def test_the_404_page_has_the_policy(staff, db):
    response = staff.get("/no-such-page/")
    assert response.status_code == 404
    assert b"Page not found" in response.content
    assert_protected(response)


@pytest.mark.urls(__name__)
def test_the_500_page_has_the_policy(db):
    response = Client(raise_request_exception=False).get("/boom/")
    assert response.status_code == 500
    assert b"Sorry, there is a problem with the service" in response.content
    assert_protected(response)
    assert inline_code(response.content.decode()) == []


def test_the_400_page_for_a_host_the_site_does_not_serve_has_the_policy(db):
    response = Client(HTTP_HOST="elsewhere.example").get("/profiles/")
    assert response.status_code == 400
    assert_protected(response)


@pytest.mark.parametrize("asset", ["dist/app.css", "app.mjs", "js-enabled.js", "api-redoc.js"])
def test_static_files_served_by_whitenoise_have_the_policy(client, asset):
    response = client.get(f"/static/{asset}")
    assert response.status_code == 200
    assert (ROOT / "static" / asset).exists()
    assert_protected(response)
