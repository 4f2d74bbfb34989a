from django.db import migrations

from competency.db import frameworks_fixed_triggers

forwards, backwards = frameworks_fixed_triggers()


class Migration(migrations.Migration):
    dependencies = [("competency", "0002_skilllevel_level_in_framework")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
