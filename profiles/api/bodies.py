"""Request bodies the profile importer reads as bytes."""

from competency.api.parsers import FileBody
from competency.api.schema import file_body, ref
from profiles.api.serializers import ROLE_PROFILE
from profiles.importing.parsing import MAX_PROFILE_FILE


class RawJSONParser(FileBody):
    """A role-profile/1 document, kept as bytes for the profile importer."""

    media_type = "application/json"
    limit = MAX_PROFILE_FILE


class PageTextParser(RawJSONParser):
    """A profile's published page text."""

    media_type = "text/plain"


IMPORT_BODY = {
    "application/json": ref(ROLE_PROFILE),
    "text/plain": file_body(MAX_PROFILE_FILE, "A profile's published page text, UTF-8."),
}
