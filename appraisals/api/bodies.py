"""JSON bodies in and out, for the routes that write through a page's
form: a body must be an object, dates go out as the JSON text they came in
as, and a form's errors come back as the API's field errors."""

from rest_framework import serializers


def form_errors(form, renamed=None):
    """A bound form's errors as the API's field errors (the page's messages,
    under the API's field names)."""
    renamed = renamed or {}
    return {renamed.get(name, name): list(messages) for name, messages in form.errors.items()}


def day(value):
    """A date as the JSON text it is sent as: bodies are kept as JSON for
    Idempotency-Key replays, which know no date objects."""
    return None if value is None else value.isoformat()


def body_dict(request):
    if not isinstance(request.data, dict):
        raise serializers.ValidationError("Send a JSON object.")
    return request.data


def dates_as_text(values):
    return {k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in values.items()}
