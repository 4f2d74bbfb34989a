"""Numbers typed or posted by people: an id, a position, a version.

One rule for all of them, so none can be a crash: plain ASCII digits of a
sane length, or None (which finds nothing). int() of thousands of digits
is slow and then refused, and "²" passes str.isdigit()."""

MAX_DIGITS = 9


def positive_number(value):
    if isinstance(value, int) and not isinstance(value, bool):
        return value if value >= 0 else None
    if isinstance(value, str) and 0 < len(value) <= MAX_DIGITS and value.isascii():
        return int(value) if value.isdecimal() else None
    return None


def portable_range(model, name):
    """An integer field's bounds as every database we run on stores it:
    PostgreSQL's (a smallint, an integer...), which SQLite's any-size
    integers contain. Serializers pass these as min_value/max_value so the
    API validates, and its schema reads, the same on both."""
    from django.db.backends.base.operations import BaseDatabaseOperations

    internal_type = model._meta.get_field(name).get_internal_type()
    low, high = BaseDatabaseOperations.integer_field_ranges[internal_type]
    return {"min_value": low, "max_value": high}
