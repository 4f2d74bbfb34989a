import json
from io import StringIO

from django.core.management import call_command

from competency.models import (
    DevelopmentActivity,
    KnowledgeItem,
    Qualification,
    Skill,
    Training,
    WorkActivity,
)
from profiles.models import RoleProfile


def run(command, *args, **options):
    """Call a management command; return what it printed."""
    out = StringIO()
    call_command(command, *args, stdout=out, stderr=StringIO(), **options)
    return out.getvalue()


def export(slug, *args):
    return json.loads(run("export_profile", slug, *args))


def written_rows():
    """How many rows an import could have written, to show a failure wrote none."""
    return {
        model.__name__: model.objects.count()
        for model in (
            RoleProfile,
            WorkActivity,
            KnowledgeItem,
            Training,
            DevelopmentActivity,
            Qualification,
            Skill,
        )
    }
