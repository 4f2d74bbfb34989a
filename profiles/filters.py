"""Search, filters and sorting of the profile list, shared by the page and
(later) the API."""

import json

import django_filters
from django.db.models import Exists, OuterRef, Q, TextField
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast

from competency.models import Skill
from profiles.models import (
    ROLE_LEVELS,
    JobFamily,
    ProfileDevelopmentActivity,
    ProfileKnowledge,
    ProfileQualification,
    ProfileSkill,
    ProfileTraining,
    ProfileWorkActivity,
    RoleProfile,
)

# Where a search word may be found besides the profile's own texts: each
# kind of linked item, as (link model, lookup of the item's text).
SEARCHED_LINKS = [
    (ProfileSkill, "skill__name"),
    (ProfileKnowledge, "item__title"),
    (ProfileWorkActivity, "activity__title"),
    (ProfileTraining, "training__title"),
    (ProfileDevelopmentActivity, "activity__title"),
    (ProfileQualification, "qualification__title"),
]


class ProfileFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label="Search", method="search", help_text="Title, summary, skills or components"
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
        .select_related("category")
        .order_by("name", "category__name"),
        method="with_skill",
        empty_label="Any skill",
    )
    sort = django_filters.ChoiceFilter(
        label="Sort by",
        choices=[("title", "Title"), ("updated", "Recently changed"), ("family", "Job family")],
        method="sort_by",
        empty_label=None,
    )

    class Meta:
        model = RoleProfile
        fields = ["q", "job_family", "role_level", "status", "skill"]

    ORDERS = {
        "title": ["title", "slug"],
        "updated": ["-updated_at", "title"],
        "family": ["job_family__name", "title"],
    }
    # Readers see the version in force, so they sort by what it says.
    READER_ORDERS = {
        "title": ["version_title", "slug"],
        "updated": ["-published_version__published_at", "version_title"],
        "family": ["version_family", "version_title"],
    }

    def __init__(self, *args, reader=False, **kwargs):
        """HR search the working copies; everyone else (reader=True) searches
        only the published version each of them may read, never a draft."""
        super().__init__(*args, **kwargs)
        self.reader = reader
        if reader:
            del self.filters["status"]

    @staticmethod
    def for_readers(queryset):
        """Profiles annotated with what their version in force says."""
        document = "published_version__document"

        def text(key):
            # As plain text, so that comparing it is not a JSON comparison.
            return Cast(KeyTextTransform(key, document), TextField())

        return queryset.select_related("published_version").annotate(
            version_title=text("title"),
            version_family=text("job_family"),
            version_level=text("role_level"),
            version_text=Cast(document, TextField()),
        )

    def in_family(self, queryset, name, value):
        if self.reader:
            return queryset.filter(version_family=value.name)
        return queryset.filter(job_family=value)

    def at_level(self, queryset, name, value):
        if self.reader:
            return queryset.filter(version_level=value)
        return queryset.filter(role_level=value)

    def sort_by(self, queryset, name, value):
        orders = self.READER_ORDERS if self.reader else self.ORDERS
        return queryset.order_by(*orders.get(value, orders["title"]))

    def search(self, queryset, name, value):
        for word in value.split():
            if self.reader:
                # The stored JSON may escape non-ASCII characters: look for both.
                escaped = json.dumps(word)[1:-1]
                queryset = queryset.filter(
                    Q(version_text__icontains=word) | Q(version_text__icontains=escaped)
                )
                continue
            matches = Q(title__icontains=word) | Q(summary__icontains=word)
            for model, lookup in SEARCHED_LINKS:
                matches |= Exists(
                    model.objects.filter(profile=OuterRef("pk"), **{f"{lookup}__icontains": word})
                )
            queryset = queryset.filter(matches)
        return queryset

    def with_skill(self, queryset, name, value):
        if not value:
            return queryset
        if self.reader:
            escaped = f'"skill": {json.dumps(value.name)}'
            plain = f'"skill": {json.dumps(value.name, ensure_ascii=False)}'
            return queryset.filter(
                Q(version_text__icontains=escaped) | Q(version_text__icontains=plain)
            )
        return queryset.filter(
            Exists(ProfileSkill.objects.filter(profile=OuterRef("pk"), skill=value))
        )
