"""The application run as production runs it, in other processes: DEBUG off,
a real secret key, `manage.py check --deploy`, `migrate`, `collectstatic`
with the manifest storage, and gunicorn answering a real HTTP client.

Under pytest the settings serve static files unhashed (settings.TESTING);
the processes started here do not import pytest, so they get production's
storage. The stylesheet must have been built (`make test` builds it).
"""

import html
import http.client
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
from http.cookies import SimpleCookie
from pathlib import Path
from typing import NamedTuple
from urllib.parse import urlencode, urljoin, urlsplit

import pytest

from tests.paths import ROOT

# One worker runs the module, so its gunicorn site is built once per run.
pytestmark = [pytest.mark.production, pytest.mark.xdist_group("production")]

STYLESHEET = ROOT / "static" / "dist" / "app.css"
COMMAND_TIMEOUT = 60  # seconds, for each management command
START_TIMEOUT = 30  # seconds, for gunicorn to answer
REQUEST_TIMEOUT = 30  # seconds, for each request (the PDF is the slowest)
STOP_TIMEOUT = 15  # seconds, for gunicorn to stop

# Every variable the settings read, so that none leaks in from the shell
# that runs the tests.
SETTINGS_VARIABLES = {
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "CSRF_TRUSTED_ORIGINS",
    "DATABASE_URL",
    "CONN_MAX_AGE",
    "STATIC_ROOT",
    "SECURE_COOKIES",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "BEHIND_TLS_PROXY",
    "LOG_LEVEL",
    "DEMO_PASSWORD",
}


def production_environment(**settings):
    """The environment of a production process: the README's production
    settings and nothing from the test run, with `settings` on top."""
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in SETTINGS_VARIABLES and not name.startswith(("DJANGO_", "PYTEST_"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="competency.settings",
        DEBUG="false",
        # A real key: long and random, as check --deploy wants it.
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="competency.example.org",
    )
    env.update(settings)
    return env


def manage(env, *args):
    completed = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=COMMAND_TIMEOUT,
    )
    assert completed.returncode == 0, (
        f"manage.py {' '.join(args)} failed:\n{completed.stdout}\n{completed.stderr}"
    )
    return completed.stdout + completed.stderr


# `manage.py check --deploy`: no warnings with the documented production
# settings, served directly over HTTPS or behind a proxy that terminates TLS.


@pytest.mark.parametrize(
    "settings",
    [
        {},
        {
            "BEHIND_TLS_PROXY": "true",
            "CSRF_TRUSTED_ORIGINS": "https://competency.example.org",
        },
    ],
    ids=["https", "behind-a-tls-proxy"],
)
def test_check_deploy_passes_with_the_production_settings(settings):
    output = manage(
        production_environment(**settings), "check", "--deploy", "--fail-level", "WARNING"
    )
    assert "System check identified no issues" in output
    assert "WARNINGS" not in output


def test_check_deploy_fails_on_a_production_setting_turned_off():
    env = production_environment(SECURE_COOKIES="false")
    completed = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=COMMAND_TIMEOUT,
    )
    assert completed.returncode != 0
    assert "security.W012" in completed.stderr  # SESSION_COOKIE_SECURE


# The site under gunicorn.


class Response(NamedTuple):
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    @property
    def text(self):
        return self.body.decode()


class Browser:
    """An HTTP client that keeps cookies, follows no redirect by itself and
    gives up on any request after REQUEST_TIMEOUT seconds."""

    def __init__(self, port):
        self.port = port
        self.cookies = {}

    def request(self, method, path, body=None, headers=None):
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=REQUEST_TIMEOUT)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            result = Response(response.status, response.headers, response.read())
        finally:
            connection.close()
        for header in result.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return result

    def get(self, path, **kwargs):
        return self.request("GET", path, **kwargs)

    def follow(self, path, limit=5):
        """GET `path` and the redirects from it; the last response and its path."""
        for _ in range(limit):
            response = self.get(path)
            if response.status not in (301, 302, 303, 307, 308):
                return response, path
            location = urlsplit(urljoin(path, response.headers["Location"]))
            path = location.path + (f"?{location.query}" if location.query else "")
        raise AssertionError(f"more than {limit} redirects from {path}")

    def sign_in(self, username, password):
        form = self.get("/sign-in/")
        assert form.status == 200
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text).group(1)
        return self.request(
            "POST",
            "/sign-in/",
            body=urlencode(
                {"username": username, "password": password, "csrfmiddlewaretoken": token}
            ),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )


class Site(NamedTuple):
    port: int
    username: str
    password: str
    folder: str = ""


