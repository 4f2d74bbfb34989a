"""The 400 and 500 pages. Django renders the 500 page with no request and no
context processors, and the 400 page often for a request that the middleware
refused before it set the user (a host the site does not serve), so neither
may need them; and a 500 may come from the static files themselves, so its
page must render even then."""

import pytest
from django.core.exceptions import SuspiciousOperation
from django.templatetags.static import static
from django.test import Client, RequestFactory
from django.urls import path
from django.views.defaults import bad_request, server_error


class Boom(Exception):
    pass


def boom(request):
    raise Boom("a view that fails")


def suspicious(request):
    raise SuspiciousOperation("a request that makes no sense")


# The URLs of the tests below that need a view that fails (with
# pytest.mark.urls); the site's own error handlers still apply.
urlpatterns = [path("boom/", boom), path("suspicious/", suspicious)]


def looks_like_the_site(html):
    """The GOV.UK Frontend layout of base.html: the stylesheet, the header
    with the product's name and the footer."""
    assert 'class="govuk-template"' in html
    assert "dist/app.css" in html
    assert "govuk-header" in html and "Competency framework" in html
    assert "govuk-footer" in html and "Open Government Licence v3.0" in html


def test_the_500_page_renders_with_no_request_context():
    response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    html = response.content.decode()
    looks_like_the_site(html)
    assert "Sorry, there is a problem with the service" in html
    assert "Sign out" not in html


def test_the_400_page_renders_for_a_request_with_no_user():
    response = bad_request(RequestFactory().get("/"), SuspiciousOperation("bad"))
    assert response.status_code == 400
    html = response.content.decode()
    looks_like_the_site(html)
    assert "Sorry, there is a problem with your request" in html


def test_the_500_page_renders_even_when_the_static_files_manifest_is_missing(settings, tmp_path):
    # What production did before the stylesheet's assets were built: every
    # {% static %} raised, the 500 page's own included.
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }
    with pytest.raises(ValueError, match="manifest"):
        static("dist/app.css")
    response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert 'href="/static/dist/app.css"' in response.content.decode()


@pytest.mark.urls(__name__)
def test_a_view_that_fails_with_debug_off_gets_the_500_page(settings):
    assert settings.DEBUG is False
    response = Client(raise_request_exception=False).get("/boom/")
    assert response.status_code == 500
    html = response.content.decode()
    looks_like_the_site(html)
    assert "Sorry, there is a problem with the service" in html
    assert "Boom" not in html and "Traceback" not in html


@pytest.mark.urls(__name__)
def test_a_suspicious_request_gets_the_400_page(client):
    response = client.get("/suspicious/")
    assert response.status_code == 400
    looks_like_the_site(response.content.decode())


def test_a_request_for_a_host_the_site_does_not_serve_gets_the_400_page(client):
    response = client.get("/", HTTP_HOST="elsewhere.example")
    assert response.status_code == 400
    html = response.content.decode()
    looks_like_the_site(html)
    assert "Sorry, there is a problem with your request" in html
