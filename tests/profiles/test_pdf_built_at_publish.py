"""With background workers, a published version's PDF is built by a real
Celery worker as soon as the version is published, and its first reader is
served that copy; without them (as in the rest of the suite) the first
download builds it (tests/profiles/pages/test_downloads.py)."""

import pytest
from django.urls import reverse

from competency import roles
from profiles import lifecycle
from profiles.models import VersionPDF
from tests import factories
from tests.cast import account, client_as
from tests.workers import (
    Worker,
    needs_a_worker,
    needs_redis_and_postgres,
    sending_to_workers,
    wait_until,
)


@pytest.fixture
def worker(tmp_path):
    needs_redis_and_postgres()
    with sending_to_workers():
        running = Worker(tmp_path / "worker.log")
        yield running
        running.stop()


@needs_a_worker
def test_the_first_pdf_is_built_when_a_version_is_published(worker):
    version = lifecycle.publish_profile(profile=factories.RoleProfileFactory())
    wait_until(
        lambda: VersionPDF.objects.filter(version=version).exists(),
        within=60,
        what="the worker to build the PDF",
    )
    kept = bytes(VersionPDF.objects.get(version=version).pdf)
    reader = client_as(account("reader", roles.STAFF))
    response = reader.get(reverse("profiles:pdf", args=[version.profile.slug]))
    assert response["Content-Type"] == "application/pdf"
    assert response.content == kept  # served from the copy the worker built
    assert VersionPDF.objects.filter(version=version).count() == 1


@pytest.mark.django_db
def test_without_workers_publishing_sends_nothing_and_builds_nothing():
    version = lifecycle.publish_profile(profile=factories.RoleProfileFactory())
    assert not VersionPDF.objects.filter(version=version).exists()
