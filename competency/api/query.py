"""Query parameters read strictly: a value the schema does not allow is a
400 naming the parameter, never silently read as its default."""

import django_filters
from django import forms
from rest_framework.exceptions import ValidationError

from competency.numbers import positive_number


def _once(request, name):
    """The parameter's value, or None when absent; given twice is a 400 (a
    list where the schema says one value)."""
    values = request.query_params.getlist(name)
    if len(values) > 1:
        raise ValidationError({name: ["Give it once."]})
    return values[0] if values else None


def flag(request, name):
    """A boolean parameter (`true` or `false`); absent is false."""
    value = _once(request, name)
    if value is None:
        return False
    if value not in ("true", "false"):
        raise ValidationError({name: ["Give true or false."]})
    return value == "true"


def whole_number(request, name, *, maximum=None):
    """A whole number from 1 (up to `maximum`); absent is None."""
    value = _once(request, name)
    if value is None:
        return None
    number = positive_number(value)
    if not number or (maximum is not None and number > maximum):
        bound = f" to {maximum}" if maximum is not None else ""
        raise ValidationError({name: [f"Give a whole number from 1{bound}."]})
    return number


class TrueOrFalseField(forms.Field):
    """`true` or `false`, as the schema's boolean is written in a query;
    anything else is refused (Django's NullBooleanField reads it as absent)."""

    def to_python(self, value):
        if value in (None, ""):
            return None
        if value not in ("true", "false"):
            raise forms.ValidationError("Give true or false.")
        return value == "true"


class TrueOrFalseFilter(django_filters.BooleanFilter):
    field_class = TrueOrFalseField
