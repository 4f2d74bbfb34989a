"""What a download of a role profile is: which document a person gets, and
how the file says what it is (version, publication date, status) in its
text, its name and its HTTP headers.

Who gets what is decided by the access rules (documents.readable,
ProfileVersion.objects.visible_to); this module only labels the result.
"""

import hashlib
from dataclasses import dataclass
from functools import cached_property

from django.http import HttpResponse
from django.utils import timezone
from django.utils.cache import (
    add_never_cache_headers,
    get_conditional_response,
    patch_cache_control,
)
from django.utils.formats import date_format
from django.utils.http import content_disposition_header, http_date, quote_etag

from profiles import documents
from profiles.lifecycle import same_as_latest_version
from profiles.models import ProfileVersion, RoleProfile


def day(moment):
    return date_format(timezone.localtime(moment), "j F Y")


@dataclass(frozen=True)
class Download:
    """One profile's document as one person downloads it: a frozen version,
    or (HR only) the working copy of a draft when `version` is None."""

    profile: RoleProfile
    document: dict
    version: ProfileVersion | None
    # How the version stands now ("in force", "superseded by version 4") or,
    # for a working copy, what it was based on ("based on version 2").
    state: str

    @property
    def frozen(self):
        return self.version is not None

    @cached_property
    def printed_at(self):
        return timezone.now()

    @property
    def edition(self):
        """Which text this is and its date, for the footer of every page."""
        if self.frozen:
            return f"Version {self.version.number}, published {day(self.version.published_at)}"
        # A draft can change within the hour, so its printout says when.
        printed = timezone.localtime(self.printed_at)
        return f"Draft, printed {day(printed)} at {printed:%H:%M}"

    @property
    def label(self):
        """The whole status line, e.g. 'Version 3, published 28 November
        2026, in force' or 'Draft, not published; based on version 2'."""
        if self.frozen:
            return f"{self.edition}, {self.state}"
        return f"Draft, {self.state}"

    def filename(self, extension):
        edition = f"v{self.version.number}" if self.frozen else "draft"
        return f"{self.profile.slug}-{edition}.{extension}"

    def respond(self, request, kind, content, *, content_type, key=""):
        """The file as an HTTP response, or 304 when the person's browser
        already holds this very file. `content` makes the body, called only
        when it is sent; `key` is whatever else decides its bytes (the PDF's
        layout). Only the ETag is compared: the status line can change long
        after the publication date that Last-Modified gives."""
        if self.frozen:
            tag = f"{kind}|{self.version.pk}|{self.label}|{key}"
            etag = quote_etag(hashlib.sha256(tag.encode()).hexdigest()[:20])
            response = get_conditional_response(request, etag=etag)
            if response is None:
                response = HttpResponse(content(), content_type=content_type)
            response["ETag"] = etag
        else:
            response = HttpResponse(content(), content_type=content_type)
        return self.describe(response, kind)

    def describe(self, response, kind):
        """Name the file and state its version, date and status in headers:
        the role-profile/1 schema has no field for a status or a date."""
        response["Content-Disposition"] = content_disposition_header(
            as_attachment=True, filename=self.filename(kind)
        )
        response["Role-Profile-Status"] = self.label
        if self.frozen:
            response["Last-Modified"] = http_date(self.version.published_at.timestamp())
            # Kept by the browser only, and checked with the server each time,
            # so a person who has lost access is refused rather than served.
            patch_cache_control(response, private=True, no_cache=True)
        else:
            add_never_cache_headers(response)
        return response


def version_state(profile, version):
    if profile.published_version_id == version.pk:
        return "in force"
    later = (
        profile.versions.filter(number__gt=version.number)
        .order_by("number")
        .values_list("number", flat=True)
        .first()
    )
    if later is not None:
        return f"superseded by version {later}"
    return "withdrawn, not in force"


def download_for(user, profile, *, number=None):
    """The Download this person gets of `profile` (its version `number`, or
    what its main page shows), or None when they may not have it."""
    if number is None and profile.status == RoleProfile.Status.PUBLISHED:
        # No draft is open, so the working copy says exactly what the version
        # in force says: label it as that version, for HR too.
        number = profile.published_version.number if profile.published_version_id else None
    if number is not None:
        version = (
            ProfileVersion.objects.visible_to(user).filter(profile=profile, number=number).first()
        )
        if version is None:
            return None
        return Download(profile, version.document, version, version_state(profile, version))
    readable = documents.readable(profile, user)
    if readable is None:
        return None
    document, version = readable
    if version is not None:
        return Download(profile, document, version, version_state(profile, version))
    return working_copy(profile, document)


def working_copy(profile, document):
    """HR's download of a profile that is a draft or archived."""
    # The version in force is the latest one while a draft is open; only a
    # profile without one needs asking.
    latest = profile.published_version or profile.latest_version()
    if latest is None:
        return Download(profile, document, None, "never published")
    if not profile.is_draft and same_as_latest_version(profile, document, latest=latest):
        # An archived profile whose text is its last version: that version,
        # withdrawn.
        return Download(profile, latest.document, latest, version_state(profile, latest))
    archived = "" if profile.is_draft else " (the profile is archived)"
    state = f"not published{archived}; based on version {latest.number}"
    return Download(profile, document, None, state)
