"""The admin for power users: people and cycles maintained, appraisals read.

Everything that has a rule goes through the services: a line manager is
set with people.set_manager (loops refused under the lock), a cycle opens
with cycles.open_cycle, and an appraisal moves only through workflow.py,
so the admin shows appraisals read-only."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from simple_history.admin import SimpleHistoryAdmin

from appraisals import cycles, people
from appraisals.models import (
    Appraisal,
    AppraisalEvent,
    CheckIn,
    Cycle,
    Objective,
    Person,
    ProbationCheckpoint,
    Requirement,
)


@admin.register(Person)
class PersonAdmin(SimpleHistoryAdmin):
    list_display = [
        "name",
        "employee_id",
        "job_title",
        "line_manager",
        "role_profile",
        "leaving_date",
    ]
    search_fields = ["name", "employee_id", "email"]
    list_filter = ["role_profile__job_family"]
    autocomplete_fields = ["line_manager", "role_profile", "account"]

    def save_model(self, request, obj, form, change):
        # The line manager is set by the service, which refuses loops under
        # the reporting lines' lock; everything else saves as usual.
        manager = obj.line_manager
        if change:
            obj.line_manager_id = Person.objects.values_list("line_manager", flat=True).get(
                pk=obj.pk
            )
        else:
            obj.line_manager = None
        super().save_model(request, obj, form, change)
        if manager != obj.line_manager:
            try:
                people.set_manager(person=obj, manager=manager)
            except ValidationError as error:
                self.message_user(request, error.messages[0], messages.ERROR)


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class RequirementInline(ReadOnlyInline):
    model = Requirement
    fields = ["position", "kind", "title", "required_label", "self_rating", "manager_rating"]
    readonly_fields = fields


class EventInline(ReadOnlyInline):
    model = AppraisalEvent
    fields = ["at", "action", "from_stage", "to_stage", "by", "reason"]
    readonly_fields = fields


class ObjectiveInline(ReadOnlyInline):
    model = Objective
    fields = ["title", "status", "due_on"]
    readonly_fields = fields


@admin.register(Cycle)
class CycleAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind", "opens_on", "closes_on", "status"]
    list_filter = ["kind", "status"]
    search_fields = ["name"]
    actions = ["open_for_everyone", "close"]

    def get_readonly_fields(self, request, obj=None):
        # The status moves with open_cycle and close_cycle only.
        return ["status"]

    @admin.action(description="Open for everyone (creates the appraisals)")
    def open_for_everyone(self, request, queryset):
        for cycle in queryset:
            try:
                opening = cycles.open_cycle(
                    cycle=cycle, scope=cycles.Scope.everyone(), by=request.user
                )
            except ValidationError as error:
                message = error.messages[0]
                if "overlapping" in getattr(error, "error_dict", {}):
                    # The admin's action cannot ask; the cycle's page does.
                    message += " Open it from the cycle's page, which asks."
                self.message_user(request, message, messages.ERROR)
                continue
            self.message_user(
                request,
                f"{cycle}: {len(opening.created)} appraisals created, "
                f"{len(opening.skipped)} people skipped.",
            )

    @admin.action(description="Close")
    def close(self, request, queryset):
        for cycle in queryset:
            try:
                cycles.close_cycle(cycle=cycle)
            except ValidationError as error:
                self.message_user(request, error.messages[0], messages.ERROR)


class ReadOnlyAdmin(SimpleHistoryAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Appraisal)
class AppraisalAdmin(ReadOnlyAdmin):
    list_display = ["person", "cycle", "manager", "stage", "outcome", "updated_at"]
    list_filter = ["stage", "cycle"]
    search_fields = ["person__name", "person__employee_id", "manager__name"]
    list_select_related = ["person", "cycle", "manager"]
    inlines = [RequirementInline, ObjectiveInline, EventInline]


@admin.register(CheckIn)
class CheckInAdmin(ReadOnlyAdmin):
    list_display = ["person", "manager", "held_on"]
    list_select_related = ["person", "manager"]


@admin.register(ProbationCheckpoint)
class ProbationCheckpointAdmin(ReadOnlyAdmin):
    list_display = ["person", "months", "due_on", "completed_on"]
    list_select_related = ["person"]
