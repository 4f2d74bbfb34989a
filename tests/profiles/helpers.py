import json
from io import StringIO

from django.apps import apps
from django.core.management import call_command


def run(command, *args, **options):
    """Call a management command; return what it printed."""
    out = StringIO()
    call_command(command, *args, stdout=out, stderr=StringIO(), **options)
    return out.getvalue()


def export(slug, *args):
    return json.loads(run("export_profile", slug, *args))


def written_rows():
    """How many rows every table of the catalogue and the profiles holds, to
    show that a failed import wrote none. (An upload waiting for its
    confirmation is not content, so PendingUpload is left out.)"""
    return {
        model.__name__: model.objects.count()
        for app in ("competency", "profiles")
        for model in apps.get_app_config(app).get_models()
        if model.__name__ != "PendingUpload"
    }
