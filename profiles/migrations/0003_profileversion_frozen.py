from django.db import migrations

from competency.db import frozen_table_trigger

forwards, backwards = frozen_table_trigger(
    "profiles_profileversion", "a published version never changes"
)


class Migration(migrations.Migration):
    dependencies = [("profiles", "0002_profileskill_level_in_framework")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
