"""The OpenAPI schema's shared parts.

The interchange formats' own JSON Schemas (role-profile/1 in
profiles/schema/, framework/1 in competency/schema/), named by the API
modules that send them (`document`), become components of the OpenAPI
document, so a client generated from it knows a version's document field by
field. The schema is OpenAPI 3.1, whose schema objects
are JSON Schema 2020-12: the files go in unchanged except that their
`$defs` become components of their own and the references follow them.
"""

import copy
import json

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter

from competency.api.problems import CONTENT_TYPE
from competency.problems import TYPES

PROBLEM = "Problem"

# The interchange formats' JSON Schema files by component name; see `document`.
DOCUMENTS = {}


def document(component, path):
    """Make an interchange format's JSON Schema file a component of the
    OpenAPI document; the name it returns is for `ref`."""
    DOCUMENTS[component] = path
    return component


def ref(name):
    return {"$ref": f"#/components/schemas/{name}"}


def _as_components(name, path):
    schema = json.loads(path.read_text(encoding="utf-8"))
    definitions = schema.pop("$defs", {})
    schema.pop("$schema", None)
    # The $id would make the references resolve against the file's address.
    schema.pop("$id", None)
    names = {key: f"{name}_{key[0].upper()}{key[1:]}" for key in definitions}

    def rewrite(value):
        if isinstance(value, dict):
            if isinstance(value.get("$ref"), str) and value["$ref"].startswith("#/$defs/"):
                value = {**value, "$ref": ref(names[value["$ref"][len("#/$defs/") :]])["$ref"]}
            return {key: rewrite(item) for key, item in value.items()}
        if isinstance(value, list):
            return [rewrite(item) for item in value]
        return value

    components = {name: rewrite(schema)}
    components.update({names[key]: rewrite(item) for key, item in definitions.items()})
    return components


def components():
    problem = {
        "type": "object",
        "description": "RFC 9457 problem details: the shape of every error.",
        "required": ["type", "title", "status", "detail"],
        "properties": {
            "type": {
                "type": "string",
                "format": "uri-reference",
                "description": "What kind of problem it is: one of\n\n"
                + "\n".join(f"- `{name}`: {meaning}" for name, meaning in TYPES.items()),
                "examples": list(TYPES),
            },
            "title": {"type": "string", "examples": ["Precondition Failed"]},
            "status": {"type": "integer", "examples": [412]},
            "detail": {"type": "string"},
            "errors": {
                "type": "array",
                "description": "For invalid input: each message with a JSON pointer "
                "into the request body.",
                "items": {
                    "type": "object",
                    "required": ["pointer", "detail"],
                    "properties": {
                        "pointer": {"type": "string", "examples": ["#/title"]},
                        "detail": {"type": "string"},
                    },
                },
            },
        },
    }
    documents = {}
    for name, path in DOCUMENTS.items():
        documents.update(_as_components(name, path))
    return {**documents, PROBLEM: problem}


def file_body(limit, description):
    """A request body sent as a file's bytes (a CSV, a workbook, a page's
    text): `format: binary`, so that a generated client sends bytes as they
    are (openapi-python-client makes a `File` of it), and the importer's
    limit in bytes as its maxLength."""
    return {
        "type": "string",
        "format": "binary",
        "minLength": 1,
        "maxLength": limit,
        "description": f"{description} At most {limit:,} bytes (larger: 413).",
    }


def only_the_api(endpoints):
    """Preprocessing hook: the schema describes /api/v1/ only."""
    return [endpoint for endpoint in endpoints if endpoint[0].startswith("/api/v1/")]


# What a serializer cannot say of itself (one field or the other), added to
# its component by name: {component: {keyword: value}}. See `constrain`.
CONSTRAINTS = {}


def constrain(component, **keywords):
    """Add JSON Schema keywords to a generated component, e.g.
    `constrain("ItemAddRequest", description=..., **{"not": {...}})`."""
    CONSTRAINTS[component] = keywords


