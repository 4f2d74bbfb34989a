"""Query parameters read strictly: a value the schema does not allow is a
400 naming the parameter, never silently read as its default."""

import django_filters
from django import forms
from rest_framework.exceptions import ValidationError

from competency.numbers import positive_number


def once(request, name):
    """The parameter's value, or None when absent; given twice is a 400 (a
    list where the schema says one value)."""
    values = request.query_params.getlist(name)
    if len(values) > 1:
        raise ValidationError({name: ["Give it once."]})
    return values[0] if values else None


TRUE_OR_FALSE = "Give true or false."


def _true_or_false(value):
    """A boolean as the schema writes it in a query; None for anything else."""
    return {"true": True, "false": False}.get(value)


def flag(request, name):
    """A boolean parameter (`true` or `false`); absent is false."""
    value = once(request, name)
    if value is None:
        return False
    if _true_or_false(value) is None:
        raise ValidationError({name: [TRUE_OR_FALSE]})
    return _true_or_false(value)


def checked(serializer_class, request):
    """The query string read by a serializer, strictly: DRF reads a blank
    parameter as absent and a repeated one as its last value; here both are
    a 400 naming the parameter, as are the serializer's own refusals."""
    for name, field in serializer_class().fields.items():
        if once(request, name) == "" and not getattr(field, "allow_blank", False):
            raise ValidationError({name: ["Give a value, or leave it out."]})
    given = serializer_class(data=request.query_params)
    given.is_valid(raise_exception=True)
    return given.validated_data


def whole_number(request, name, *, maximum=None):
    """A whole number from 1 (up to `maximum`); absent is None."""
    value = once(request, name)
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
        if _true_or_false(value) is None:
            raise forms.ValidationError(TRUE_OR_FALSE)
        return _true_or_false(value)


class TrueOrFalseFilter(django_filters.BooleanFilter):
    field_class = TrueOrFalseField
