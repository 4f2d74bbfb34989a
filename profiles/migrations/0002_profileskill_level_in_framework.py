from django.db import migrations

from competency.db import level_in_framework_trigger

forwards, backwards = level_in_framework_trigger("profiles_profileskill")


class Migration(migrations.Migration):
    dependencies = [
        ("profiles", "0001_role_profiles"),
        ("competency", "0002_skilllevel_level_in_framework"),
    ]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
