"""HR maintain people and cycles and read appraisals in the admin.

Appraisals change only through the workflow's services, so HR get view
rights on them and their parts, and full rights on people and cycles."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

MAINTAINED = ["person", "cycle"]
READ = [
    "appraisal",
    "requirement",
    "appraisalevent",
    "objective",
    "developmentaction",
    "checkin",
    "probationcheckpoint",
    "probationdecision",
]


def codenames():
    return [f"{action}_{model}" for model in MAINTAINED for action in ("add", "change", "view")] + [
        f"view_{model}" for model in READ
    ]


def grant(apps, schema_editor):
    app_config = apps.get_app_config("appraisals")
    app_config.models_module = True
    create_permissions(app_config, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    hr, _ = Group.objects.get_or_create(name="HR")
    hr.permissions.add(
        *Permission.objects.filter(content_type__app_label="appraisals", codename__in=codenames())
    )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    hr = Group.objects.filter(name="HR").first()
    if hr:
        hr.permissions.remove(
            *Permission.objects.filter(
                content_type__app_label="appraisals", codename__in=codenames()
            )
        )


class Migration(migrations.Migration):
    dependencies = [
        ("appraisals", "0001_people_cycles_appraisals"),
        ("profiles", "0005_groups"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
