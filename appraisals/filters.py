"""Search, filters and order of the appraisals app's lists, each list's
written once and shared by its page and the API, as profiles/filters.py is
for the profile list:

- PersonFilter: the people list (views/people.py, api/people.py);
- CycleFilter: the cycle list (views/cycles.py, api/cycles.py);
- AppraisalFilter: lists of appraisals, a cycle's on its page
  (views/cycles.py) and the API's (api/appraisals.py);
- TeamFilter: a manager's team page (views/home.py), people in their line.

A page's form and the API's query do not offer the same filters of a list:
each declares its own with `offering()`, from the filters declared here.
A page applies its filters all or none (`filtered()`): when one does not
check out, the page lists as before any filter and its form says why; the
API answers 400.
"""

from functools import cache

import django_filters
from django import forms
from django.db.models import Count, Exists, OuterRef
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field

from appraisals.forms import PersonField
from appraisals.models import Appraisal, Cycle, Person, Stage
from appraisals.progress import has_overdue_work
from competency import search
from competency.api.query import TrueOrFalseField, TrueOrFalseFilter
from competency.roles import is_hr
from profiles.filters import families_in_force
from profiles.models import JobFamily, RoleProfile


class ListFilter(django_filters.FilterSet):
    """What the lists' FilterSets share."""

    @classmethod
    @cache
    def offering(cls, *names):
        """This list's FilterSet with the named filters only, in that order
        (the order a form shows them and its errors are listed in)."""
        offered = type(cls.__name__, (cls,), {"__module__": cls.__module__, "__doc__": cls.__doc__})
        offered.base_filters = {name: cls.base_filters[name] for name in names}
        return offered

    @property
    def form(self):
        """The filters' form, its people found among those the reader may
        choose (PersonField.for_user)."""
        if not hasattr(self, "_form"):
            form = super().form
            user = getattr(self.request, "user", None)
            for field in form.fields.values():
                if isinstance(field, PersonField) and user is not None:
                    field.for_user(user)
        return self._form

    def filtered(self, leaving_out=()):
        """A page's rows: by every filter given but those left out, when they
        all check out; otherwise all of them, and the form says why."""
        return self.applied_to(self.queryset.all(), leaving_out)

    def applied_to(self, rows, leaving_out=()):
        """`rows` (this list's or another set of the same kind) by the same
        filters, all or none as filtered() applies them."""
        if not self.is_bound or not self.is_valid():
            return rows
        for name, value in self.form.cleaned_data.items():
            if name not in leaving_out:
                rows = self.filters[name].filter(rows, value)
        return rows


class CheckboxFilter(django_filters.BooleanFilter):
    """A page's checkbox: ticked or not (a BooleanFilter's menu offers a
    third answer, 'unknown')."""

    field_class = forms.BooleanField


class _TickBox(forms.CheckboxInput):
    """A checkbox on a page, whose value the field reads as sent (the
    API's "perhaps" is refused, not taken for ticked)."""

    def value_from_datadict(self, data, files, name):
        return data.get(name)


class _TickedField(TrueOrFalseField):
    """A page's ticked checkbox ("on"), or the API's true or false."""

    widget = _TickBox

    def to_python(self, value):
        return True if value == "on" else super().to_python(value)


class TickedOrTrueFilter(TrueOrFalseFilter):
    """A page's checkbox and the API's boolean, as one filter."""

    field_class = _TickedField


