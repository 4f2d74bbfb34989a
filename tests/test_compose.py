"""Docker cannot run on the development machines, so the compose file is
checked for the services and links that `docker compose up` relies on."""

import yaml

from tests.conftest import ROOT


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
    assert web["depends_on"]["db"]["condition"] == "service_healthy"
    assert web["environment"]["DATABASE_URL"].startswith("postgres://")
    assert "@db:5432/" in web["environment"]["DATABASE_URL"]
    assert web["build"] == "."


def test_the_web_image_migrates_then_serves_under_gunicorn():
    dockerfile = (ROOT / "Dockerfile").read_text()
    command = next(line for line in dockerfile.splitlines() if line.startswith("CMD"))
    assert command.index("migrate") < command.index("gunicorn competency.wsgi")
