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


def typed(values, *, dates=(), texts=(), nullable=()):
    """`values` (a JSON object sent for a page's form) with each named field
    of the JSON type the schema gives it, else a 400 naming the field: a
    form would turn `true` into the text "True" and fail on a date sent as a
    number or a list. Dates and texts are JSON strings; those in `nullable`
    may be null."""
    errors = {}
    for name in (*dates, *texts):
        value = values.get(name)
        if name not in values or isinstance(value, str) or (value is None and name in nullable):
            continue
        errors[name] = [
            "Give a date as text, YYYY-MM-DD." if name in dates else "Give text (a JSON string)."
        ]
    if errors:
        raise serializers.ValidationError(errors)
    return values


def dates_as_text(values):
    return {k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in values.items()}
