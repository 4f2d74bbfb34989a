"""Forms of the appraisals pages: HR's people and cycles, and the appraisal
itself; the lists' filters are appraisals/filters.py. The rules stay in the
services (people.py, cycles.py, workflow.py, plans.py): these only read
what was typed and name the field an error belongs to."""

from django import forms
from django.db.models import Exists, OuterRef
from django.urls import reverse_lazy
from django.utils.text import format_lazy

from appraisals.cycles import OVERLAPPING_CHOICES, Scope
from appraisals.importing import Mode
from appraisals.models import (
    Cycle,
    DevelopmentAction,
    Objective,
    Person,
    ProbationDecision,
)
from competency.forms import ChooseField, DateField
from competency.roles import is_hr
from profiles.models import JobFamily, RoleProfile


def _date(label, required=False, **kwargs):
    return DateField(label=label, required=required, **kwargs)


def choosable_people(user, *, managers=False):
    """Whom `user` may choose on a page: the people they may see who have
    not left; with `managers`, only those with reports. The one rule for
    every form's PersonField and the autocomplete's suggestions."""
    people = Person.objects.visible_to(user).current()
    if managers:
        people = people.filter(Exists(Person.objects.filter(line_manager=OuterRef("pk"))))
    return people


class PersonField(ChooseField):
    """A person chosen by name or employee id (competency.forms.ChooseField:
    radios when several match, GOV.UK's accessible autocomplete with
    JavaScript). Every form that chooses a person or a manager uses it.

    A page's form calls for_user(reader) (the forms here take `user=`), so
    that only people the reader may see are found or suggested. Without a
    reader (the API, whose callers name a person by employee id) only an
    exact employee id is taken."""

    key_field = "employee_id"
    default_error_messages = {
        "required": "Enter their name or employee id",
        "no_match": "No one matches “{text}”: enter their name or employee id",
        "several": "{count} people match “{text}”: choose one",
        "too_many": "More than {limit} people match “{text}”: choose one of these, or type "
        "more of their name",
        "no_employee_id": "No person has the employee id {text}",
    }

    def __init__(self, *, managers=False, **kwargs):
        self.managers = managers
        kwargs.setdefault("help_text", "Their name or employee id")
        url = reverse_lazy("appraisals:people_suggestions")
        super().__init__(
            queryset=Person.objects.all(),
            suggest_url=format_lazy("{}?managers=1", url) if managers else url,
            **kwargs,
        )
        self.reader = None

    def for_user(self, user):
        """Find and suggest only whom `user` may choose."""
        self.reader = user
        self.queryset = choosable_people(user, managers=self.managers)
        who = "manager" if self.managers else "one"
        where = "" if is_hr(user) else " in your reporting line"
        self.error_messages["no_match"] = (
            f"No {who}{where} matches “{{text}}”: enter their name or employee id"
        )
        return self

    def describe(self, person):
        return ", ".join(filter(None, [person.employee_id, person.job_title]))

    def find(self, text, choice=""):
        if self.reader is None:
            person = self.queryset.filter(employee_id=text.strip()).first()
            if person is None:
                raise forms.ValidationError(
                    self.error_messages["no_employee_id"].format(text=text.strip()[:50]),
                    code="no_match",
                )
            return person, [], False
        return super().find(text, choice)


class PersonForm(forms.ModelForm):
    """A person's details. The line manager is chosen by name or employee id
    and set through people.set_manager by the view (loops refused there)."""

    manager = PersonField(
        label="Line manager",
        required=False,
        help_text="Their name or employee id. Leave empty for someone with no line manager",
    )
    role_profile = forms.ModelChoiceField(
        label="Role profile",
        queryset=RoleProfile.objects.order_by("title"),
        required=False,
        empty_label="No role profile",
    )
    start_date = _date("Start date")
    probation_end_date = _date("Probation end date")
    leaving_date = _date("Leaving date")

    class Meta:
        model = Person
        fields = [
            "employee_id",
            "name",
            "email",
            "job_title",
            "role_profile",
            "start_date",
            "probation_end_date",
            "leaving_date",
        ]
        labels = {"employee_id": "Employee id"}
        error_messages = {
            "employee_id": {"required": "Enter the employee id"},
            "name": {"required": "Enter the name"},
        }

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if user is not None:
            self.fields["manager"].for_user(user)
        if self.instance.pk and self.instance.line_manager_id and not self.is_bound:
            self.initial["manager"] = self.instance.line_manager

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk and self.instance.anonymised_at:
            # Their details were removed for good (appraisals/privacy.py): a
            # form opened before then must not write them back.
            raise forms.ValidationError(
                "This person was anonymised after the retention period: their details can no "
                "longer be changed."
            )
        start, probation = cleaned.get("start_date"), cleaned.get("probation_end_date")
        leaving, email = cleaned.get("leaving_date"), cleaned.get("email")
        if start and probation and probation < start:
            self.add_error("probation_end_date", "Probation cannot end before the start date")
        if start and leaving and leaving < start:
            self.add_error("leaving_date", "The leaving date cannot be before the start date")
        others = Person.objects.exclude(pk=self.instance.pk) if self.instance.pk else Person.objects
        if email and others.filter(email__iexact=email).exists():
            self.add_error("email", "Another person already has this email")
        return cleaned

    def _get_validation_exclusions(self):
        # clean() says these in the page's words; the database's constraints
        # would say "Constraint … is violated" about the same.
        return {*super()._get_validation_exclusions(), "email", "leaving_date"}


