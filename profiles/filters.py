"""Search, filters and sorting of the profile list, shared by the page and
(later) the API."""

import django_filters
from django.db.models import Exists, OuterRef, Q

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
    )
    role_level = django_filters.ChoiceFilter(
        label="Role level",
        choices=[(level, level) for level in ROLE_LEVELS],
        empty_label="Any role level",
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

    def __init__(self, *args, show_status=True, **kwargs):
        super().__init__(*args, **kwargs)
        if not show_status:
            del self.filters["status"]

    def sort_by(self, queryset, name, value):
        return queryset.order_by(*self.ORDERS.get(value, self.ORDERS["title"]))

    def search(self, queryset, name, value):
        words = value.split()
        for word in words:
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
        return queryset.filter(
            Exists(ProfileSkill.objects.filter(profile=OuterRef("pk"), skill=value))
        )