def add_components(result, generator, request, public):
    """Postprocessing hook: the interchange schemas, the problem shape and
    the constraints of `constrain`."""
    headers = result.setdefault("components", {}).setdefault("headers", {})
    headers.update(copy.deepcopy(HEADER_COMPONENTS))
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    for name, schema in components().items():
        schemas.setdefault(name, copy.deepcopy(schema))
    for name, keywords in CONSTRAINTS.items():
        if name in schemas:
            schemas[name].update(copy.deepcopy(keywords))
    return result


# --- Conditional headers and error responses in every operation -------------

# `*`, or a list of entity tags as the ETag header gives them (RFC 9110;
# competency/api/conditional.py): anything else is 400.
ENTITY_TAG = r'^(\*|\s*(W/)?"[^"]*"\s*(,\s*(W/)?"[^"]*"\s*)*)$'
IF_MATCH = OpenApiParameter(
    "If-Match",
    {"type": "string", "pattern": ENTITY_TAG},
    OpenApiParameter.HEADER,
    required=True,
    description="The ETag of the resource as you last read it (or several, comma-separated; "
    "compared strongly, so a weak `W/` tag never matches). Without it: 428; malformed: 400; "
    "when none is current: 412 with the current ETag, and nothing is written.",
)
# Every request may carry one (competency/request_id.py, a middleware of
# every route): said on every operation. No pattern or length in the schema,
# as none is refused: a value that is not a usable id is replaced.
REQUEST_ID = OpenApiParameter(
    "X-Request-ID",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description="An id of your own for this request, to trace it in both systems' logs: "
    "kept when it is 1-200 letters, digits or `._:=+/-`, otherwise replaced by one of "
    "ours. Every log line the request causes names it, and the answer's X-Request-ID "
    "header gives it back.",
)
IF_NONE_MATCH = OpenApiParameter(
    "If-None-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description="The ETag you hold: 304 with no body when it is still current.",
)
# The help text of a row's `etag` field: lists carry each row's ETag, so a
# sync needs no GET per row.
ROW_ETAG = (
    "The row's ETag, as the ETag header gives it (quotes included): send it in If-Match or "
    "If-None-Match without reading the row first."
)
IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    # competency.api.idempotency.MAX_KEY, and not blank.
    {"type": "string", "minLength": 1, "maxLength": 255, "pattern": r"\S"},
    OpenApiParameter.HEADER,
    description="Any unique text (a UUID). A retry with the same key gets the first answer "
    "and writes nothing twice; the same key with another request is 422.",
)

ERRORS = {
    400: "Invalid input; `errors` points at each field.",
    401: "No valid sign-in: send a live token or sign in.",
    403: "Signed in, but this needs rights you do not have (HR).",
    404: "No such resource, or not one you may see.",
    405: "That method is not allowed here.",
    406: "None of the formats in Accept can be given.",
    409: "The resource's state does not allow it (e.g. publishing what is not a draft).",
    412: "The resource changed since the ETag in If-Match; nothing was written.",
    415: "The body's Content-Type is not one this operation reads.",
    422: "The Idempotency-Key was used for another request.",
    428: "If-Match is required.",
    429: "Too many requests: wait the seconds in Retry-After.",
}


def _header(description, **schema):
    return {"description": description, "schema": {"type": "string", **schema}}


# Response headers, components of the document (add_components) that each
# response names by reference.
HEADER_COMPONENTS = {
    "RateLimit-Policy": _header(
        "The rate limit that applies to you (draft-ietf-httpapi-ratelimit-headers): "
        '`"caller";q=600;w=60` is 600 requests in each 60-second window.'
    ),
    "RateLimit": _header(
        'Where you stand: `"caller";r=598;t=41` is 598 requests left, the window '
        "resetting in 41 seconds."
    ),
    "CurrentETag": _header("The resource's ETag now: read it again, then retry with it."),
    "Retry-After": {
        "description": "Seconds to wait before the window resets.",
        "schema": {"type": "integer", "minimum": 1},
    },
    "Link": _header('The next and previous pages (RFC 8288): `<https://...?page=2>; rel="next"`.'),
}