class PeopleUploadForm(forms.Form):
    # Asked every time, with no answer chosen: a default would let a file
    # of new starters mark everyone else as left.
    mode = forms.TypedChoiceField(
        label="What is in the file?",
        choices=Mode.choices,
        coerce=Mode,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether the file is the whole organisation"},
    )
    file = forms.FileField(
        label="People file",
        help_text="CSV or XLSX with the columns: employee id, name, email, manager's employee "
        "id, profile slug, job title, start date, probation end date (and, if you want, "
        "leaving date).",
        error_messages={"required": "Choose a file to import"},
    )


class CycleForm(forms.ModelForm):
    opens_on = _date(
        "Opens on", required=True, error_messages={"required": "Enter the date the cycle opens"}
    )
    closes_on = _date(
        "Closes on", required=True, error_messages={"required": "Enter the date the cycle closes"}
    )

    class Meta:
        model = Cycle
        fields = [
            "name",
            "kind",
            "opens_on",
            "closes_on",
            "remind_days_before",
            "overdue_every_days",
            "escalate_after_days",
            "hr_after_days",
        ]
        labels = {
            "remind_days_before": "Remind people this many days before the closing date",
            "overdue_every_days": "While late, remind them again every … days",
            "escalate_after_days": "Tell the manager's manager once it is this many days late",
            "hr_after_days": "Tell HR once it is this many days late",
        }
        error_messages = {"name": {"required": "Enter the cycle's name"}}

    REMINDER_DAYS = ("overdue_every_days", "escalate_after_days", "hr_after_days")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Left empty, a reminder setting keeps its value (or the default).
        for name in self.REMINDER_DAYS:
            self.fields[name].required = False

    def clean(self):
        cleaned = super().clean()
        for name in self.REMINDER_DAYS:
            if cleaned.get(name) is None and name not in self.errors:
                cleaned[name] = getattr(self.instance, name)
        opens, closes = cleaned.get("opens_on"), cleaned.get("closes_on")
        if opens and closes and closes < opens:
            self.add_error("closes_on", "The cycle cannot close before it opens")
        escalate, hr = cleaned.get("escalate_after_days"), cleaned.get("hr_after_days")
        if escalate and hr and hr < escalate:
            self.add_error("hr_after_days", "Tell HR no sooner than the manager's manager")
        return cleaned

    def _get_validation_exclusions(self):
        # clean() has said it in words already.
        return {*super()._get_validation_exclusions(), "closes_on"}


