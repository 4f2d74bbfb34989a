"""What every page's forms share: the date input, the choose box, and the
sign-in form."""

import calendar
import re
from datetime import date, datetime
from typing import NamedTuple

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.functional import lazy


def add_errors(form, error):
    """A service's ValidationError on the form, by field where it names one:
    the services decide, and the form shows why, beside what was typed."""
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


class SignInForm(AuthenticationForm):
    """Django's sign-in form, whose one refusal also says that a leaver's
    account no longer signs in. One message for a wrong password and a
    closed account alike: a message of its own for the closed one would
    tell whoever guessed a leaver's password that they had it right (and
    that the account exists), which the wrong-password message never does.
    The backend takes the same time for both (roles.Backend.authenticate)."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": (
            "Please enter a correct %(username)s and password. Note that both fields may be "
            "case-sensitive, and that the account of someone whose leaving date has come can "
            "no longer sign in."
        ),
    }


# --- Dates ---------------------------------------------------------------------------
#
# GOV.UK's date input: a day, a month and a year, each its own box, in one
# fieldset. One widget and one field, used by every date of every page's form,
# so every date is typed the same way and refused in the same words.

PARTS = ("day", "month", "year")

# Months may be typed as their number, their name or its first three letters
# (and "sept"), as people write them.
_MONTHS = {name.lower(): number for number, name in enumerate(calendar.month_name) if name}
_MONTHS |= {name[:3]: number for name, number in _MONTHS.items()} | {"sept": 9}


class DayMonthYear(forms.Widget):
    """The three boxes (named `<name>-day`, `-month`, `-year`), drawn by
    templates/includes/date_input.html. A form given one value under the
    field's own name and no box (the API, which writes dates as YYYY-MM-DD
    text, or a page's hidden input) reads that instead."""

    input_type = "day_month_year"

    def __init__(self, attrs=None):
        super().__init__(attrs)
        # The box the error summary links to: the first one in error.
        self.first_in_error = "day"

    def value_from_datadict(self, data, files, name):
        boxes = [f"{name}-{part}" for part in PARTS]
        if name in data and not any(box in data for box in boxes):
            return data.get(name)
        return [data.get(box, "") for box in boxes]

    def value_omitted_from_data(self, data, files, name):
        return name not in data and all(f"{name}-{part}" not in data for part in PARTS)

    def id_for_label(self, id_):
        return f"{id_}-{self.first_in_error}" if id_ else id_


def _example_hint():
    return f"For example, 27 3 {timezone.localdate().year}"


class _NotADate(ValidationError):
    """A date refused, with the boxes the message is about."""

    def __init__(self, message, parts, code):
        super().__init__(message, code=code)
        self.parts = list(parts)


def read_date(value, label):
    """The date in what was typed (the three boxes' values, or one text as
    YYYY-MM-DD), None for nothing typed; _NotADate saying why not, in
    GOV.UK's words, naming the date by its label."""
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        return _from_text(value.strip(), label)
    day, month, year = (str(part).strip() for part in (value or ["", "", ""]))
    if not (day or month or year):
        return None
    missing = [part for part, typed in zip(PARTS, (day, month, year), strict=True) if not typed]
    if missing:
        raise _NotADate(f"{label} must include a {' and '.join(missing)}", missing, "incomplete")
    if not day.isdigit():
        raise _NotADate(f"{label} must be a real date", ["day"], "invalid")
    month_number = int(month) if month.isdigit() else _MONTHS.get(month.lower().rstrip("."))
    if month_number is None or not 1 <= month_number <= 12:
        raise _NotADate(f"{label} must be a real date", ["month"], "invalid")
    if not 1 <= int(day) <= 31:
        raise _NotADate(f"{label} must be a real date", ["day"], "invalid")
    if not (year.isdigit() and len(year) == 4):
        raise _NotADate(f"{label} must include a year with 4 numbers", ["year"], "year")
    try:
        return date(int(year), month_number, int(day))
    except ValueError:
        raise _NotADate(f"{label} must be a real date", PARTS, "invalid") from None