def header_ref(name):
    return {"$ref": f"#/components/headers/{name}"}


# competency/api/throttling.py: on every answer that was counted.
RATE_LIMIT_HEADERS = {name: header_ref(name) for name in ("RateLimit-Policy", "RateLimit")}
HEADERS_BY_STATUS = {
    "412": {"ETag": header_ref("CurrentETag")},
    "429": {"Retry-After": header_ref("Retry-After")},
}
LINK_HEADER = header_ref("Link")


class ProblemAutoSchema(AutoSchema):
    """Every operation says which problems it may answer, each with the
    problem details shape."""

    def get_override_parameters(self):
        return [*super().get_override_parameters(), REQUEST_ID]

    def _problem_codes(self):
        method = self.method.upper()
        codes = {401, 403, 405, 406, 429}
        if "{" in self.path:
            codes.add(404)
        if method in ("POST", "PUT", "PATCH", "DELETE"):
            codes |= {400, 409, 415}
        elif self._is_list_view():
            codes.add(400)  # an invalid filter
            if self._is_a_paginated_list():
                codes.add(404)  # a page past the last, a cursor that is not ours
        parameters = self.get_override_parameters()
        names = {getattr(parameter, "name", None) for parameter in parameters}
        if any(getattr(parameter, "location", None) == "query" for parameter in parameters):
            codes.add(400)  # a query parameter it refuses (competency.api.query)
        if "If-Match" in names:
            codes |= {412, 428}
        if "Idempotency-Key" in names:
            codes.add(422)
        # What a view answers beyond its shape says, e.g. 404 to someone
        # outside the people it covers (appraisals/api/insight.py).
        codes |= set(getattr(self.view, "problem_codes", ()))
        return codes

    def _is_list_view(self, serializer=None):
        # A view whose `list` answers one document (a heatmap, a readiness
        # report), not a list of rows: its body is the serializer's shape.
        if getattr(self.view, "answers_one_document", False):
            return False
        return super()._is_list_view(serializer)

    def _is_a_paginated_list(self):
        return self._is_list_view() and self._get_paginator() is not None

    def _get_request_body(self, direction="request"):
        body = super()._get_request_body(direction)
        # A body given by media type (a file or a document to import) is the
        # whole point of the call: required, as a serializer's body is.
        # So is a body whose serializer says it must be sent although none
        # of its fields is required alone (one of two, or a PATCH's list).
        serializer = self.get_request_serializer()
        if body is not None and (
            isinstance(serializer, dict) or getattr(serializer, "body_required", False)
        ):
            body["required"] = True
        return body

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for code in sorted(self._problem_codes()):
            responses.setdefault(
                str(code),
                {
                    "description": ERRORS[code],
                    "content": {CONTENT_TYPE: {"schema": ref(PROBLEM)}},
                },
            )
        for code, response in responses.items():
            headers = response.setdefault("headers", {})
            headers.update(RATE_LIMIT_HEADERS)
            headers.update(HEADERS_BY_STATUS.get(code, {}))
            if code == "200" and self._is_a_paginated_list():
                headers["Link"] = LINK_HEADER
        return responses


class TokenScheme(OpenApiAuthenticationExtension):
    """How the schema describes integrations' tokens."""

    target_class = "competency.api.authentication.TokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        from competency.api.models import AREAS

        areas = "; ".join(f"`{area}`: {words}" for area, words in AREAS.items())
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Token <token>`: a token HR made at /api/tokens/, acting as its "
            "person, never with more than their rights. Its scopes may take some away: "
            "`AREA:read` (safe methods) or `AREA:write` (any method; includes read), for "
            f"each area ({areas}). Each operation's security requirement names the scope "
            "it needs; a token without it gets 403.",
        }

    def get_security_requirement(self, auto_schema):
        # OpenAPI 3.1 lets an apiKey requirement list the roles it needs:
        # here the token scope of competency/api/scopes.py.
        from competency.api.scopes import scopes_needed

        return {self.name: scopes_needed(auto_schema.view, auto_schema.method)}
