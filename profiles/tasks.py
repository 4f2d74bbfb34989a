"""The profiles' background work: each published version's PDF, built by
a worker as soon as the version is published (profiles.lifecycle sends the
task), so that its first reader does not wait for WeasyPrint (0.8–1.3 s a
version). Without a broker nothing is sent: the first download builds it,
as before, rather than every publication waiting for a PDF nobody may ask
for yet."""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from profiles.downloads import Download, version_state
from profiles.lifecycle import BUILD_PDFS
from profiles.models import ProfileVersion
from profiles.pdf import Rendering


@shared_task(
    name=BUILD_PDFS,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=True,
    max_retries=5,
    acks_late=True,
)
def build_version_pdfs(version_ids):
    """Build and keep the PDF of each version, as its download would. Safe
    to run again: a PDF already kept for the same rendering is not built
    twice (profiles.pdf.Rendering)."""
    for version in ProfileVersion.objects.filter(pk__in=version_ids).select_related("profile"):
        profile = version.profile
        download = Download(profile, version.document, version, version_state(profile, version))
        Rendering(download).pdf()
