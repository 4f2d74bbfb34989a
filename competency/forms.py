"""What every page's forms share."""

import calendar
from datetime import date, datetime

from django import forms
from django.core.exceptions import ValidationError
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
    if month_number is None:
        raise _NotADate(f"{label} must be a real date", ["month"], "invalid")
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