@extend_schema_field(
    {"type": "integer", "minimum": 1, "maximum": 999_999_999, "description": "An id."}
)
class IdFilter(django_filters.NumberFilter):
    """A row's id: a whole number, bounded as the schema says (a
    NumberFilter read 1e308 as a number it then refused)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        super().__init__(*args, min_value=1, max_value=999_999_999, **kwargs)


class ChosenPersonFilter(django_filters.Filter):
    """A person chosen by name or employee id on a page (PersonField), among
    those the reader may see; `managers=True` for a line manager."""

    field_class = PersonField


# --- People ---------------------------------------------------------------------------

MANAGER_HELP = (
    "A line manager's employee id: everyone in their reporting line (direct and indirect)."
)


class PersonFilter(ListFilter):
    """The people list's search, filters and order. Every choice is checked
    against what the caller may see, so naming a hidden person or profile is
    the same as naming one that does not exist; `sort` offers only the
    person's own fields, never one that would order by something hidden.

    The page (page=True) offers a line manager among the managers its
    reader may see and any job family; without a status, or with a filter
    that does not check out, it lists the people still here. The API's
    status is still here unless given."""

    q = django_filters.CharFilter(
        label="Search",
        method="search",
        max_length=200,
        help_text="Name or job title, or an exact employee id.",
    )
    employee_id = django_filters.CharFilter(
        max_length=50,
        help_text="Exactly this employee id (as written, case and all); with no `status`, "
        "whether they are still here or have left.",
    )
    manager = django_filters.ModelChoiceFilter(
        label="Line manager",
        queryset=Person.objects.none(),
        to_field_name="employee_id",
        method="in_line_of",
        empty_label="Anyone",
        # The page's hint; the API describes it with in_line_of's schema.
        help_text="Their whole reporting line",
    )
    job_family = django_filters.ModelChoiceFilter(
        label="Job family",
        queryset=JobFamily.objects.all(),
        to_field_name="slug",
        field_name="role_profile__job_family",
        empty_label="Any job family",
        help_text="A job family's slug: people on its profiles.",
    )
    role_profile = django_filters.ModelChoiceFilter(
        queryset=RoleProfile.objects.all(),
        to_field_name="slug",
        help_text="A role profile's slug.",
    )
    on_probation = TrueOrFalseFilter(
        method="probation", help_text="True: probation ends today or later. False: the others."
    )
    status = django_filters.ChoiceFilter(
        label="Still here or left",
        choices=[("current", "Still here"), ("left", "Left"), ("all", "Everyone")],
        method="by_status",
        empty_label=None,
        help_text="Still here (the default), leavers, or everyone.",
    )
    sort = django_filters.ChoiceFilter(
        choices=[("name", "Name"), ("employee_id", "Employee id")],
        method="sort_by",
        empty_label=None,
        help_text="Name (the default) or employee id.",
    )

    ORDERS = {"name": ["name", "employee_id"], "employee_id": ["employee_id"]}
    PAGE = ("q", "job_family", "manager", "status")
    API = (
        "q",
        "employee_id",
        "manager",
        "job_family",
        "role_profile",
        "on_probation",
        "status",
        "sort",
    )
    # The page's hints, where they say it otherwise than the API's schema.
    PAGE_HINTS = {"q": "Name, employee id or job title", "job_family": "", "status": ""}

    class Meta:
        model = Person
        fields = [
            "q",
            "employee_id",
            "manager",
            "job_family",
            "role_profile",
            "on_probation",
            "status",
            "sort",
        ]

    def __init__(self, data=None, queryset=None, *, request=None, page=False, **kwargs):
        self.page = page
        if data is not None and not page:
            data = data.copy()
            # A person looked up by their employee id is found even once
            # they have left, and so is one who changed since a sync last
            # asked (a leaver is a change it must see); a list is of the
            # people still here.
            everyone = data.get("employee_id") or data.get("updated_since")
            data.setdefault("status", "all" if everyone else "current")
            data.setdefault("sort", "name")
        super().__init__(data, queryset, request=request, **kwargs)
        user = request.user if request is not None else None
        if page:
            for name, hint in self.PAGE_HINTS.items():
                self.filters[name].extra["help_text"] = hint
            # The page chooses the manager by name (the API by employee id).
            chooser = ChosenPersonFilter(
                field_name="manager",
                label="Line manager",
                managers=True,
                method="in_line_of",
                help_text="Their name or employee id: their whole reporting line",
            )
            chooser.parent = self
            self.filters["manager"] = chooser
            self.filters["job_family"].queryset = JobFamily.objects.order_by("name")
        elif user is not None:
            self.filters["manager"].queryset = Person.objects.visible_to(user)
            if not is_hr(user):
                self.filters["job_family"].queryset = families_in_force()
                self.filters["role_profile"].queryset = RoleProfile.objects.visible_to(user)

    def filtered(self, leaving_out=()):
        rows = super().filtered(leaving_out)
        given = self.is_bound and self.is_valid() and self.form.cleaned_data.get("status")
        return rows if given else self.by_status(rows, "status", "current")

    def search(self, queryset, name, value):
        return queryset.matching(value)

    # With a type given here the generator ignores the filter's help_text.
    @extend_schema_field({"type": "string", "description": MANAGER_HELP})
    def in_line_of(self, queryset, name, value):
        return queryset.filter(pk__in=Person.objects.reporting_line(value).values("pk"))

    def probation(self, queryset, name, value):
        on = Person.objects.on_probation().values("pk")
        return queryset.filter(pk__in=on) if value else queryset.exclude(pk__in=on)

    def by_status(self, queryset, name, value):
        current = Person.objects.current().values("pk")
        if value == "current":
            return queryset.filter(pk__in=current)
        if value == "left":
            return queryset.exclude(pk__in=current)
        return queryset

    def sort_by(self, queryset, name, value):
        return queryset.order_by(*self.ORDERS[value])


# --- Cycles ---------------------------------------------------------------------------


class CycleFilter(ListFilter):
    """The cycle list's filters and order (HR's)."""

    status = django_filters.ChoiceFilter(choices=Cycle.Status.choices)
    kind = django_filters.ChoiceFilter(choices=Cycle.Kind.choices)
    q = django_filters.CharFilter(
        method="search", max_length=search.MAX_LENGTH, label="Search", help_text="The name."
    )
    sort = django_filters.ChoiceFilter(
        method="sort_by",
        choices=[("newest", "Latest opening first"), ("name", "Name")],
        empty_label=None,
    )

    ORDERS = {"newest": ["-opens_on", "name"], "name": ["name"]}
    API = ("status", "kind", "q", "sort")

    class Meta:
        model = Cycle
        fields = ["status", "kind"]

    @classmethod
    def rows(cls):
        """Every cycle with how many appraisals it has, latest opening first:
        the list before any filter, on the page and in the API."""
        return Cycle.objects.annotate(appraisal_count=Count("appraisals")).order_by(
            *cls.ORDERS["newest"]
        )

    def search(self, queryset, name, value):
        return search.matching(queryset, value, ["name"])

    def sort_by(self, queryset, name, value):
        return queryset.order_by(*self.ORDERS[value])


# --- Appraisals -----------------------------------------------------------------------


class AppraisalFilter(ListFilter):
    """Filters of appraisal lists. People are named by employee id, as
    everywhere in the API, and a cycle by its id; neither is checked
    against all rows: a filter naming a person, manager or cycle you may
    not see finds nothing, exactly as one naming none that exists. A
    cycle's page (HR's) filters its appraisals by job family, team, stage,
    whether they are overdue and whether their manager has left (for HR
    to reassign)."""

    cycle = IdFilter(field_name="cycle_id", label="Cycle id")
    job_family = django_filters.ModelChoiceFilter(
        label="Job family",
        queryset=JobFamily.objects.order_by("name"),
        to_field_name="slug",
        field_name="profile_version__profile__job_family",
        empty_label="Any job family",
    )
    team = ChosenPersonFilter(
        label="Team of",
        managers=True,
        method="in_team",
        help_text="A line manager's name or employee id",
    )
    stage = django_filters.ChoiceFilter(choices=Stage.choices, empty_label="Any stage")
    overdue = CheckboxFilter(label="Only overdue ones", method="overdue_only")
    disagreement = CheckboxFilter(
        label="Only those with unresolved disagreements", method="disagreement_only"
    )
    person = django_filters.CharFilter(
        field_name="person__employee_id",
        max_length=50,
        label="The appraisee's employee id",
    )
    manager = django_filters.CharFilter(
        field_name="manager__employee_id", max_length=50, label="The manager's employee id"
    )
    manager_has_left = TickedOrTrueFilter(
        label="Only those whose manager has left",
        method="manager_left",
        help_text="Open appraisals whose manager's leaving date has come, to reassign.",
    )
    q = django_filters.CharFilter(
        method="search",
        max_length=search.MAX_LENGTH,
        label="Search",
        help_text="Words in the person's name or employee id, or the cycle's name.",
    )
    sort = django_filters.ChoiceFilter(
        method="sort_by",
        choices=[("newest", "Newest first"), ("person", "Person"), ("cycle", "Cycle")],
        empty_label=None,
        help_text="newest (default), person (by name), cycle (latest opening first). Only "
        "fields every reader of the row sees: never the outcome or ratings.",
    )

    # The first field decides the cursor: unique or nearly so.
    ORDERS = {
        "newest": ["-pk"],
        "person": ["person__name", "pk"],
        "cycle": ["-cycle__opens_on", "person__name", "pk"],
    }
    PAGE = ("job_family", "team", "stage", "overdue", "disagreement", "manager_has_left")
    API = ("cycle", "stage", "person", "manager", "manager_has_left", "q", "sort")

    class Meta:
        model = Appraisal
        fields = ["cycle", "stage", "person", "manager"]

    def in_team(self, queryset, name, value):
        return queryset.filter(person__in=Person.objects.reporting_line(value).values("pk"))

    def overdue_only(self, queryset, name, value):
        return queryset.overdue(timezone.localdate()) if value else queryset

    def manager_left(self, queryset, name, value):
        return queryset.managed_by_leavers() if value else queryset

    def disagreement_only(self, queryset, name, value):
        return queryset.with_disagreements() if value else queryset

    def search(self, queryset, name, value):
        return search.matching(
            queryset, value, ["person__name", "person__employee_id", "cycle__name"]
        )

    def sort_by(self, queryset, name, value):
        return queryset.order_by(*self.ORDERS[value])


# --- A manager's team -----------------------------------------------------------------


def open_stages():
    return [(value, label) for value, label in Stage.choices if value != Stage.SIGNED_OFF]


class TeamFilter(ListFilter):
    """The team page's filters, over the people of one manager's reporting
    line: the team of someone in it (their own line), the stage of an open
    appraisal, and whether they have overdue work. The team is chosen among
    the managers in the line, so naming anyone else is refused."""

    team = ChosenPersonFilter(
        label="Team of",
        managers=True,
        method="in_team",
        help_text="The name or employee id of a manager in your line: everyone below them",
    )
    stage = django_filters.ChoiceFilter(
        label="Open appraisal at",
        choices=open_stages,
        method="at_stage",
        empty_label="Any stage",
    )
    overdue = CheckboxFilter(label="Only people with overdue work", method="overdue_only")

    class Meta:
        model = Person
        fields = ["team", "stage", "overdue"]

    def __init__(self, data=None, queryset=None, *, manager, **kwargs):
        super().__init__(data, queryset, **kwargs)
        self.manager = manager

    @property
    def form(self):
        """As every list's, the team found among the managers the reader may
        choose, and further among those in this line: a head's menu of
        every manager below them would run to hundreds."""
        if not hasattr(self, "_form"):
            field = super().form.fields["team"]
            field.queryset = field.queryset.filter(
                pk__in=Person.objects.reporting_line(self.manager).values("pk")
            )
        return self._form

    def in_team(self, queryset, name, value):
        return queryset.filter(pk__in=Person.objects.reporting_line(value).values("pk"))

    def at_stage(self, queryset, name, value):
        return queryset.filter(
            Exists(
                Appraisal.objects.filter(person=OuterRef("pk"), stage=value).exclude(
                    cycle__status=Cycle.Status.DRAFT
                )
            )
        )

    def overdue_only(self, queryset, name, value):
        return queryset.filter(has_overdue_work()) if value else queryset