def _from_text(text, label):
    if not text:
        return None
    try:
        return datetime.strptime(text, "%Y-%m-%d").date()
    except ValueError:
        raise _NotADate(
            f"{label} must be a real date, written as YYYY-MM-DD", PARTS, "invalid"
        ) from None


class DateField(forms.Field):
    """A date typed as day, month and year, with GOV.UK's messages, which
    name the field as its label says ("Closes on must include a year").

    error_messages["required"] says what to enter when nothing is ("Enter
    the date the cycle closes"); without one it is "Enter the <label>"."""

    widget = DayMonthYear

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", lazy(_example_hint, str)())
        super().__init__(**kwargs)
        # The boxes drawn in red: those the error is about.
        self.parts_in_error = ()

    def clean(self, value):
        self.parts_in_error = ()
        self.widget.first_in_error = "day"
        try:
            return super().clean(value)
        except _NotADate as error:
            self.parts_in_error = error.parts
            self.widget.first_in_error = error.parts[0]
            raise

    def to_python(self, value):
        return read_date(value, str(self.label or "The date"))

    def validate(self, value):
        if value is None and self.required:
            message = str(self.error_messages["required"])
            if message == str(forms.Field.default_error_messages["required"]):
                message = f"Enter the {str(self.label or 'date').lower()}"
            raise _NotADate(message, PARTS, "required")

    def prepare_value(self, value):
        """The three boxes' values: what was typed, or a date's parts."""
        if isinstance(value, date):
            return [str(value.day), str(value.month), str(value.year)]
        if isinstance(value, (list, tuple)):
            return [str(part) for part in value]
        if isinstance(value, str) and value:
            try:
                return self.prepare_value(datetime.strptime(value, "%Y-%m-%d").date())
            except ValueError:
                return [value, "", ""]
        return ["", "", ""]

    def has_changed(self, initial, data):
        try:
            return read_date(data, "") != initial
        except ValidationError:
            return True


# --- Choosing one of many by what is typed ---------------------------------------------
#
# A text box that takes a name (or another key, such as an employee id) and,
# when several rows match, comes back with a radio list of them to choose
# from. Works without JavaScript; with it, app.mjs turns the box into GOV.UK's
# accessible autocomplete, fed by the suggestions the field gives (a page's
# JSON endpoint calls ChooseField.suggestions()).


class Typed(NamedTuple):
    """What a choose box sent: the text typed and the radio chosen, if any."""

    text: str
    choice: str = ""


class ChooseInput(forms.Widget):
    """The box (named as the field) and its radios (`<name>-choice`), drawn
    by templates/includes/choose.html."""

    input_type = "choose"

    def value_from_datadict(self, data, files, name):
        text = data.get(name)
        return Typed("" if text is None else str(text), str(data.get(f"{name}-choice") or ""))

    def value_omitted_from_data(self, data, files, name):
        return name not in data


