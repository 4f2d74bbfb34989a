"""The application run as production runs it, in other processes: DEBUG off,
a real secret key, `manage.py check --deploy`, `migrate`, `collectstatic`
with the manifest storage, and gunicorn answering a real HTTP client.

Under pytest the settings serve static files unhashed (settings.TESTING);
the processes started here do not import pytest, so they get production's
storage. The stylesheet must have been built (`make test` builds it).
"""

import html
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import NamedTuple
from urllib.parse import urljoin

import pytest
import yaml

from tests.paths import ROOT
from tests.served import (
    COMMAND_TIMEOUT,
    Browser,
    free_port,
    gunicorn,
    manage,
    production_environment,
)

# One worker runs the module, so its gunicorn site is built once per run.
pytestmark = [pytest.mark.production, pytest.mark.xdist_group("production")]

STYLESHEET = ROOT / "static" / "dist" / "app.css"

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


class Site(NamedTuple):
    port: int
    username: str
    password: str
    folder: str = ""


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

    with gunicorn(env, folder) as port:
        yield Site(port, username, password, str(folder))


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
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
    assert "camera=()" in response.headers["Permissions-Policy"]


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
    # WhiteNoise's answers carry the security headers too.
    assert "default-src 'self'" in css.headers["Content-Security-Policy"]
    assert "camera=()" in css.headers["Permissions-Policy"]

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
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]


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
    assets = re.findall(r'(?:src|href)="(/static/[^"]+)"', page.text)
    assert any("/drf_spectacular_sidecar/" in asset for asset in assets), page.text
    for asset in assets:
        assert re.search(r"\.[0-9a-f]{12}\.(js|css|png)$", asset), asset
        assert browser.get(html.unescape(asset)).status == 200, asset
    assert "default-src 'self'" in page.headers["Content-Security-Policy"]
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


# nginx in front, with the compose file's server block (docker-compose.yml,
# configs.proxy), here in Debian's nginx on loopback ports.


