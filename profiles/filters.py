"""Search, filters and sorting of the profile list, shared by the page and
the API.

Who is searching decides what is searched: HR search the working copies;
everyone else only the version in force of each profile, never a draft's
text, and their menus offer only what versions in force say. The filter
works that out from the request, so every caller gets it right.
"""

import json

import django_filters
from django.db import connection
from django.db.models import (
    BooleanField,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Q,
    Subquery,
    TextField,
    Value,
)
from django.db.models.functions import Cast, Coalesce
from django.forms.models import ModelChoiceIteratorValue
from django.utils.choices import CallableChoiceIterator
from drf_spectacular.utils import extend_schema_field

from competency.models import Skill
from competency.roles import is_hr
from competency.search import MAX_LENGTH as SEARCH_LENGTH
from profiles.models import ROLE_LEVELS, JobFamily, ProfileSkill, ProfileVersion, RoleProfile
from profiles.search import ProfileSearch


def _open_drafts_in_force():
    """Versions in force of profiles that have a draft open: the only ones
    whose working copy may say something else. (A profile whose status is
    published says exactly what its version in force says: every change
    to its content makes it a draft first.)"""
    return ProfileVersion.objects.in_force().filter(profile__status=RoleProfile.Status.DRAFT)


def families_in_force():
    """Job families that some version in force belongs to, by the name its
    document gives."""
    named = RoleProfile.objects.filter(published_version__isnull=False)
    return JobFamily.objects.filter(name__in=named.values("published_family"))


def skills_in_force():
    """Organisation skills that some version in force asks for.

    A published profile's links are its version in force's, so a skill
    that one of them links to is in force: a probe of the links' index
    per skill. Only a skill that no published profile links to may still
    be asked for by the version in force of a profile with a draft open,
    whose links now say the draft's; for such skills alone (usually none)
    those versions' documents are read: one more query, where reading them
    every time cost ~1,000 documents at 20,000 profiles."""
    published = ProfileSkill.objects.filter(
        skill=OuterRef("pk"), profile__status=RoleProfile.Status.PUBLISHED
    )
    unpublished = {
        (framework, category, name): pk
        for pk, framework, category, name in Skill.objects.filter(
            Exists(ProfileSkill.objects.filter(skill=OuterRef("pk"))), ~Exists(published)
        ).values_list("pk", "category__framework__name", "category__name", "name")
    }
    drafted = set()
    if unpublished:
        for rows in _open_drafts_in_force().values_list("document__organisation_skills", flat=True):
            for row in rows or ():
                key = (row["framework"], row["category"], row["skill"])
                if key in unpublished:
                    drafted.add(unpublished[key])
    return Skill.objects.filter(Q(Exists(published)) | Q(pk__in=drafted)).values("pk")


class ProfileFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label="Search",
        method="search",
        help_text="Title, summary, skills or components",
        max_length=SEARCH_LENGTH,
    )
    job_family = django_filters.ModelChoiceFilter(
        label="Job family",
        queryset=JobFamily.objects.all(),
        to_field_name="slug",
        empty_label="Any job family",
        method="in_family",
    )
    role_level = django_filters.ChoiceFilter(
        label="Role level",
        choices=[(level, level) for level in ROLE_LEVELS],
        empty_label="Any role level",
        method="at_level",
    )
    status = django_filters.ChoiceFilter(
        label="Status", choices=RoleProfile.Status.choices, empty_label="Any status"
    )
    skill = django_filters.ModelChoiceFilter(
        label="Organisation skill",
        queryset=Skill.objects.filter(Exists(ProfileSkill.objects.filter(skill=OuterRef("pk"))))
        # The framework too, which readers' filter names; only what the menu
        # and the filter read: a menu of hundreds of skills is built per page.
        .select_related("category__framework")
        .only("name", "category__name", "category__framework__name")
        .order_by("name", "category__name"),
        method="with_skill",
        empty_label="Any skill",
    )
    sort = django_filters.ChoiceFilter(
        label="Sort by",
        choices=[
            ("relevance", "Relevance"),
            ("title", "Title"),
            ("updated", "Recently changed"),
            ("family", "Job family"),
        ],
        method="sort_by",
        empty_label=None,
    )

    class Meta:
        model = RoleProfile
        fields = ["q", "job_family", "role_level", "status", "skill"]

    # Each order ends in the slug, so that it is total: the API's cursor
    # pages need one. A profile without a job family sorts by "" (first, on
    # every database), not by NULL, which a cursor cannot point at.
    ORDERS = {
        "title": ["title", "slug"],
        "updated": ["-updated_at", "title", "slug"],
        "family": ["family_name", "title", "slug"],
    }
    # Readers see the version in force, so they sort by what it says.
    READER_ORDERS = {
        "title": ["published_title", "slug"],
        "updated": ["-published_at", "published_title", "slug"],
        "family": ["published_family", "published_title", "slug"],
    }

    def __init__(self, data=None, queryset=None, *, request, search_only=False, **kwargs):
        """`search_only`: only the search and its order (compare's side
        search), so no menu is worked out: readers' skill and family menus
        read what versions in force say, which costs queries."""
        if queryset is None:
            queryset = RoleProfile.objects.visible_to(request.user)
        self.reader = not is_hr(request.user)
        self.searched = ProfileSearch((data or {}).get("q", ""), reader=self.reader)
        if data is not None and not data.get("sort"):
            # Best matches first, unless the person chose another order.
            data = data.copy()
            data["sort"] = "relevance" if self.searched.words else "title"
        queryset = queryset.order_by(*(self.READER_ORDERS if self.reader else self.ORDERS)["title"])
        super().__init__(data, queryset, request=request, **kwargs)
        if search_only:
            for name in set(self.filters) - {"q", "sort"}:
                del self.filters[name]
        elif self.reader:
            del self.filters["status"]
            self.filters["job_family"].queryset = families_in_force()
            self.filters["skill"].queryset = self.filters["skill"].queryset.filter(
                pk__in=skills_in_force()
            )

    @property
    def form(self):
        if not hasattr(self, "_form"):
            form = super().form
            field = form.fields.get("skill")
            if field is not None:
                # The menu from (id, category, name) rows: hundreds of skills
                # made into model instances (with their categories) cost more
                # than the rest of the list. The field's queryset still checks
                # what is chosen. Set as Django's ModelChoiceField reads choices
                # set by hand (django-filter's setter would wrap them again).
                # Read only when the menu is drawn: the API's list and a
                # page's filtering never iterate it.
                queryset, empty = field.queryset, field.empty_label

                def menu():
                    rows = queryset.values_list("pk", "category__name", "name")
                    return [("", empty)] + [
                        (ModelChoiceIteratorValue(pk, None), f"{category} – {name}")
                        for pk, category, name in rows
                    ]

                field._choices = field.widget.choices = CallableChoiceIterator(menu)
        return self._form

    def results(self):
        """The matching profiles; all of them (by title) before any search,
        and none for a search that is not valid (its errors say why)."""
        if not self.is_bound:
            return self.queryset
        return self.qs if self.is_valid() else self.queryset.none()

    def suggestion(self):
        """For a search that found nothing: (corrected words, the query
        string that runs them with the same filters) when the correction
        finds something this person may see; else None."""
        corrected = self.searched.correction() if self.is_valid() else None
        if corrected is None:
            return None
        data = self.data.copy()
        data["q"] = corrected
        data.pop("page", None)
        again = type(self)(data, queryset=self.queryset, request=self.request)
        if not again.results().exists():
            return None
        return corrected, data.urlencode()

    def in_family(self, queryset, name, value):
        if self.reader:
            return queryset.filter(published_family=value.name)
        return queryset.filter(job_family=value)

    def at_level(self, queryset, name, value):
        if self.reader:
            return queryset.filter(published_role_level=value)
        return queryset.filter(role_level=value)

    def sort_by(self, queryset, name, value):
        orders = self.READER_ORDERS if self.reader else self.ORDERS
        order = orders.get(value, orders["title"])
        if value == "relevance" and "relevance" in queryset.query.annotations:
            # Ranked on PostgreSQL; ties (and SQLite) by title.
            order = ["-relevance", *order]
        if "family_name" in order:
            queryset = queryset.annotate(family_name=Coalesce("job_family__name", Value("")))
        return queryset.order_by(*order)

    def search(self, queryset, name, value):
        # Readers: the version in force's words, never a draft's; HR: the
        # working copy's. Values only: never the document's key names.
        return self.searched.filter(queryset)

    # For the API's schema: the parameter is a skill's id.
    @extend_schema_field(
        {
            "type": "integer",
            "minimum": 1,
            "description": "An organisation skill's id: the profiles that ask for it.",
        }
    )
    def with_skill(self, queryset, name, value):
        if not value:
            return queryset
        links = Exists(ProfileSkill.objects.filter(profile=OuterRef("pk"), skill=value))
        if not self.reader:
            return queryset.filter(links)
        # A published profile's links are its version in force's; a profile
        # with a draft open is asked of its version's document, for that
        # profile's row only.
        return queryset.filter(
            (Q(status=RoleProfile.Status.PUBLISHED) & links)
            | (Q(status=RoleProfile.Status.DRAFT) & Q(_version_in_force_asks_for(value)))
        )


def _version_in_force_asks_for(skill):
    """Whether the outer profile's version in force asks for `skill`: on
    PostgreSQL by JSON containment of the skill's framework, category and
    name; elsewhere by its name in the document's text.

    A scalar subquery rather than an EXISTS: PostgreSQL may turn an EXISTS
    under OR into one hashed pass over every version's document (all of
    them read, ~600 ms at 5,000 profiles); a scalar subquery runs for the
    drafts that the query reaches, each reading one document."""
    versions = ProfileVersion.objects.filter(pk=OuterRef("published_version")).order_by()
    if connection.vendor == "postgresql":
        row = {
            "framework": skill.category.framework.name,
            "category": skill.category.name,
            "skill": skill.name,
        }
        asks = Q(document__organisation_skills__contains=[row])
    else:
        named = [
            f'"skill": {json.dumps(skill.name, ensure_ascii=ascii)}' for ascii in (True, False)
        ]
        versions = versions.alias(text=Cast("document", TextField()))
        asks = Q(text__icontains=named[0]) | Q(text__icontains=named[1])
    answer = versions.annotate(asks=ExpressionWrapper(asks, output_field=BooleanField()))
    return Subquery(answer.values("asks"), output_field=BooleanField())
