from django.db import migrations

from competency.db import level_in_framework_trigger

forwards, backwards = level_in_framework_trigger("competency_skilllevel")


class Migration(migrations.Migration):
    dependencies = [("competency", "0001_catalogue")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
