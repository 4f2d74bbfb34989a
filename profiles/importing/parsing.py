"""One way in for role profiles: published page text or role-profile/1 JSON.

`read_profile` turns a file's bytes into a checked document (a
documents.ProfileInput, or one clear ProfileImportError naming the place);
profiles.importing.batch writes documents.
"""

import csv
import json

from competency.json_input import UNSTORABLE, JSONInputError, load_json, unstorable_text
from profiles.documents import ProfileImportError, ProfileInput, schema_errors
from profiles.importing import published_text

# A profile page or document is tens of KB; 5 MB is far beyond any real one.
MAX_PROFILE_FILE = 5 * 1024 * 1024


def read_profile(data: bytes, name: str) -> ProfileInput:
    """Decode and parse one file. Raises ProfileImportError on bad input."""
    if len(data) > MAX_PROFILE_FILE:
        raise ProfileImportError(
            f"the file is larger than {MAX_PROFILE_FILE // (1024 * 1024)} MB; a role profile "
            "is far smaller: is this the right file?",
            name=name,
        )
    if not data.strip():
        raise ProfileImportError("the file is empty; expected a role profile", name=name)
    wrong = wrong_kind_for_profile(data)
    if wrong:
        raise ProfileImportError(wrong, name=name)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ProfileImportError(
            "the file is UTF-16 text; save it as UTF-8 and try again", name=name
        )
    if b"\x00" in data:
        raise ProfileImportError(
            "this is a binary file; expected published page text or role-profile/1 JSON",
            name=name,
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ProfileImportError(
            "the file is not UTF-8 text; expected published page text or role-profile/1 JSON",
            name=name,
            where=f"line {line}",
        ) from exc

    if text.lstrip().startswith("{"):
        return _read_json(text, name)
    try:
        page = published_text.parse(text)
    except published_text.LayoutError as exc:
        raise ProfileImportError(exc.message, name=name, where=f"line {exc.line}") from exc
    source = ProfileInput(name=name, document=page.document, format="text", lines=page.lines)
    # What the layout allows but the interchange format does not (an empty
    # bullet, a title with no letters for a slug) is still bad input.
    errors = schema_errors(page.document)
    if errors:
        path, message = errors[0]
        if path == "$.slug":
            message = (
                f"the title '{page.document['title']}' gives no usable URL name; "
                "it needs letters a–z or digits"
            )
        raise source.error(path, message)
    return source


FRAMEWORK_PAGE = "import it on the framework page (or with manage.py import_framework)"


def wrong_kind_for_profile(data: bytes):
    """Why this file belongs on the framework import rather than here (a
    DDaT role table, a skills table, a spreadsheet or a framework/1
    export), or None. Only the start of the file is looked at."""
    from competency.frameworks import SKILLS_COLUMNS
    from profiles.importing.framework_import import DDAT_COLUMNS

    if data.startswith(b"PK\x03\x04"):
        return (
            "this is a spreadsheet (XLSX), not a role profile: framework tables are "
            f"{FRAMEWORK_PAGE}; a profile comes as page text or role-profile/1 JSON"
        )
    head = data[:4096].decode("utf-8-sig", errors="replace").lstrip()
    if head.startswith("{") and '"schema":"framework/1"' in "".join(head.split()):
        return f"this looks like a framework/1 export, not a role profile: {FRAMEWORK_PAGE}"
    header = {cell.strip().casefold() for cell in _first_row(head)}
    for columns, what in ((DDAT_COLUMNS, "a DDaT role table"), (SKILLS_COLUMNS, "a skills table")):
        if {column.casefold() for column in columns} <= header:
            return f"this looks like {what}, not a role profile: {FRAMEWORK_PAGE}"
    return None


def _first_row(text):
    """The cells of the first line read as CSV, or none when it is not CSV
    (a binary file's bytes: a stray carriage return is csv.Error)."""
    lines = text.splitlines()
    try:
        return next(csv.reader(lines[:1]), [])
    except csv.Error:
        return []


# role-profile/1 nests three deep (the document, a section's list, an item);
# anything much deeper is not one, and would only cost stack to validate.
MAX_JSON_DEPTH = 8
MAX_JSON_SIZE = MAX_PROFILE_FILE


def _read_json(text, name):
    try:
        document = load_json(text, max_depth=MAX_JSON_DEPTH, max_size=MAX_JSON_SIZE)
    except JSONInputError as exc:
        raise ProfileImportError(exc.message, name=name) from exc
    except json.JSONDecodeError as exc:
        raise ProfileImportError(
            f"this is not valid JSON: {exc.msg}",
            name=name,
            where=f"line {exc.lineno}, column {exc.colno}",
        ) from exc
    errors = schema_errors(document)
    if errors:
        path, message = errors[0]
        raise ProfileImportError(f"does not match role-profile/1: {message}", name=name, where=path)
    if path := unstorable_text(document):
        raise ProfileImportError(UNSTORABLE, name=name, where=path)
    return ProfileInput(name=name, document=document, format="json")
