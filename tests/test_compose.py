"""Docker cannot run on the development machines, so the compose file and
the Dockerfile are checked for the services, links and build steps that
`docker compose up` relies on."""

import posixpath
import re

import yaml

from tests.paths import ROOT


def load():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_the_database_is_postgres_15_with_a_healthcheck_and_a_named_volume():
    compose = load()
    db = compose["services"]["db"]
    assert db["image"] == "postgres:15"
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])
    volume = db["volumes"][0].split(":")[0]
    assert volume in compose["volumes"]


def test_the_web_service_waits_for_a_healthy_database_and_uses_it():
    web = load()["services"]["web"]
    # Through `migrate`, which waits for a healthy database and runs once
    # however many web replicas start.
    assert web["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert web["environment"]["DATABASE_URL"].startswith("postgres://")
    assert "@db:5432/" in web["environment"]["DATABASE_URL"]
    assert web["build"] == "."


def test_the_web_image_migrates_then_serves_under_gunicorn():
    dockerfile = (ROOT / "Dockerfile").read_text()
    command = next(line for line in dockerfile.splitlines() if line.startswith("CMD"))
    assert command.index("migrate") < command.index("gunicorn competency.wsgi")


def test_compose_refuses_to_start_without_a_secret_key():
    # `${VAR:?message}` stops compose with the message when VAR is unset or
    # empty; `${VAR:-default}` would start it with a key everyone knows.
    key = load()["services"]["web"]["environment"]["SECRET_KEY"]
    assert re.fullmatch(r"\$\{SECRET_KEY:\?[^}]+\}", key), key
    assert "SECRET_KEY:-" not in (ROOT / "docker-compose.yml").read_text()


def test_the_local_trial_over_plain_http_is_not_redirected_to_https():
    # The settings' production defaults redirect to HTTPS, which
    # http://localhost:8000 does not have.
    environment = load()["services"]["web"]["environment"]
    assert "DEBUG" not in environment
    assert environment["SECURE_SSL_REDIRECT"] == "false"
    assert environment["SECURE_COOKIES"] == "false"


def dockerfile_stages():
    """The Dockerfile's build stages in order, each as its FROM line and its
    instructions (continuation lines joined, comments left out)."""
    text = re.sub(r"\\\n", " ", (ROOT / "Dockerfile").read_text())
    stages = []
    for line in text.splitlines():
        line = " ".join(line.split())
        if not line or line.startswith("#"):
            continue
        if line.upper().startswith("FROM "):
            stages.append((line, []))
        else:
            stages[-1][1].append(line)
    return stages


def frontend_stage():
    for from_line, instructions in dockerfile_stages():
        match = re.fullmatch(r"FROM node:\S+ AS (\w+)", from_line, flags=re.IGNORECASE)
        if match:
            return match.group(1), instructions
    raise AssertionError("the Dockerfile has no stage FROM node:… AS <name>")


def test_a_node_stage_builds_the_stylesheet_from_the_lockfile():
    _, instructions = frontend_stage()
    lockfile = next(i for i, line in enumerate(instructions) if "package-lock.json" in line)
    install = next(i for i, line in enumerate(instructions) if line.startswith("RUN npm ci"))
    sources = next(i for i, line in enumerate(instructions) if line.startswith("COPY frontend"))
    build = instructions.index("RUN npm run build")
    assert lockfile < install < build
    assert sources < build


def test_the_image_collects_static_files_after_copying_in_the_built_ones():
    name, frontend = frontend_stage()
    workdir = next(line.split()[1] for line in frontend if line.startswith("WORKDIR"))
    from_line, instructions = dockerfile_stages()[-1]
    assert from_line.startswith("FROM python:3.11")
    copy_all = instructions.index("COPY . .")
    copy_built = next(
        i for i, line in enumerate(instructions) if line.startswith(f"COPY --from={name} ")
    )
    source, destination = instructions[copy_built].split()[2:]
    assert source.rstrip("/") == posixpath.join(workdir, "static/dist")
    assert destination.rstrip("/") == "static/dist"
    collect = next(i for i, line in enumerate(instructions) if "collectstatic" in line)
    assert copy_all < copy_built < collect
    # A build on the developer's machine is never copied in instead.
    assert "static/dist" in (ROOT / ".dockerignore").read_text().split()


def test_the_web_image_loads_ddats_scale_before_serving():
    dockerfile = (ROOT / "Dockerfile").read_text()
    command = next(line for line in dockerfile.splitlines() if line.startswith("CMD"))
    assert command.index("migrate") < command.index("load_ddat_scale") < command.index("gunicorn")


def test_redis_the_worker_and_the_scheduler_have_health_checks():
    services = load()["services"]
    assert "redis-cli" in services["redis"]["healthcheck"]["test"]
    assert "inspect ping" in " ".join(services["worker"]["healthcheck"]["test"])
    assert services["beat"]["healthcheck"]["test"]
    for name in ("worker", "beat"):
        assert services[name]["command"][:3] == ["celery", "-A", "competency"]
        assert services[name]["depends_on"]["redis"]["condition"] == "service_healthy"
        # The database is migrated before they start.
        assert services[name]["depends_on"]["migrate"]["condition"] == (
            "service_completed_successfully"
        )


def test_the_web_and_the_workers_share_the_database_and_redis():
    services = load()["services"]
    assert services["web"]["depends_on"]["redis"]["condition"] == "service_healthy"
    for name in ("web", "worker", "beat"):
        environment = services[name]["environment"]
        assert environment["REDIS_URL"] == "redis://redis:6379/0"
        assert "@db:5432/" in environment["DATABASE_URL"]


def test_migrations_run_once_before_any_web_replica_serves():
    services = load()["services"]
    migrate = services["migrate"]
    assert migrate["depends_on"]["db"]["condition"] == "service_healthy"
    command = " ".join(migrate["command"])
    assert command.index("migrate") < command.index("load_ddat_scale")
    # The web replicas only serve: several running migrate at once would race.
    web = " ".join(services["web"]["command"])
    assert "gunicorn competency.wsgi" in web and "migrate" not in web


def test_only_the_proxy_is_published_and_web_can_be_scaled():
    services = load()["services"]
    published = [name for name, service in services.items() if service.get("ports")]
    assert published == ["proxy"]
    # A fixed container name or host port would stop `--scale web=3`.
    assert "container_name" not in services["web"] and "ports" not in services["web"]
    assert services["proxy"]["depends_on"]["web"]["condition"] == "service_healthy"
    # The proxy serves the static files web collected, from a shared volume.
    volume = services["web"]["volumes"][0].split(":")[0]
    assert any(v.startswith(f"{volume}:") for v in services["proxy"]["volumes"])
