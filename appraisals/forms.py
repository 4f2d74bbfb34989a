"""The forms of the appraisal pages: they check the shape of what was
typed; the services (workflow.py, plans.py) decide whether it may happen."""

from django import forms

from appraisals.models import DevelopmentAction, Objective


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
