"""Parse JSON from an uploaded file within bounds.

`json.loads` fails on hostile input in ways that are not `JSONDecodeError`:
nesting thousands deep raises `RecursionError` (and anything that walks the
result recursively, such as schema validation, would hit it next), and an
integer of more than 4,300 digits raises a plain `ValueError`. A few passes
over the text at C speed find both before parsing, so the reader can say
what is wrong instead of failing with a traceback.
"""

import json
import re

# An integer longer than this cannot be anything our documents hold (ranks,
# levels and version numbers are small), so it is refused by its length,
# long before Python's own 4,300-digit limit.
MAX_NUMBER_DIGITS = 100

# A JSON string, skipped so that brackets and digits inside text do not count.
# One left open runs to the end of the text, so no quote makes the search
# start over (which would take quadratic time on a file of escaped quotes).
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*(?:"|\Z)', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_BRACKETS = str.maketrans("[{]}", "(())")
# Only tried where a run of digits begins, so a long run costs one look, not
# one per digit.
_LONG_NUMBER = re.compile(rf"(?<!\d)\d{{{MAX_NUMBER_DIGITS + 1}}}")


class JSONInputError(ValueError):
    """The text breaks one of the limits."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def load_json(text: str, *, max_depth: int, max_size: int, parse_constant=None):
    """The parsed value of `text`. Raises JSONInputError when it is longer
    than `max_size` characters, nests deeper than `max_depth` brackets or
    holds a number longer than MAX_NUMBER_DIGITS, and json.JSONDecodeError
    when it is not JSON. `parse_constant` is json.loads' (called for NaN
    and Infinity)."""
    if len(text) > max_size:
        raise JSONInputError(
            f"the file holds {len(text) / 1024 / 1024:,.0f} MB of JSON; "
            f"the most this format may take is {max_size / 1024 / 1024:,.0f} MB"
        )
    outside_strings = _STRING.sub("", text)
    long_number = _LONG_NUMBER.search(outside_strings)
    if long_number:
        raise JSONInputError(
            f"a number is too long: more than {MAX_NUMBER_DIGITS} digits "
            f"(it begins {long_number.group()[:12]}…)"
        )
    if _deeper_than(_NOT_BRACKET.sub("", outside_strings), max_depth):
        raise JSONInputError(
            f"the JSON is nested too deeply: more than {max_depth} levels of brackets, "
            "more than the format ever needs"
        )
    try:
        return json.loads(text, parse_constant=parse_constant)
    except json.JSONDecodeError:
        raise
    # The checks above should make these impossible; if a case slips past
    # them, it still gets a message rather than a traceback.
    except RecursionError as exc:
        raise JSONInputError("the JSON is nested too deeply") from exc
    except ValueError as exc:
        raise JSONInputError(f"a number is too long: {exc}") from exc


def _deeper_than(brackets, max_depth):
    """Whether a string of brackets nests deeper than max_depth.

    Each pass removes every pair with nothing inside it, so a pair nested k
    deep is gone after k passes: one left after max_depth passes is deeper.
    Openers never closed (a file cut short) count too: json.loads would
    recurse into them before noticing the end."""
    nest = brackets.translate(_BRACKETS)
    for _ in range(max_depth):
        if "()" not in nest:
            break
        nest = nest.replace("()", "")
    return "()" in nest or nest.count("(") > max_depth


def unstorable_text(value, path="$"):
    """The JSON path of the first string no database here can store (a NUL,
    which PostgreSQL refuses, or a lone surrogate, which is no character at
    all), or None."""
    if isinstance(value, str):
        if "\x00" in value or any("\ud800" <= char <= "\udfff" for char in value):
            return path
    elif isinstance(value, dict):
        for key, item in value.items():
            if found := unstorable_text(item, f"{path}.{key}"):
                return found
    elif isinstance(value, list):
        for index, item in enumerate(value):
            if found := unstorable_text(item, f"{path}[{index}]"):
                return found
    return None


UNSTORABLE = "the text holds a character that cannot be stored (a NUL or a lone surrogate)"
