"""Preview an import: the same import rolled back, so it can never disagree
with the real one."""

from dataclasses import dataclass, field

from django.db import transaction

from profiles import lifecycle
from profiles.documents import document_fingerprint, profile_document
from profiles.importing.batch import import_profiles
from profiles.models import RoleProfile
from profiles.writing.content import normalised

# --- Preview -----------------------------------------------------------------


@dataclass
class ImportPreview:
    action: str
    slug: str
    title: str
    summary: str
    fingerprint: str  # of the profile as it was when previewed ('' if none)
    document: dict = None  # the profile as the import would leave it
    differences: object = None  # a DocumentDiff against the current content
    unpublished: bool = False  # the import replaces changes never published
    was_draft: bool = False  # the profile had a draft open
    shared: list = field(default_factory=list)  # SharedText the person must decide on
    warnings: list = field(default_factory=list)

    @property
    def statement(self):
        """What confirming would do, in plain words."""
        title = f"‘{self.title}’"
        if self.action == "unchanged":
            return f"This changes nothing: {title} already says what the file says."
        if self.action == "created":
            return f"This will create the draft {title}."
        if self.unpublished:
            return f"This will replace the draft of {title} (unpublished changes will be lost)."
        if self.was_draft:
            return f"This will replace the draft of {title}."
        return (
            f"This will start a new draft of {title}; everyone else keeps reading the "
            "published version until the draft is published."
        )


class _RollBack(Exception):
    """Raised inside a preview's transaction so that nothing is kept."""


def preview_imports(inputs):
    """What importing these files would do, writing nothing: for each, the
    summary, the profile as it would look, what would change in the current
    profile, whether that throws away a draft's unpublished changes, and the
    shared texts the person must decide about (shown as they are kept)."""
    from profiles.diff import diff_documents

    previews = []
    try:
        with transaction.atomic():
            for source in inputs:
                slug = normalised(source.document)["slug"]
                existing = RoleProfile.objects.filter(slug=slug).first()
                before = profile_document(existing) if existing else None
                unpublished = bool(
                    existing
                    and existing.is_draft
                    and not lifecycle.same_as_latest_version(existing, before)
                    and existing.versions.exists()
                )
                (result,) = import_profiles([source])
                after = result.document
                previews.append(
                    ImportPreview(
                        action=result.action,
                        slug=slug,
                        title=result.profile.title,
                        summary=result.summary(shared=False),
                        fingerprint=document_fingerprint(before),
                        document=after,
                        differences=diff_documents(before, after) if before else None,
                        unpublished=unpublished,
                        was_draft=bool(existing and existing.is_draft),
                        shared=result.shared,
                        warnings=result.warnings,
                    )
                )
            raise _RollBack
    except _RollBack:
        pass
    return previews
