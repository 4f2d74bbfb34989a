from axes.models import AccessFailureLog, AccessLog
from django.contrib import admin
from django.db.models import Count

from competency import developing
from competency.models import (
    AwardingBody,
    Category,
    DevelopmentActivity,
    Framework,
    KnowledgeItem,
    Level,
    Qualification,
    Skill,
    SkillLevel,
    Training,
    WorkActivity,
)


class LevelInline(admin.TabularInline):
    model = Level
    extra = 0
    ordering = ["rank"]


# Axes' records of each sign-in and each failure are switched off (settings:
# AXES_DISABLE_ACCESS_LOG, AXES_ENABLE_ACCESS_FAILURE_LOG): both are in the
# security log (competency/security.py). Its counts of failed attempts
# (AccessAttempt) stay in the admin, where a superuser can see and delete
# an address's lockout.
for model in (AccessLog, AccessFailureLog):
    if admin.site.is_registered(model):
        admin.site.unregister(model)


@admin.register(Framework)
class FrameworkAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "level_count", "skill_count"]
    search_fields = ["name", "description"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [LevelInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                level_total=Count("levels", distinct=True),
                skill_total=Count("categories__skills", distinct=True),
            )
        )

    @admin.display(description="levels", ordering="level_total")
    def level_count(self, obj):
        return obj.level_total

    @admin.display(description="skills", ordering="skill_total")
    def skill_count(self, obj):
        return obj.skill_total


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "parent", "framework"]
    list_filter = ["framework"]
    search_fields = ["name"]
    list_select_related = ["framework", "parent"]
    autocomplete_fields = ["parent"]


class SkillLevelInline(admin.TabularInline):
    model = SkillLevel
    extra = 0
    ordering = ["level__rank"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # Offer only the levels of the skill's own framework.
        skill_id = request.resolver_match.kwargs.get("object_id")
        if db_field.name == "level" and skill_id:
            kwargs["queryset"] = Level.objects.filter(framework__categories__skills=skill_id)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Skill)
class SkillAdmin(admin.ModelAdmin):
    list_display = ["name", "category", "framework_name", "profile_count"]
    list_filter = ["category__framework", "category"]
    search_fields = ["name", "description", "category__name"]
    list_select_related = ["category__framework"]
    autocomplete_fields = ["category"]
    inlines = [SkillLevelInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(profile_total=Count("uses"))

    @admin.display(description="framework", ordering="category__framework__name")
    def framework_name(self, obj):
        return obj.category.framework.name

    @admin.display(description="profiles", ordering="profile_total")
    def profile_count(self, obj):
        return obj.profile_total


class ComponentAdmin(admin.ModelAdmin):
    """Catalogue items: searchable, with how many profiles use each, since a
    change here shows in every one of them."""

    list_display = ["title", "short_details", "profile_count"]
    search_fields = ["title", "details"]
    readonly_fields = ["used_by"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(profile_total=Count("uses"))

    @admin.display(description="used by")
    def used_by(self, obj):
        count = obj.uses.count() if obj.pk else 0
        if not count:
            return "No profile uses this item yet."
        return (
            f"{count} profile(s). A change here shows in every one of their drafts; "
            "published versions keep the text they were published with."
        )

    @admin.display(description="details")
    def short_details(self, obj):
        return obj.details if len(obj.details) <= 90 else obj.details[:89] + "…"

    @admin.display(description="profiles", ordering="profile_total")
    def profile_count(self, obj):
        return obj.profile_total


@admin.register(KnowledgeItem)
class KnowledgeItemAdmin(ComponentAdmin):
    list_display = ["title", "kind", "short_details", "profile_count"]
    list_filter = ["kind"]


class DevelopsComponentAdmin(ComponentAdmin):
    """Training and PDAs: what they develop is shown, and changed on the
    catalogue page (competency/developing.py), which keeps each change in
    the item's history; a multiple select of every skill would not."""

    readonly_fields = ["used_by", "develops"]
    exclude = ["develops_skills", "develops_knowledge"]

    @admin.display(description="develops")
    def develops(self, obj):
        if not obj.pk:
            return "–"
        skills, knowledge = developing.develops(obj)
        names = [skill.name for skill in skills] + [item.title for item in knowledge]
        return "; ".join(names) or "Nothing yet: say what it develops on its catalogue page."


admin.site.register(WorkActivity, ComponentAdmin)
admin.site.register(Training, DevelopsComponentAdmin)
admin.site.register(DevelopmentActivity, DevelopsComponentAdmin)


@admin.register(AwardingBody)
class AwardingBodyAdmin(admin.ModelAdmin):
    search_fields = ["name"]


@admin.register(Qualification)
class QualificationAdmin(admin.ModelAdmin):
    list_display = ["title", "awarding_body", "profile_count"]
    readonly_fields = ["used_by"]
    used_by = ComponentAdmin.used_by
    list_filter = ["awarding_body"]
    search_fields = ["title", "awarding_body__name"]
    list_select_related = ["awarding_body"]
    autocomplete_fields = ["awarding_body"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(profile_total=Count("uses"))

    @admin.display(description="profiles", ordering="profile_total")
    def profile_count(self, obj):
        return obj.profile_total
