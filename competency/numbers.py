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