@pytest.fixture(scope="module")
def proxy(site, tmp_path_factory):
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(nginx).exists():
        pytest.fail("nginx is not installed: `make nginx` installs Debian's")
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    # Compose writes a literal $ as $$.
    block = compose["configs"]["proxy"]["content"].replace("$$", "$")
    port = free_port()
    block = (
        block.replace("server web:8000;", f"server 127.0.0.1:{site.port};")
        .replace("listen 80;", f"listen 127.0.0.1:{port};")
        .replace("alias /srv/static/;", f"alias {site.folder}/static/;")
    )
    folder = tmp_path_factory.mktemp("nginx")
    config = folder / "nginx.conf"
    config.write_text(
        # Under root, nginx's workers would run as nobody, who may not read
        # pytest's temporary folders.
        ("user root;\n" if os.getuid() == 0 else "")
        + f"pid {folder}/nginx.pid;\nerror_log {folder}/error.log;\n"
        + "events {}\nhttp {\n"
        + "include /etc/nginx/mime.types;\n"
        + f"access_log {folder}/access.log;\n"
        + "".join(
            f"{kind}_temp_path {folder}/{kind};\n"
            for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        )
        + block
        + "}\n"
    )
    checked = subprocess.run(
        [nginx, "-t", "-c", str(config), "-p", str(folder), "-e", str(folder / "error.log")],
        capture_output=True,
        text=True,
    )
    assert checked.returncode == 0, checked.stderr
    process = subprocess.Popen(
        [
            nginx,
            "-c",
            str(config),
            "-p",
            str(folder),
            "-e",
            str(folder / "error.log"),
            "-g",
            "daemon off;",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail((folder / "error.log").read_text())
                time.sleep(0.1)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_nginx_serves_the_hashed_static_files_itself(proxy, reader):
    page = reader.get("/profiles/")
    stylesheet = re.search(r'href="(/static/dist/app\.[0-9a-f]{12}\.css)"', page.text).group(1)
    response = Browser(proxy).get(stylesheet)
    assert response.status == 200
    assert response.headers["Server"].startswith("nginx")
    assert response.headers.get_all("Cache-Control") == ["public, max-age=31536000, immutable"]
    assert response.body == Browser(reader.port).get(stylesheet).body
    # The security headers the application would have sent (a file opened
    # by itself runs no script and is framed by no one).
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "frame-ancestors 'none'" in policy
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_nginx_passes_pages_to_gunicorn_and_signs_in_through_it(proxy, site):
    browser = Browser(proxy)
    response = browser.sign_in(site.username, site.password)
    assert response.status == 302, response.text
    page, path = browser.follow("/")
    assert page.status == 200 and path == "/profiles/"
    assert "DevOps Engineer" in page.text


def test_nginx_refuses_a_body_over_the_upload_limit_before_the_application(proxy):
    body = b"x" * (7 * 1024 * 1024)
    response = Browser(proxy).request(
        "POST", "/sign-in/", body=body, headers={"Content-Type": "text/plain"}
    )
    assert response.status == 413
    assert response.headers["Server"].startswith("nginx")


# Operating (README): the request id nginx makes is the one the application
# logs and sends back; the probes answer; /metrics is for the monitoring
# system on loopback, never through the proxy.


def test_the_request_id_nginx_makes_is_in_the_applications_log_and_response(proxy, site):
    response = Browser(proxy).get("/healthz")
    assert response.status == 200
    given = response.headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", given)
    log = (Path(site.folder) / "gunicorn.log").read_text()
    assert f" INFO competency.access [{given}] GET /healthz 200 " in log


def test_readyz_answers_under_gunicorn(site):
    response = Browser(site.port).get("/readyz")
    assert response.status == 200, response.text
    body = json.loads(response.body)
    assert body["status"] == "ok"
    assert body["checks"]["migrations"]["status"] == "ok"


def test_metrics_are_read_on_loopback_and_never_through_nginx(proxy, site):
    direct = Browser(site.port).get("/metrics")
    assert direct.status == 200
    # Whichever worker answers has the histogram (its samples may be the other's).
    assert b"# TYPE django_http_requests_latency_seconds_by_view_method histogram" in direct.body
    through = Browser(proxy).get("/metrics")
    assert through.status == 404
    assert through.headers["Server"].startswith("nginx")


def healthz_requests_counted(port):
    page = Browser(port).get("/metrics").text
    found = re.search(
        r'^django_http_requests_latency_seconds_by_view_method_count\{method="GET",view="healthz"\}'
        r" (\S+)$",
        page,
        re.MULTILINE,
    )
    return float(found.group(1)) if found else 0.0


def test_under_gunicorn_json_logs_and_metrics_cover_every_worker(tmp_path):
    """LOG_FORMAT=json and PROMETHEUS_MULTIPROC_DIR as the README says to run
    them: every line gunicorn's processes write is JSON (gunicorn.conf.py
    for gunicorn's own), and /metrics, answered by whichever worker, counts
    the requests that both workers served."""
    shared = tmp_path / "prometheus"
    shared.mkdir()
    env = production_environment(
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",  # /healthz needs no table
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="false",
        XDG_RUNTIME_DIR=str(tmp_path),
        LOG_FORMAT="json",
        PROMETHEUS_MULTIPROC_DIR=str(shared),
    )
    with gunicorn(env, tmp_path, workers=2) as port:
        before = healthz_requests_counted(port)
        for _ in range(20):
            assert Browser(port).get("/healthz").status == 200
        after = healthz_requests_counted(port)
    assert after - before == 20
    lines = [line for line in (tmp_path / "gunicorn.log").read_text().splitlines() if line]
    records = [json.loads(line) for line in lines]
    loggers = {record.get("logger") for record in records}
    assert {"gunicorn.error", "competency.access"} <= loggers
    booted = {r["process"] for r in records if r.get("message", "").startswith("Booting worker")}
    assert len(booted) == 2
