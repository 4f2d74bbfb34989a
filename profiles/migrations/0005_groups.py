"""The three groups of people the application knows, with HR's rights.

HR maintain the catalogue and the profiles, so the group gets every
permission of those two apps. Line managers and staff get no model
permissions: what they may read is decided in the views."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUPS = ["HR", "Line managers", "Staff"]
HR_APPS = ["competency", "profiles"]


def create_groups(apps, schema_editor):
    # Permissions are normally made after all migrations; make them now so the
    # HR group can be given them on a fresh database.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name in GROUPS:
        Group.objects.get_or_create(name=name)
    hr = Group.objects.get(name="HR")
    hr.permissions.add(*Permission.objects.filter(content_type__app_label__in=HR_APPS))


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=GROUPS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("profiles", "0004_audit_history"),
        ("competency", "0004_audit_history"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
