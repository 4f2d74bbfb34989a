from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Max

from profiles import lifecycle
from profiles.drafts import PROFILE_FIELDS
from profiles.models import JobFamily, ProfileVersion, RoleProfile
from profiles.search import refresh_search_text
from profiles.sections import SECTIONS


@admin.register(JobFamily)
class JobFamilyAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


class LinkInline(admin.TabularInline):
    """Ordered links to the catalogue, shown in order; editable only while a
    profile is being created here."""

    extra = 0
    ordering = ["position", "id"]

    def _editable(self, obj):
        # Only while the profile is being created: afterwards its items
        # change on the edit page, which locks the row (see RoleProfileAdmin).
        return obj is None

    def has_add_permission(self, request, obj=None):
        return self._editable(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._editable(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._editable(obj) and super().has_delete_permission(request, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "level":
            # A level's name includes its framework's.
            kwargs["queryset"] = db_field.related_model.objects.select_related("framework")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


def section_inline(section):
    """The inline of one section's links, from its description: the item,
    and the depth or level the profile asks for."""
    fields = ["position", section.item_field]
    if section.requirement:
        fields.append(section.requirement)
    return type(
        f"{section.link_model.__name__}Inline",
        (LinkInline,),
        {
            "model": section.link_model,
            "fields": fields,
            "autocomplete_fields": [section.item_field],
        },
    )


class VersionInline(admin.TabularInline):
    model = ProfileVersion
    fields = ["number", "published_at", "published_by"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


# The profile's own texts, as the edit page has them, and its URL name.
CONTENT_FIELDS = ["slug", *PROFILE_FIELDS]


@admin.register(RoleProfile)
class RoleProfileAdmin(admin.ModelAdmin):
    list_display = ["title", "job_family", "role_level", "variant", "status", "latest_version"]
    list_filter = ["status", "job_family", "role_level", "skill_links__skill__category__framework"]
    search_fields = ["title", "slug", "summary", "skill_links__skill__name"]
    list_select_related = ["job_family"]
    prepopulated_fields = {"slug": ["title"]}
    fields = [*CONTENT_FIELDS, "status"]
    readonly_fields = ["status"]
    inlines = [
        *(section_inline(section) for section in SECTIONS),
        VersionInline,
    ]
    actions = ["publish", "start_new_draft", "archive"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(latest=Max("versions__number"))

    # A profile's content changes only on its own pages (or through the
    # API), which lock the row and check what the person saw: a save here
    # would write every field unchecked over a colleague's edit. The admin
    # creates profiles, reads them and runs the lifecycle actions.
    def get_readonly_fields(self, request, obj=None):
        if obj is not None:
            return [*CONTENT_FIELDS, "status"]
        return self.readonly_fields

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # A profile created here, with its links: what HR search it by.
        refresh_search_text(form.instance)

    def get_prepopulated_fields(self, request, obj=None):
        return {} if obj is not None else self.prepopulated_fields

    @admin.display(description="latest version", ordering="latest")
    def latest_version(self, obj):
        return obj.latest or "–"

    def _run(self, request, queryset, service, done):
        changed = 0
        for profile in queryset:
            try:
                service(profile=profile)
            except ValidationError as exc:
                self.message_user(request, "; ".join(exc.messages), messages.ERROR)
            else:
                changed += 1
        if changed:
            self.message_user(request, f"{done} {changed} profile(s).", messages.SUCCESS)

    @admin.action(description="Publish the selected drafts as new versions")
    def publish(self, request, queryset):
        self._run(
            request,
            queryset,
            lambda profile: lifecycle.publish_profile(profile=profile, user=request.user),
            "Published",
        )

    @admin.action(description="Start a new draft of the selected profiles")
    def start_new_draft(self, request, queryset):
        self._run(request, queryset, lifecycle.start_draft, "Reopened as drafts:")

    @admin.action(description="Archive the selected profiles")
    def archive(self, request, queryset):
        self._run(request, queryset, lifecycle.archive_profile, "Archived")


@admin.register(ProfileVersion)
class ProfileVersionAdmin(admin.ModelAdmin):
    """Published versions are evidence: readable, never editable."""

    list_display = ["profile", "number", "published_at", "published_by"]
    list_filter = ["profile__job_family"]
    search_fields = ["profile__title", "profile__slug"]
    list_select_related = ["profile", "published_by"]
    readonly_fields = ["profile", "number", "document", "published_at", "published_by"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