class ChooseField(forms.Field):
    """One row of `queryset`, chosen by what was typed: its key exactly
    (`key_field`, case aside), the text that a suggestion writes ("Mo Khan
    (DV002)"), its whole name, or words of its name that only it has. When
    several match, the error asks to choose and `matches` holds the first
    LIMIT of them for the radios; a radio chosen counts while the text still
    matches it. Nothing matching is an error naming what was typed.

    A subclass names its rows: `key_field`, `name_field`, `describe(row)`
    (the radio's hint) and the messages. `suggest_url` feeds the
    autocomplete. The queryset is the caller's to narrow to what the reader
    may see (see appraisals.forms.PersonField)."""

    widget = ChooseInput
    LIMIT = 10
    MAX_LENGTH = 200
    key_field = "pk"
    name_field = "name"
    default_error_messages = {
        "required": "Enter a name",
        "no_match": "Nothing matches “{text}”",
        "several": "{count} match “{text}”: choose one",
        "too_many": "More than {limit} match “{text}”: choose one of these, or type more",
    }

    def __init__(self, *, queryset, suggest_url="", **kwargs):
        super().__init__(**kwargs)
        self.queryset = queryset
        self.suggest_url = suggest_url
        self.matches, self.chosen = [], None

    def __deepcopy__(self, memo):
        copy = super().__deepcopy__(memo)
        copy.matches, copy.chosen = [], None
        return copy

    # What a subclass may change.

    def text_for(self, row):
        """What a chosen row reads as in the box: its name and key."""
        return f"{getattr(row, self.name_field)} ({getattr(row, self.key_field)})"

    def describe(self, row):
        return str(getattr(row, self.key_field))

    def matching(self, rows, text):
        """Rows whose name has every word typed."""
        for word in text.split():
            rows = rows.filter(**{f"{self.name_field}__icontains": word})
        return rows

    def ordered(self, rows):
        return rows.order_by(self.name_field, self.key_field)

    # The choosing.

    def _by_key(self, key):
        return self.queryset.filter(**{f"{self.key_field}__iexact": key}).first()

    def find(self, text, choice=""):
        """(the row chosen, or None; the matches to choose from when
        several; whether more than those match)."""
        text = " ".join(text.split())[: self.MAX_LENGTH]
        if not text:
            return None, [], False
        if choice.isdigit():
            chosen = self.matching(self.queryset, text).filter(pk=int(choice)).first()
            if chosen is not None:
                return chosen, [], False
        suggested = re.fullmatch(r"(.*?)\s*\(([^()]+)\)", text)
        if suggested:
            row = self._by_key(suggested[2].strip())
            name = suggested[1].strip()
            if row is not None and (
                not name or getattr(row, self.name_field).lower() == name.lower()
            ):
                return row, [], False
        row = self._by_key(text)
        if row is not None:
            return row, [], False
        named = list(self.queryset.filter(**{f"{self.name_field}__iexact": text})[:2])
        if len(named) == 1:
            return named[0], [], False
        found = list(self.ordered(self.matching(self.queryset, text))[: self.LIMIT + 1])
        if len(found) == 1:
            return found[0], [], False
        return None, found[: self.LIMIT], len(found) > self.LIMIT

    def clean(self, value):
        typed = value if isinstance(value, Typed) else Typed("" if value is None else str(value))
        text = " ".join(typed.text.split())
        self.matches, self.chosen = [], None
        if not text:
            if self.required:
                raise ValidationError(self.error_messages["required"], code="required")
            return None
        row, self.matches, more = self.find(text, typed.choice)
        shown = text[:50]
        if row is not None:
            self.chosen = (typed, row)
            return row
        if not self.matches:
            raise ValidationError(
                self.error_messages["no_match"].format(text=shown), code="no_match"
            )
        if more:
            message = self.error_messages["too_many"].format(text=shown, limit=self.LIMIT)
            raise ValidationError(message, code="too_many")
        message = self.error_messages["several"].format(text=shown, count=len(self.matches))
        raise ValidationError(message, code="several")

    def prepare_value(self, value):
        """The box's text: a chosen row's own text once the field found it
        (so a page shown again, or a confirmation's hidden input, names it
        exactly), otherwise what was typed."""
        if isinstance(value, Typed):
            if self.chosen is not None and self.chosen[0] == value:
                return self.text_for(self.chosen[1])
            return value.text
        if isinstance(value, models.Model):
            return self.text_for(value)
        return "" if value is None else str(value)

    def has_changed(self, initial, data):
        return self.prepare_value(initial) != self.prepare_value(data)

    def suggestions(self, text):
        """The autocomplete's rows for what is typed so far: a key exactly
        first, then names, at most LIMIT."""
        text = " ".join(text.split())[: self.MAX_LENGTH]
        if not text:
            return []
        exact = self._by_key(text)
        rows = self.ordered(self.matching(self.queryset, text))
        if exact is not None:
            rows = rows.exclude(pk=exact.pk)
        found = ([exact] if exact is not None else []) + list(rows[: self.LIMIT])
        return [
            {
                "value": self.text_for(row),
                "name": getattr(row, self.name_field),
                "hint": self.describe(row),
            }
            for row in found[: self.LIMIT]
        ]
