"""The REST API's plumbing, shared by every app's api/ package. It imports
no app above it: an app's refusals declare their own status and problem
type (competency/problems.py), its interchange schemas are named with
`schema.document`, and its viewsets are registered by the project's URLconf.

- problems: one error shape (RFC 9457 problem details) for every error;
  services' ValidationError is 400 (field errors) or 409; an exception that
  is a competency.problems.Problem answers as it declares;
- conditional: ETags, If-Match (428/412) and If-None-Match (304);
- authentication, models, tokens: integrations' tokens, stored hashed, and
  HR's page for them;
- idempotency: Idempotency-Key on POSTs that create;
- throttling, pagination, schema, views: per-caller rates (counted before
  permissions), pages and cursors, the OpenAPI schema's shared parts, base
  viewsets;
- urls: the schema, its docs and the problem-details 404 around the one
  router under /api/v1/ (competency/urls.py) that each app's viewsets join.

Adding a resource (see profiles/api/):

1. In a module of the app's api/ package, a viewset deriving from competency.api.views
   (GenericViewSet or ReadOnlyModelViewSet) with a docstring;
   get_queryset() returns the model's visible_to(request.user), so a hidden
   row is 404 and never listed; permission_classes from
   competency.api.permissions for who may call it at all (403).
2. Writes call the pages' service functions, never a copy of their rules.
   A write takes If-Match and checks it inside its transaction, under the
   service's row lock: pass `confirmed=if_match(request)` to a service that
   takes it, or lock and compare in the same `transaction.atomic()` before
   calling it. Answer with `with_etag(Response(...), fingerprint)`; a read
   returns `not_modified(request, fingerprint)` when it can.
3. Raise, don't build error responses: DRF's exceptions, Django's
   ValidationError from a service, Http404. The exception handler shapes
   them all.
4. POSTs that create: decorate the method with @idempotent.
5. Describe it with extend_schema (IF_MATCH, IF_NONE_MATCH, IDEMPOTENCY_KEY
   from competency.api.schema add the headers; the problem responses are
   added to every operation), register it in competency/urls.py, then
   `make schema` and commit openapi.yaml.
"""
