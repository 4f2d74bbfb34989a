"""What a refusal means to a caller, declared by the exception that says it.

The API answers every error as RFC 9457 problem details
(competency/api/problems.py). A refusal of an app's own (a file that cannot
be imported, a draft changed while someone edited it) inherits from Problem
and says its status, type and title here, where it is raised; the API's
plumbing reads them and so knows no app above it.
"""

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


class FileProblem(Problem):
    """Input sent to an import that cannot be imported as it is."""

    problem_title = FILE_REFUSED


class ChangedProblem(Problem):
    """What the caller confirmed (a preview, a form) changed before the write:
    nothing was written."""

    problem_status = 409
    problem_type = CHANGED
    problem_title = CHANGED_TITLE