def stop(process):
    """Stop gunicorn (its master and workers: the whole process group it was
    started in) and check that nothing of it is left."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=STOP_TIMEOUT)
    deadline = time.monotonic() + STOP_TIMEOUT
    while True:
        try:
            os.killpg(process.pid, 0)
        except ProcessLookupError:
            return  # no process of the group is left
        if time.monotonic() > deadline:
            os.killpg(process.pid, signal.SIGKILL)
            raise AssertionError("gunicorn's workers outlived their master")
        time.sleep(0.1)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    if not STYLESHEET.exists():
        pytest.fail(
            f"{STYLESHEET.relative_to(ROOT)} is missing: build it with `npm run build` "
            "(`make install` and `make test` do)"
        )
    folder = tmp_path_factory.mktemp("production")
    username, password = "sam", secrets.token_urlsafe(16)
    env = production_environment(
        DATABASE_URL=f"sqlite:///{folder / 'db.sqlite3'}",
        STATIC_ROOT=str(folder / "static"),
        ALLOWED_HOSTS="127.0.0.1",
        # Plain HTTP on the loopback: no redirect to HTTPS, cookies sent over HTTP.
        SECURE_SSL_REDIRECT="false",
        SECURE_COOKIES="false",
        # gunicorn's control socket goes here rather than in the home folder.
        XDG_RUNTIME_DIR=str(folder),
    )
    manage(env, "migrate", "--no-input")
    manage(env, "import_framework", "fixtures/frameworks/ddat.json")
    manage(env, "import_profile", "fixtures/profiles/devops-engineer.txt", "--publish")
    create_reader = (
        "import os\n"
        "from django.contrib.auth.models import Group, User\n"
        "user = User.objects.create_user(os.environ['READER'], password=os.environ['PASSWORD'])\n"
        "user.groups.add(Group.objects.get(name='Staff'))\n"
    )
    manage({**env, "READER": username, "PASSWORD": password}, "shell", "-c", create_reader)
    manage(env, "collectstatic", "--no-input")

    # gunicorn gets a socket already listening on a free loopback port.
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    port = listener.getsockname()[1]
    log = folder / "gunicorn.log"
    with open(log, "wb") as output:
        process = subprocess.Popen(
            [
                *(sys.executable, "-m", "gunicorn", "competency.wsgi"),
                *("--bind", f"fd://{listener.fileno()}"),
                *("--workers", "2", "--timeout", str(REQUEST_TIMEOUT)),
                *("--graceful-timeout", "5"),
            ],
            cwd=ROOT,
            env=env,
            pass_fds=[listener.fileno()],
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    listener.close()
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if process.poll() is not None:
                pytest.fail(f"gunicorn stopped:\n{log.read_text()}")
            try:
                if Browser(port).get("/healthz").status == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"gunicorn did not answer in {START_TIMEOUT} s:\n{log.read_text()}")
            time.sleep(0.2)
        yield Site(port, username, password, str(folder))
    finally:
        stop(process)
    # Nothing answers on the port any more.
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=5).close()


@pytest.fixture(scope="module")
def reader(site):
    browser = Browser(site.port)
    response = browser.sign_in(site.username, site.password)
    assert response.status == 302, response.text
    # Signing in lands on the home page, which sends someone with no
    # appraisals of their own on to the role profiles.
    assert response.headers["Location"] == "/"
    return browser


def test_the_home_page_sends_anonymous_people_to_sign_in(site):
    response, path = Browser(site.port).follow("/")
    assert response.status == 200
    assert path.startswith("/sign-in/")
    assert "Sign in" in response.text


def test_the_home_page_takes_a_signed_in_reader_to_the_role_profiles(reader):
    response, path = reader.follow("/")
    assert (response.status, path) == (200, "/profiles/")
    assert "DevOps Engineer" in response.text
    assert 'href="/profiles/devops-engineer/"' in response.text
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_a_profile_and_its_pdf(reader):
    page = reader.get("/profiles/devops-engineer/")
    assert page.status == 200
    assert "DevOps Engineer" in page.text
    link = re.search(r'href="(/profiles/devops-engineer/profile\.pdf[^"]*)"', page.text)
    assert link, "the profile page has no PDF link"

    pdf = reader.get(html.unescape(link.group(1)))
    assert pdf.status == 200
    assert pdf.headers["Content-Type"] == "application/pdf"
    assert "attachment" in pdf.headers["Content-Disposition"]
    assert pdf.body.startswith(b"%PDF-")


def test_the_pages_link_hashed_static_files_that_are_served(reader):
    page = reader.get("/profiles/").text
    stylesheet = re.search(r'<link rel="stylesheet" href="([^"]+)"', page).group(1)
    assert re.fullmatch(r"/static/dist/app\.[0-9a-f]{12}\.css", stylesheet), stylesheet
    css = reader.get(stylesheet)
    assert css.status == 200
    assert css.headers["Content-Type"].startswith("text/css")
    assert "max-age=315360000" in css.headers["Cache-Control"]  # hashed: cached for ever

    # The files the stylesheet names were collected, hashed and are served.
    urls = set(re.findall(r'url\("?([^")]+)"?\)', css.text))
    assert urls, "the stylesheet names no file"
    for url in urls:
        assert re.search(r"\.[0-9a-f]{12}\.", url), url
        asset = reader.get(urljoin(stylesheet, url))
        assert asset.status == 200, url

    script = re.search(r'<script type="module" src="([^"]+)"', page).group(1)
    assert re.fullmatch(r"/static/app\.[0-9a-f]{12}\.mjs", script), script
    module = reader.get(script)
    assert module.status == 200
    assert "javascript" in module.headers["Content-Type"]
    # Every script it imports, statically or when a page needs it (the
    # autocomplete), is served, with the autocomplete's licence beside it.
    imported = re.findall(r'(?:from\s+|import\(\s*)"([^"]+)"', module.text)
    assert "./dist/accessible-autocomplete.min.js" in imported
    for path in imported:
        response = reader.get(urljoin(script, path))
        assert response.status == 200, path
        assert "javascript" in response.headers["Content-Type"], path
    licence = reader.get(urljoin(script, "./dist/accessible-autocomplete.LICENSE.txt"))
    assert licence.status == 200 and "Crown Copyright" in licence.text


def test_an_unknown_address_gets_the_styled_404_page(reader):
    response = reader.get("/no-such-page/")
    assert response.status == 404
    assert "Page not found" in response.text
    assert re.search(r'href="/static/dist/app\.[0-9a-f]{12}\.css"', response.text)
    assert "govuk-header" in response.text
    assert "URLconf" not in response.text  # not DEBUG's page


def test_a_host_the_site_does_not_serve_gets_the_styled_400_page(site):
    response = Browser(site.port).get("/profiles/", headers={"Host": "elsewhere.example"})
    assert response.status == 400
    assert "Sorry, there is a problem with your request" in response.text
    assert re.search(r'href="/static/dist/app\.[0-9a-f]{12}\.css"', response.text)


@pytest.mark.parametrize("path", ["/api/v1/docs/", "/api/v1/redoc/"])
def test_the_api_documentation_is_served_from_the_sidecars_hashed_files(site, path):
    """Swagger UI and ReDoc load their scripts from drf-spectacular-sidecar's
    static files, collected and hashed like the rest: nothing from the web."""
    browser = Browser(site.port)
    page = browser.get(path)
    assert page.status == 200
    assets = re.findall(r'(?:src|href)="(/static/drf_spectacular_sidecar/[^"]+)"', page.text)
    assert assets, page.text
    for asset in assets:
        assert re.search(r"\.[0-9a-f]{12}\.(js|css|png)$", asset), asset
        assert browser.get(html.unescape(asset)).status == 200, asset
    assert "//cdn" not in page.text
    schema = browser.get("/api/v1/schema/")
    assert schema.status == 200 and b"RoleProfileDocument" in schema.body


def test_an_integration_reads_profiles_with_a_token(site):
    """A token made for the reader signs in the API under gunicorn; a wrong
    one is a 401 in the problem shape."""
    env = production_environment(
        DATABASE_URL=f"sqlite:///{Path(site.folder) / 'db.sqlite3'}",
        STATIC_ROOT=str(Path(site.folder) / "static"),
    )
    make_token = (
        "import os\n"
        "from datetime import timedelta\n"
        "from django.contrib.auth.models import User\n"
        "from django.utils import timezone\n"
        "from competency.api.models import ApiToken\n"
        "user = User.objects.get(username=os.environ['READER'])\n"
        "_, raw = ApiToken.issue(name='feed', user=user,"
        " expires_at=timezone.now() + timedelta(days=1))\n"
        "print(raw)\n"
    )
    output = manage({**env, "READER": site.username}, "shell", "-c", make_token)
    raw = re.search(r"^cfk_\S+$", output, re.MULTILINE).group(0)
    browser = Browser(site.port)
    listed = browser.get("/api/v1/profiles/", headers={"Authorization": f"Token {raw}"})
    assert listed.status == 200, listed.text
    assert "devops-engineer" in listed.text
    refused = browser.get("/api/v1/profiles/", headers={"Authorization": "Token cfk_wrong"})
    assert refused.status == 401
    assert refused.headers["Content-Type"] == "application/problem+json"
