"""The people's and appraisals' webhook events (competency/webhooks.py),
raised by the services that make the change, in their transactions:

- person.joined / person.moved / person.left: people.save_person (HR's page
  and the API) and importing.apply_import (a file, the page, the API);
- appraisal.stage_changed and appraisal.signed_off: workflow._move, which
  every transition goes through.

Payloads carry what HR read of the same rows (webhooks are HR's) and the
API address to read more; an appraisal's carries ids, not its content."""

from django.urls import reverse

from appraisals.models import Person, Stage
from competency import webhooks

# A person's fields whose change moves them (the import's MOVE_FIELDS too).
MOVE_FIELDS = ["line_manager_id", "role_profile_id", "job_title"]


def person_payload(person):
    return {
        "id": person.pk,
        "employee_id": person.employee_id,
        "name": person.name,
        "email": person.email,
        "job_title": person.job_title,
        "line_manager_id": person.line_manager_id,
        "role_profile_id": person.role_profile_id,
        "start_date": person.start_date,
        "leaving_date": person.leaving_date,
        "url": reverse("api:person-detail", args=[person.pk]),
    }


PERSON_EVENTS = ["person.joined", "person.moved", "person.left"]


def watching_people():
    """Whether any webhook wants the people's events (one query)."""
    return webhooks.wanted(*PERSON_EVENTS)


def before(people=None):
    """What to compare a save with: the people's move fields and leaving
    dates as they are now, by id (`people`: a queryset, everyone if None)."""
    people = Person.objects.all() if people is None else people
    fields = ["pk", *MOVE_FIELDS, "leaving_date"]
    return {row["pk"]: row for row in people.values(*fields).iterator()}


def people_changed(people, was):
    """Raise the events for `people` as saved, `was` their rows before
    (before(); a person missing from it joined)."""
    joined, moved, left = [], [], []
    for person in people:
        old = was.get(person.pk)
        if old is None:
            joined.append((person_payload(person), _subject(person)))
            continue
        changes = {
            name: [old[name], getattr(person, name)]
            for name in MOVE_FIELDS
            if old[name] != getattr(person, name)
        }
        if changes:
            moved.append(({**person_payload(person), "changes": changes}, _subject(person)))
        if person.leaving_date is not None and person.leaving_date != old["leaving_date"]:
            left.append((person_payload(person), _subject(person)))
    webhooks.emit_many("person.joined", joined)
    webhooks.emit_many("person.moved", moved)
    webhooks.emit_many("person.left", left)


def _subject(person):
    return f"person:{person.pk}"


def stage_changed(appraisal, *, from_stage, action, by):
    """An appraisal's move (workflow._move), and its sign-off when it is one."""
    payload = {
        "id": appraisal.pk,
        "cycle_id": appraisal.cycle_id,
        "person_id": appraisal.person_id,
        "manager_id": appraisal.manager_id,
        "from_stage": from_stage,
        "to_stage": appraisal.stage,
        "action": action,
        "by_user_id": by.pk if by is not None else None,
        "url": reverse("api:appraisal-detail", args=[appraisal.pk]),
    }
    subject = f"appraisal:{appraisal.pk}"
    webhooks.emit("appraisal.stage_changed", payload, subject)
    if appraisal.stage == Stage.SIGNED_OFF:
        signed = {
            **payload,
            "person_signed_at": appraisal.person_signed_at,
            "manager_signed_at": appraisal.manager_signed_at,
        }
        webhooks.emit("appraisal.signed_off", signed, subject)
