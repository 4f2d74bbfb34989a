"""The REST API's plumbing, shared by every app's api.py.

- problems: one error shape (RFC 9457 problem details) for every error;
- conditional: ETags, If-Match (428/412) and If-None-Match (304);
- authentication, models: integrations' tokens, stored hashed;
- idempotency: Idempotency-Key on POSTs that create;
- throttling, pagination, schema: per-caller rates, pages and cursors,
  and the OpenAPI schema's shared components;
- urls: the one router under /api/v1/ that each app's viewsets join.
"""
