import json
from io import StringIO

from django.apps import apps
from django.core.management import call_command

from competency.history import history_entries
from profiles import drafts, lifecycle
from profiles.audit import PROFILE_VALUES, item_text, place
from profiles.sections import BY_SLUG, SECTIONS


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
    confirmation is not content, so PendingUpload is left out; nor is the
    record of a confirmed import's job, which says that it failed.)"""
    return {
        model.__name__: model.objects.count()
        for app in ("competency", "profiles")
        for model in apps.get_app_config(app).get_models()
        if model.__name__ not in ("PendingUpload", "BackgroundJob")
    }


def every_entry(profile):
    """The whole trail worked out in memory from every record, as the page
    did before it read a page at a time: the reference it must agree with."""
    entries = history_entries(profile.history.all(), lambda record: "Profile", PROFILE_VALUES)
    for section in SECTIONS:
        records = list(section.link_model.history.filter(profile_id=profile.pk))
        field = f"{section.item_field}_id"
        items = section.items().in_bulk({getattr(record, field) for record in records})
        entries += history_entries(
            records,
            lambda record, section=section, items=items, field=field: (
                f"{section.noun[:1].upper()}{section.noun[1:]}: "
                f"{items.get(getattr(record, field)) or 'an item since deleted'}"
            ),
            {section.item_field: item_text, "position": place},
        )
    entries.sort(key=lambda entry: entry["when"], reverse=True)
    return entries


def make_changes(profile, rounds):
    """Each round changes the summary and a knowledge item's depth: two
    changes, each a record of its own table."""
    lifecycle.start_draft(profile=profile)
    link = profile.knowledge_links.order_by("position").first()
    for number in range(rounds):
        profile.refresh_from_db()
        values = drafts.field_values(profile)
        drafts.update_profile(
            profile=profile, values={**values, "summary": f"Summary {number}."}, base=values
        )
        drafts.change_item(
            profile=profile,
            section=BY_SLUG["knowledge"],
            link_id=link.pk,
            depth="aware" if number % 2 else "proficient",
        )
