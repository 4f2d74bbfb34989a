from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import F

from profiles.documents import document_fingerprint
from profiles.fingerprints import forget
from profiles.models import ProfileVersion, RoleProfile

BATCH = 500


class Command(BaseCommand):
    help = (
        "Forget every profile's stored working-copy fingerprint (the next list read "
        "rebuilds it) and store again the fingerprint of each version in force. Run it "
        "once after an upgrade during which the previous release, which does not keep "
        "them, still served: its edits left them stale, so list rows' ETags could differ "
        "from their GET's. Safe to run at any time."
    )

    def handle(self, *args, **options):
        forget(RoleProfile.objects.all())
        in_force = list(
            RoleProfile.objects.filter(published_version__isnull=False)
            .order_by("pk")
            .values_list("pk", "published_version")
        )
        changed = 0
        for start in range(0, len(in_force), BATCH):
            chunk = dict(in_force[start : start + BATCH])
            with transaction.atomic():
                documents = dict(
                    ProfileVersion.objects.filter(pk__in=chunk.values()).values_list(
                        "pk", "document"
                    )
                )
                for profile, version in chunk.items():
                    fingerprint = document_fingerprint(documents[version])
                    # Only while the same version is in force: a publish
                    # since the read stored its own.
                    changed += (
                        RoleProfile.objects.filter(pk=profile, published_version=version)
                        .exclude(published_fingerprint=fingerprint)
                        .update(published_fingerprint=fingerprint, updated_at=F("updated_at"))
                    )
        self.stdout.write(
            f"Working-copy fingerprints forgotten; {changed} of {len(in_force)} "
            "published fingerprints corrected."
        )
