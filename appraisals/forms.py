"""Forms of the appraisals pages: HR's people and cycles, and the appraisal
itself; the lists' filters are appraisals/filters.py. The rules stay in the
services (people.py, cycles.py, workflow.py, plans.py): these only read
what was typed and name the field an error belongs to."""

from datetime import date

from django import forms

from appraisals.cycles import OVERLAPPING_CHOICES, Scope
from appraisals.models import (
    Cycle,
    DevelopmentAction,
    Objective,
    Person,
    ProbationDecision,
)
from profiles.models import JobFamily, RoleProfile

DATE_HELP = "For example, 2025-04-01"


class IsoDateField(forms.DateField):
    """A date shown as YYYY-MM-DD when the form is first filled in: the
    template would otherwise print the date object in words ("Jan. 8,
    2018"), which the field then refuses when the form comes back."""

    def prepare_value(self, value):
        if isinstance(value, date):
            return value.isoformat()
        return value


def _date(label, required=False):
    return IsoDateField(
        label=label,
        required=required,
        help_text=DATE_HELP,
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        error_messages={"invalid": f"Enter the {label.lower()} as a date, for example 2025-04-01"},
    )


def person_by_employee_id(employee_id, field_label):
    """The person with this employee id, or a ValidationError saying so."""
    person = Person.objects.filter(employee_id=employee_id).first()
    if person is None:
        raise forms.ValidationError(f"No person has the employee id {employee_id[:50]}")
    return person


class EmployeeIdField(forms.CharField):
    """An employee id as typed, cleaned to the person who has it (None when
    left empty), or an error saying nobody has it."""

    def clean(self, value):
        employee_id = super().clean(value)
        return person_by_employee_id(employee_id, self.label) if employee_id else None


class PersonForm(forms.ModelForm):
    """A person's details. The line manager is typed as an employee id and
    set through people.set_manager by the view (loops refused there)."""

    manager = forms.CharField(
        label="Line manager's employee id",
        required=False,
        max_length=50,
        help_text="Leave empty for someone with no line manager",
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

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and self.instance.line_manager_id and not self.is_bound:
            self.initial["manager"] = self.instance.line_manager.employee_id

    def clean_manager(self):
        employee_id = self.cleaned_data["manager"].strip()
        if not employee_id:
            return None
        return person_by_employee_id(employee_id, "manager")

    def clean(self):
        cleaned = super().clean()
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
    file = forms.FileField(
        label="People file",
        help_text="CSV or XLSX with the columns: employee id, name, email, manager's employee "
        "id, profile slug, job title, start date, probation end date (and, if you want, "
        "leaving date).",
        error_messages={"required": "Choose a file to import"},
    )


class CycleForm(forms.ModelForm):
    opens_on = _date("Opens on", required=True)
    closes_on = _date("Closes on", required=True)

    class Meta:
        model = Cycle
        fields = ["name", "kind", "opens_on", "closes_on"]
        error_messages = {"name": {"required": "Enter the cycle's name"}}

    def clean(self):
        cleaned = super().clean()
        opens, closes = cleaned.get("opens_on"), cleaned.get("closes_on")
        if opens and closes and closes < opens:
            self.add_error("closes_on", "The cycle cannot close before it opens")
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
    manager = forms.CharField(
        label="Line manager's employee id",
        required=False,
        max_length=50,
        help_text="Everyone in their reporting line, direct and indirect",
    )

    def clean(self):
        cleaned = super().clean()
        scope = cleaned.get("scope")
        if scope == "job_family" and not cleaned.get("job_family"):
            self.add_error("job_family", "Choose the job family")
        if scope == "team":
            employee_id = (cleaned.get("manager") or "").strip()
            if not employee_id:
                self.add_error("manager", "Enter the line manager's employee id")
            else:
                try:
                    cleaned["manager_person"] = person_by_employee_id(employee_id, "manager")
                except forms.ValidationError as error:
                    self.add_error("manager", error)
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
    manager = forms.CharField(
        label="New manager's employee id",
        max_length=50,
        error_messages={"required": "Enter the new manager's employee id"},
    )
    reason = forms.CharField(
        label="Reason (kept with the appraisal)", required=False, widget=forms.Textarea
    )
    confirmed_stage = forms.CharField(widget=forms.HiddenInput)

    def clean_manager(self):
        return person_by_employee_id(self.cleaned_data["manager"].strip(), "manager")


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self):
        super().__init__(format="%Y-%m-%d")


class ObjectiveForm(forms.Form):
    title = forms.CharField(max_length=300, label="Objective")
    measure = forms.CharField(required=False, widget=forms.Textarea, label="Measure of success")
    due_on = forms.DateField(required=False, widget=DateInput(), label="Due date")
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
    due_on = forms.DateField(required=False, widget=DateInput(), label="Due date")
    status = forms.ChoiceField(choices=DevelopmentAction.Status.choices, initial="planned")

    def __init__(self, *args, requirements=(), prefix="action", **kwargs):
        super().__init__(*args, prefix=prefix, **kwargs)
        self.fields["requirement"].choices = [("", "None in particular")] + [
            (row.pk, row.title) for row in requirements
        ]


class CheckInForm(forms.Form):
    held_on = forms.DateField(widget=DateInput(), label="Held on")
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
        self.fields["extended_to"].help_text = "Only when extending. " + DATE_HELP