class ScopeForm(forms.Form):
    scope = forms.ChoiceField(
        label="Who is appraised",
        choices=[
            ("everyone", "Everyone"),
            ("job_family", "A job family"),
            ("team", "A line manager's team"),
        ],
        error_messages={"required": "Choose who is appraised"},
    )
    job_family = forms.ModelChoiceField(
        label="Job family",
        queryset=JobFamily.objects.order_by("name"),
        to_field_name="slug",
        required=False,
        empty_label="Choose a job family",
    )
    manager = PersonField(
        label="Line manager",
        required=False,
        managers=True,
        help_text="Their name or employee id: everyone in their reporting line, direct and "
        "indirect",
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if user is not None:
            self.fields["manager"].for_user(user)

    def clean(self):
        cleaned = super().clean()
        scope = cleaned.get("scope")
        if scope == "job_family" and not cleaned.get("job_family"):
            self.add_error("job_family", "Choose the job family")
        if scope != "team":
            # The manager box counts only for a team: what it holds otherwise
            # (even a name matching nobody) is no error.
            self._errors.pop("manager", None)
        elif "manager" in self._errors:
            pass
        elif cleaned.get("manager") is None:
            self.add_error("manager", "Enter the line manager's name or employee id")
        else:
            cleaned["manager_person"] = cleaned["manager"]
        return cleaned

    def to_scope(self):
        scope = self.cleaned_data["scope"]
        if scope == "job_family":
            return Scope.job_family(self.cleaned_data["job_family"])
        if scope == "team":
            return Scope.team(self.cleaned_data["manager_person"])
        return Scope.everyone()


class OverlapForm(forms.Form):
    """Opening a cycle: what to do with the people in scope who already have
    an open appraisal in another cycle (cycles.open_cycle's `overlapping`)."""

    overlapping = forms.ChoiceField(
        choices=OVERLAPPING_CHOICES,
        error_messages={
            "required": "Choose whether to skip or add the people who already have an open "
            "appraisal in another cycle",
            "invalid_choice": "Choose whether to skip or add the people who already have an "
            "open appraisal in another cycle",
        },
    )


class ReassignForm(forms.Form):
    manager = PersonField(
        label="New manager",
        error_messages={"required": "Enter the new manager's name or employee id"},
    )
    reason = forms.CharField(
        label="Reason (kept with the appraisal)", required=False, widget=forms.Textarea
    )
    confirmed_stage = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if user is not None:
            self.fields["manager"].for_user(user)


class ObjectiveForm(forms.Form):
    title = forms.CharField(max_length=300, label="Objective")
    measure = forms.CharField(required=False, widget=forms.Textarea, label="Measure of success")
    due_on = _date("Due date")
    status = forms.ChoiceField(choices=Objective.Status.choices, initial="not_started")
    progress_notes = forms.CharField(required=False, widget=forms.Textarea)

    def __init__(self, *args, prefix="objective", **kwargs):
        super().__init__(*args, prefix=prefix, **kwargs)


class ActionForm(forms.Form):
    title = forms.CharField(max_length=300, label="Action")
    details = forms.CharField(required=False, widget=forms.Textarea)
    requirement = forms.TypedChoiceField(
        required=False, coerce=int, empty_value=None, label="For the requirement"
    )
    due_on = _date("Due date")
    status = forms.ChoiceField(choices=DevelopmentAction.Status.choices, initial="planned")

    def __init__(self, *args, requirements=(), prefix="action", **kwargs):
        super().__init__(*args, prefix=prefix, **kwargs)
        self.fields["requirement"].choices = [("", "None in particular")] + [
            (row.pk, row.title) for row in requirements
        ]


class CheckInForm(forms.Form):
    held_on = _date(
        "Held on",
        required=True,
        error_messages={"required": "Enter the date the check-in was held"},
    )
    notes = forms.CharField(required=False, widget=forms.Textarea)
    agreed_actions = forms.CharField(required=False, widget=forms.Textarea)


# --- probation ------------------------------------------------------------------------


class CheckpointForm(forms.Form):
    """Completing one probation checkpoint (prefixed by its id on the page,
    where each pending one has its own)."""

    notes = forms.CharField(
        required=False,
        widget=forms.Textarea,
        label="Notes",
        help_text="How the probation is going: what was discussed and agreed",
    )


class GovukRadios(forms.RadioSelect):
    """Radios whose first input carries the field's own id (the GOV.UK
    pattern, drawn by the template), so the error summary links to it."""

    def id_for_label(self, id_, index=None):
        return id_


class ProbationDecisionForm(forms.Form):
    """The outcome of a probation. Whether a new end date fits the outcome
    is the service's rule (probation.decide_probation); its message is
    shown here."""

    outcome = forms.ChoiceField(
        choices=ProbationDecision.Outcome.choices,
        widget=GovukRadios,
        label="Outcome",
        error_messages={"required": "Choose the outcome of the probation"},
    )
    extended_to = _date("New end date")
    notes = forms.CharField(required=False, widget=forms.Textarea, label="Notes")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["extended_to"].help_text = format_lazy(
            "Only when extending. {}", self.fields["extended_to"].help_text
        )


class TeamForm(forms.Form):
    """Whose reporting line the heatmap shows: a manager the reader may see,
    chosen by name (none: the reader's whole line, or everyone for HR)."""

    manager = PersonField(label="Show the team of", managers=True, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["manager"].for_user(user)
        if not is_hr(user):
            field.label = "Show the team of a manager in your reporting line"
        field.help_text = "Their name or employee id"
