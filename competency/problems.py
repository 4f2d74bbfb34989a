"""What a refusal means to a caller, declared by the exception that says it.

The API answers every error as RFC 9457 problem details
(competency/api/problems.py). A refusal of an app's own (a file that cannot
be imported, a draft changed while someone edited it) inherits from Problem
and says its status, type and title here, where it is raised; the API's
plumbing reads them and so knows no app above it.
"""

from http import HTTPStatus

from django.core.exceptions import ValidationError

# Problems whose meaning is more than their HTTP status name a type of ours.
# URNs: they identify the kind of problem without pretending to be pages.
STATE_CONFLICT = "urn:competency:problem:state-conflict"
CHANGED = "urn:competency:problem:changed-since-confirmed"
INVALID = "urn:competency:problem:invalid-input"

# Each type as the schema (competency.api.schema) and README list it.
TYPES = {
    INVALID: "400. Invalid input: `errors` has a JSON pointer to each field, query "
    "parameter or row refused. A file sent to an import that cannot be imported as it "
    "is has the title 'The file cannot be imported'.",
    STATE_CONFLICT: "409. The resource's state does not allow it (publishing what is not "
    "a draft, changing a signed-off appraisal); nothing was written.",
    CHANGED: "409 (412 when you sent If-Match). What you confirmed (a preview's "
    "`confirmed`, the version you edited) changed before the write; nothing was "
    "written: read it again.",
    "about:blank": "Any other status (401, 403, 404, 405, 406, 412, 413, 415, 422, 428, "
    "429, 5xx): the status and its title say it all; `detail` says more.",
}

FILE_REFUSED = "The file cannot be imported"
CHANGED_TITLE = "Changed since you read it"


class Problem:
    """A refusal the API answers with its own status, type and title.

    Mixed into an exception class: `class ImportError(Problem, Exception)`."""

    problem_status = 400
    problem_type = INVALID
    problem_title = "Invalid input"
    # The status when the caller sent If-Match, if that changes it: what they
    # confirmed is the resource's ETag, and it no longer matches (412).
    if_match_status = None

    def problem_detail(self):
        return str(self)

    def problem_errors(self):
        """Where in the input each message belongs, as (JSON pointer,
        message) pairs; empty when the detail says it all."""
        return []


class FileProblem(Problem):
    """Input sent to an import that cannot be imported as it is."""

    problem_title = FILE_REFUSED


class ChangedProblem(Problem):
    """What the caller confirmed (a preview, a form) changed before the write:
    nothing was written."""

    problem_status = 409
    problem_type = CHANGED
    problem_title = CHANGED_TITLE


def pointers(detail, path=""):
    """(JSON pointer, message) of each message in a DRF or Django error
    structure: dicts name fields, lists of dicts name list positions."""
    if isinstance(detail, dict):
        for key, value in detail.items():
            if key in ("non_field_errors", "__all__"):
                yield from pointers(value, path)
            else:
                yield from pointers(
                    value, f"{path}/{str(key).replace('~', '~0').replace('/', '~1')}"
                )
    elif isinstance(detail, list | tuple):
        if all(isinstance(item, str) for item in detail):
            for message in detail:
                yield f"#{path}", str(message)
        else:
            for index, item in enumerate(detail):
                if item:
                    yield from pointers(item, f"{path}/{index}")
    else:
        yield f"#{path}", str(detail)


def body(status, detail, *, type="about:blank", title=None, errors=None):
    """Problem details (RFC 9457) as a dict. `title` defaults to the
    status's name; `errors` are (JSON pointer, message) pairs."""
    found = {
        "type": type,
        "title": title or HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
    }
    if errors:
        found["errors"] = [{"pointer": pointer, "detail": message} for pointer, message in errors]
    return found


def summary(errors):
    """The detail of invalid input: its one message, or a summary of many."""
    return errors[0][1] if len(errors) == 1 else "The request has invalid values."


def details(refusal, *, if_match=False):
    """The problem details that answer a refusal, or None for an exception
    that is no refusal (a fault: a 500). A Problem says its own status, type
    and title; a Django ValidationError naming fields is invalid input, one
    in words a state conflict. The API answers with them
    (competency/api/problems.py), and a background job started through the
    API keeps them as its result (competency/jobs.py), so that the caller
    reads the same refusal either way. `if_match`: the caller sent
    If-Match."""
    if isinstance(refusal, Problem):
        status = refusal.problem_status
        if if_match and refusal.if_match_status:
            status = refusal.if_match_status
        errors = list(refusal.problem_errors())
        return body(
            status,
            summary(errors) if errors else refusal.problem_detail(),
            type=refusal.problem_type,
            title=refusal.problem_title,
            errors=errors,
        )
    if isinstance(refusal, ValidationError):
        if hasattr(refusal, "error_dict"):
            errors = list(pointers(refusal.message_dict))
            return body(400, summary(errors), type=INVALID, title="Invalid input", errors=errors)
        return body(409, " ".join(refusal.messages), type=STATE_CONFLICT, title="Conflict")
    return None
