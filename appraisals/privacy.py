"""Personal data: everything held about one person (a subject access
request, for HR), and anonymising leavers once the retention period has
passed (settings.RETENTION_YEARS after their leaving date).

The export is `subject_access(person)`: a dict in the documented shape
SUBJECT_ACCESS_FORMAT (README, "Personal data"), read in a fixed number of
queries however many appraisals the person has. The page's JSON and PDF
and the API's JSON are all this one dict.

Anonymising is `anonymise(person_id=…)`, one transaction per person:

- the person keeps their row (so they stay counted in reports and every
  appraisal, rating and stage still joins to someone), with their name,
  employee id and email replaced by a stable placeholder ("Former employee
  <id>"); the row's earlier audit records (simple-history) are scrubbed
  the same way, and a new record says it happened, under the placeholder;
- what they wrote themself as the appraisee (self-assessment evidence and
  comments, their summary, their answers in review threads) is replaced by
  REMOVED, in the rows and in their audit records: it is theirs and it has
  no use after the retention period; the ratings, stages, answers (agreed
  or disagreed) and dates stay, so counts and gaps stay right;
- what others wrote about them (the manager's comments, check-in and
  probation notes) is the writer's record too and stays, with the leaver's
  name, first names, employee id, email and username taken out of it;
- their full name, employee id and email are taken out of every other
  text the application holds (other people's appraisals, the admin's log,
  stored API answers), since someone may have named them anywhere;
- their sign-in account stays (audit records point at it) but is stripped:
  a random username, no email or names, an unusable password, inactive;
  its API tokens and stored API answers are deleted.

It is idempotent: an anonymised person (anonymised_at set) is left alone.
"""

import re
import secrets
from datetime import date
from functools import reduce
from operator import or_

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import models, transaction
from django.db.models import Prefetch, Q
from django.db.models.functions import Cast
from django.utils import timezone

from appraisals.models import (
    Appraisal,
    AppraisalEvent,
    CheckIn,
    DevelopmentAction,
    Objective,
    Person,
    ProbationCheckpoint,
    ProbationDecision,
    Requirement,
    ReviewComment,
    ReviewItem,
)
from competency.api.models import ApiToken, IdempotentRequest
from competency.models import OutboundMail

SUBJECT_ACCESS_FORMAT = "subject-access/1"
REMOVED = "[Removed when the person was anonymised]"
ANONYMISED_REASON = "Anonymised after the retention period"


# --- retention -----------------------------------------------------------------------


def retention_cutoff(today=None):
    """The last leaving date that is past retention on `today`: the same
    day RETENTION_YEARS years earlier (29 February becomes the 28th)."""
    today = today or timezone.localdate()
    years = settings.RETENTION_YEARS
    try:
        return today.replace(year=today.year - years)
    except ValueError:
        return date(today.year - years, today.month, today.day - 1)


def due(today=None):
    """Leavers past retention, not anonymised yet."""
    return Person.objects.due_for_anonymising(retention_cutoff(today))


def anonymisable_from(person):
    """The first day this person may be anonymised, or None (no leaving date)."""
    if person.leaving_date is None:
        return None
    years = settings.RETENTION_YEARS
    left = person.leaving_date
    try:
        return left.replace(year=left.year + years)
    except ValueError:
        return date(left.year + years, 3, 1)


def is_due(person, today=None):
    """Whether this person may be anonymised now: a leaver past retention,
    not anonymised yet (the rule `due` applies to many)."""
    return (
        person.anonymised_at is None
        and person.leaving_date is not None
        and person.leaving_date <= retention_cutoff(today)
    )


class NotDue(Exception):
    """Refused: not a leaver, or not past the retention period yet."""


class Busy(Exception):
    """Another run holds this person's row: it is anonymising them now."""


def placeholder(person_pk):
    return f"Former employee {person_pk}"


# --- the subject access export ----------------------------------------------------------


def _day(value):
    # Dates stay dates: the JSON encoders write them as ISO 8601 (YYYY-MM-DD)
    # and the PDF's template as words.
    return value


def _who(users, user_id, own_account_id):
    """How a person who did something reads in the export: "you" for the
    subject, else the name of the person behind the account (staff know
    who their manager and HR are), else the username."""
    if user_id is None:
        return None
    if user_id == own_account_id:
        return "you"
    return users.get(user_id, "someone whose account was removed")


def _user_names(user_ids):
    User = get_user_model()
    found = User._default_manager.filter(pk__in=user_ids).select_related("person")
    names = {}
    for user in found:
        person = getattr(user, "person", None)
        names[user.pk] = person.name if person is not None else user.get_username()
    return names


def _history_records(model, rows_filter):
    """The audit records (simple-history) of `model` matching the filter."""
    history = model.history.model
    return list(history.objects.filter(rows_filter).order_by("history_date", "history_id"))


def _history_row(model, record, users, own_account_id):
    """One audit record: its table, the row's id, the kind of change, when,
    by whom and the values recorded (the history's bookkeeping left out)."""
    fields = [field for field in model.history.model.tracked_fields if not field.primary_key]
    return {
        "table": model._meta.model_name,
        "id": record.id,
        "change": record.get_history_type_display(),
        "at": record.history_date,
        "by": _who(users, record.history_user_id, own_account_id),
        "reason": record.history_change_reason or "",
        "values": {field.attname: getattr(record, field.attname) for field in fields},
    }


def subject_access(person):
    """Everything held about `person`, as one dict (SUBJECT_ACCESS_FORMAT).

    Read in a fixed number of queries (each kind of row once, with its
    children prefetched), whatever the number of appraisals.

    Appraisals where they were the manager are included only with what
    they wrote or did there: their ratings, evidence, comments and summary,
    their thread entries and the moves they made, and no name. The
    appraisee's self-assessment, answers and identity are the appraisee's
    personal data, not the manager's to receive; the appraisal is named by
    its id and cycle so HR can find it if asked."""
    account = person.account if person.account_id else None
    own = person.account_id

    as_subject = list(
        Appraisal.objects.filter(person=person)
        .select_related("cycle", "manager", "profile_version__profile")
        .prefetch_related(
            "requirements",
            "objectives",
            "development_actions",
            "events",
            Prefetch(
                "review_items",
                queryset=ReviewItem.objects.select_related("requirement", "objective"),
            ),
            "review_items__comments",
        )
        .order_by("cycle__opens_on", "pk")
    )
    as_manager = list(
        Appraisal.objects.filter(manager=person)
        .select_related("cycle")
        .prefetch_related(
            Prefetch(
                "requirements",
                queryset=Requirement.objects.only(
                    "appraisal_id",
                    "position",
                    "title",
                    "manager_rating",
                    "manager_evidence",
                    "manager_comment",
                    "scale",
                ),
            ),
            Prefetch(
                "events",
                queryset=AppraisalEvent.objects.filter(by_id=own)
                if own
                else AppraisalEvent.objects.none(),
                to_attr="own_events",
            ),
            Prefetch(
                "review_items",
                queryset=ReviewItem.objects.select_related(
                    "requirement", "objective"
                ).prefetch_related(
                    Prefetch(
                        "comments",
                        queryset=ReviewComment.objects.filter(by_id=own)
                        if own
                        else ReviewComment.objects.none(),
                        to_attr="own_comments",
                    )
                ),
            ),
        )
        .order_by("cycle__opens_on", "pk")
    )
    check_ins = list(
        CheckIn.objects.filter(Q(person=person) | Q(manager=person)).select_related("manager")
    )
    checkpoints = list(ProbationCheckpoint.objects.filter(person=person).order_by("due_on"))
    decisions = list(ProbationDecision.objects.filter(person=person))
    decided = list(ProbationDecision.objects.filter(decided_by_id=own)) if own else []
    tokens = list(ApiToken.objects.filter(user_id=own)) if own else []

    # Everyone who did something the export shows, named in one query.
    user_ids = {
        user_id
        for appraisal in as_subject
        for user_id in [
            *(event.by_id for event in appraisal.events.all()),
            *(c.by_id for item in appraisal.review_items.all() for c in item.comments.all()),
        ]
    }
    user_ids |= {decision.decided_by_id for decision in decisions}
    subject_ids = [appraisal.pk for appraisal in as_subject]
    histories = [
        (Person, Q(id=person.pk)),
        (Appraisal, Q(id__in=subject_ids)),
        (Requirement, Q(appraisal_id__in=subject_ids)),
        (Objective, Q(appraisal_id__in=subject_ids)),
        (DevelopmentAction, Q(appraisal_id__in=subject_ids)),
        (CheckIn, Q(person_id=person.pk)),
        (ProbationCheckpoint, Q(person_id=person.pk)),
    ]
    records = [(model, _history_records(model, rows)) for model, rows in histories]
    user_ids |= {r.history_user_id for _, found in records for r in found}
    users = _user_names(user_ids - {None, own})

    return {
        "format": SUBJECT_ACCESS_FORMAT,
        "exported_at": timezone.now(),
        "person": {
            "id": person.pk,
            "employee_id": person.employee_id,
            "name": person.name,
            "email": person.email,
            "job_title": person.job_title,
            "line_manager": person.line_manager.name if person.line_manager_id else None,
            "role_profile": person.role_profile.title if person.role_profile_id else None,
            "start_date": _day(person.start_date),
            "probation_end_date": _day(person.probation_end_date),
            "leaving_date": _day(person.leaving_date),
            "anonymised_at": person.anonymised_at,
            # What the mail and reminders keep about them.
            "reminders_off_at": person.reminders_off_at,
            "email_refused": person.email_refused or None,
            "email_refused_at": person.email_refused_at,
            "email_refused_reason": person.email_refused_reason or None,
        },
        # Never the password hash: whether a password is set says enough.
        "account": None
        if account is None
        else {
            "username": account.get_username(),
            "email": account.email,
            "first_name": account.first_name,
            "last_name": account.last_name,
            "date_joined": account.date_joined,
            "last_login": account.last_login,
            "is_active": account.is_active,
            "has_usable_password": account.has_usable_password(),
        },
        "appraisals": [_subject_appraisal(a, users, own) for a in as_subject],
        "appraisals_as_manager": [_managed_appraisal(a) for a in as_manager],
        "check_ins": [_check_in(check_in, person, own) for check_in in check_ins],
        "probation": {
            "checkpoints": [
                {
                    "months": checkpoint.months,
                    "due_on": _day(checkpoint.due_on),
                    "completed_on": _day(checkpoint.completed_on),
                    "notes": checkpoint.notes,
                }
                for checkpoint in checkpoints
            ],
            "decisions": [
                {
                    "outcome": decision.get_outcome_display(),
                    "extended_to": _day(decision.extended_to),
                    "notes": decision.notes,
                    "decided_by": _who(users, decision.decided_by_id, own),
                    "decided_at": decision.decided_at,
                }
                for decision in decisions
            ],
            # Decisions they made about others: what they decided and wrote.
            "decisions_made": [
                {
                    "outcome": decision.get_outcome_display(),
                    "notes": decision.notes,
                    "decided_at": decision.decided_at,
                }
                for decision in decided
            ],
        },
        # Names and dates only: a token's secret is never stored, and not
        # even its first characters are given out here.
        "api_tokens": [
            {
                "name": token.name,
                "created_at": token.created_at,
                "expires_at": token.expires_at,
                "revoked_at": token.revoked_at,
                "last_used_at": token.last_used_at,
            }
            for token in tokens
        ],
        "audit_history": [
            _history_row(model, record, users, own) for model, found in records for record in found
        ],
    }


def _rating(requirement, rank):
    return {"rank": rank, "name": requirement.rank_name(rank)}


def _subject_appraisal(appraisal, users, own):
    version = appraisal.profile_version
    return {
        "id": appraisal.pk,
        "cycle": {
            "name": appraisal.cycle.name,
            "kind": appraisal.cycle.get_kind_display(),
            "opens_on": _day(appraisal.cycle.opens_on),
            "closes_on": _day(appraisal.cycle.closes_on),
        },
        "profile": {"title": version.profile.title, "version": version.number},
        "manager": appraisal.manager.name,
        "stage": appraisal.get_stage_display(),
        "outcome": appraisal.get_outcome_display() if appraisal.outcome else "",
        "person_summary": appraisal.person_summary,
        "manager_summary": appraisal.manager_summary,
        "person_signed_at": appraisal.person_signed_at,
        "manager_signed_at": appraisal.manager_signed_at,
        "created_at": appraisal.created_at,
        "updated_at": appraisal.updated_at,
        "requirements": [
            {
                "title": r.title,
                "kind": r.get_kind_display(),
                "required": r.required_label,
                "self_rating": _rating(r, r.self_rating),
                "self_evidence": r.self_evidence,
                "self_comment": r.self_comment,
                "manager_rating": _rating(r, r.manager_rating),
                "manager_evidence": r.manager_evidence,
                "manager_comment": r.manager_comment,
            }
            for r in appraisal.requirements.all()
        ],
        "objectives": [
            {
                "title": o.title,
                "measure": o.measure,
                "due_on": _day(o.due_on),
                "status": o.get_status_display(),
                "progress_notes": o.progress_notes,
            }
            for o in appraisal.objectives.all()
        ],
        "development_actions": [
            {
                "title": a.title,
                "details": a.details,
                "due_on": _day(a.due_on),
                "status": a.get_status_display(),
            }
            for a in appraisal.development_actions.all()
        ],
        "review_threads": [
            {
                "about": _item_subject(item),
                "answer": item.get_answer_display(),
                "answered_at": item.answered_at,
                "comments": [
                    {
                        "kind": c.get_kind_display(),
                        "text": c.text,
                        "by": _who(users, c.by_id, own),
                        "at": c.at,
                    }
                    for c in item.comments.all()
                ],
            }
            for item in appraisal.review_items.all()
        ],
        "events": [
            {
                "action": e.get_action_display(),
                "from_stage": e.get_from_stage_display() if e.from_stage else "",
                "to_stage": e.get_to_stage_display(),
                "reason": e.reason,
                "by": _who(users, e.by_id, own),
                "at": e.at,
            }
            for e in appraisal.events.all()
        ],
    }


def _item_subject(item):
    if item.requirement_id:
        return f"Rating: {item.requirement.title}"
    if item.objective_id:
        return f"Objective: {item.objective.title}"
    return item.get_kind_display()


def _managed_appraisal(appraisal):
    threads = [
        {"about": _item_subject(item), "comments": item.own_comments}
        for item in appraisal.review_items.all()
        if item.own_comments
    ]
    return {
        "id": appraisal.pk,
        "cycle": appraisal.cycle.name,
        "manager_summary": appraisal.manager_summary,
        "manager_signed_at": appraisal.manager_signed_at,
        "ratings": [
            {
                "title": r.title,
                "manager_rating": _rating(r, r.manager_rating),
                "manager_evidence": r.manager_evidence,
                "manager_comment": r.manager_comment,
            }
            for r in appraisal.requirements.all()
        ],
        "comments": [
            {"about": thread["about"], "kind": c.get_kind_display(), "text": c.text, "at": c.at}
            for thread in threads
            for c in thread["comments"]
        ],
        "moves": [
            {
                "action": e.get_action_display(),
                "to_stage": e.get_to_stage_display(),
                "reason": e.reason,
                "at": e.at,
            }
            for e in appraisal.own_events
        ],
    }


def _check_in(check_in, person, own):
    if check_in.person_id == person.pk:
        return {
            "role": "person",
            "held_on": _day(check_in.held_on),
            "with": check_in.manager.name,
            "notes": check_in.notes,
            "agreed_actions": check_in.agreed_actions,
        }
    # One they held with a report: the notes only if they wrote them, and
    # not the report's name (the report's record, not theirs).
    wrote = own is not None and check_in.created_by_id == own
    return {
        "role": "manager",
        "held_on": _day(check_in.held_on),
        "with": None,
        "notes": check_in.notes if wrote else "",
        "agreed_actions": check_in.agreed_actions if wrote else "",
    }


# --- anonymising ------------------------------------------------------------------------


def _pattern(terms):
    """One case-insensitive pattern for the terms, each as a whole word
    (so "Sam" is not taken out of "Samba"), longest first."""
    terms = sorted({t for t in terms if t and len(t) >= 2}, key=len, reverse=True)
    if not terms:
        return None
    return re.compile(
        r"(?<!\w)(?:" + "|".join(re.escape(t) for t in terms) + r")(?!\w)", re.IGNORECASE
    )


def _terms(person):
    """(everywhere, about_them): what identifies the person in any text, and
    the shorter names too (a first name alone) that are taken out only of
    the records about them, where they can only mean them."""
    everywhere = {" ".join(person.name.split()), person.email, person.employee_id}
    about = set(everywhere) | set(person.name.split())
    account = person.account
    if account is not None:
        everywhere.add(account.email)
        about |= {account.get_username(), account.first_name, account.last_name}
    return everywhere - {""}, about - {""}


def _text_fields(model):
    return [
        field
        for field in model._meta.concrete_fields
        if isinstance(field, (models.CharField, models.TextField))
        and not field.choices
        and not field.primary_key
        and not field.is_relation
        # Identifiers (usernames, employee ids, slugs) are never rewritten
        # in passing: the person's own are replaced whole, above.
        and not field.unique
    ]


def _json_fields(model):
    return [f for f in model._meta.concrete_fields if isinstance(f, models.JSONField)]


def _replace_json(value, pattern, replacement):
    if isinstance(value, str):
        return pattern.sub(replacement, value)
    if isinstance(value, list):
        return [_replace_json(v, pattern, replacement) for v in value]
    if isinstance(value, dict):
        return {k: _replace_json(v, pattern, replacement) for k, v in value.items()}
    return value


def _scrub(queryset, terms, replacement, clear=()):
    """Take `terms` out of every text (and JSON) column of the rows, and set
    the `clear` columns that hold anything to REMOVED. Only rows holding a
    term, or something to clear, are read and written. Returns the number
    of rows changed."""
    pattern = _pattern(terms)
    model = queryset.model
    texts = [f for f in _text_fields(model) if f.name not in clear]
    jsons = _json_fields(model)
    if pattern is None:  # nothing to take out: only the `clear` columns
        texts, jsons = [], []
    found = [Q(**{f"{f.name}__icontains": term}) for f in texts for term in terms]
    found += [Q(**{f"_text_{f.name}__icontains": term}) for f in jsons for term in terms]
    found += [~Q(**{name: ""}) & ~Q(**{name: REMOVED}) for name in clear]
    if not found or (pattern is None and not clear):
        return 0
    queryset = queryset.annotate(
        **{f"_text_{f.name}": Cast(f.name, models.TextField()) for f in jsons}
    )
    changed = []
    names = [f.name for f in texts + jsons] + list(clear)
    for row in queryset.filter(reduce(or_, found)).only(*names):
        before = {name: getattr(row, name) for name in names}
        for name in clear:
            if getattr(row, name):
                setattr(row, name, REMOVED)
        for field in texts:
            value = getattr(row, field.name)
            if value and pattern is not None:
                setattr(row, field.name, pattern.sub(replacement, value))
        for field in jsons:
            setattr(row, field.name, _replace_json(getattr(row, field.name), pattern, replacement))
        fields = [name for name in names if getattr(row, name) != before[name]]
        if fields:
            changed.append((row, fields))
    for row, fields in changed:
        model._base_manager.filter(pk=row.pk).update(
            **{name: getattr(row, name) for name in fields}
        )
    return len(changed)


# The applications whose tables may hold a person's name in a text: every
# table of theirs (and their audit tables) is searched. Profiles and the
# catalogue describe jobs, not people.
SEARCHED_APPS = ("appraisals", "auth", "admin", "api")


def anonymise(*, person_id, by=None, today=None):
    """Anonymise one leaver past retention; True if done now, False if they
    were already anonymised. NotDue when they are not a leaver past
    retention; Busy when another run is anonymising them (their row is
    locked: skipped, not waited for). One transaction: all or nothing."""
    with transaction.atomic():
        person = (
            Person.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(pk=person_id)
            .first()
        )
        if person is None:
            if Person.objects.filter(pk=person_id).exists():
                raise Busy(f"Person {person_id} is being anonymised by another run.")
            raise Person.DoesNotExist(person_id)
        if person.anonymised_at is not None:
            return False
        if person.leaving_date is None:
            raise NotDue(f"{person.name} has not left: only leavers are anonymised.")
        if person.leaving_date > retention_cutoff(today):
            raise NotDue(
                f"{person.name} left on {person.leaving_date:%-d %B %Y}: they may be anonymised "
                f"from {anonymisable_from(person):%-d %B %Y}, {settings.RETENTION_YEARS} years "
                "after leaving."
            )
        _anonymise(person, by)
        return True


def _anonymise(person, by):
    everywhere, about = _terms(person)
    name = placeholder(person.pk)
    account = person.account if person.account_id else None
    own_appraisals = Appraisal.objects.filter(person=person).values("pk")

    # What they wrote as the appraisee: removed, rows kept.
    _scrub(Appraisal.objects.filter(person=person), about, name, clear=["person_summary"])
    _scrub(
        Requirement.objects.filter(appraisal__in=own_appraisals),
        about,
        name,
        clear=["self_evidence", "self_comment"],
    )
    _scrub(
        Appraisal.history.model.objects.filter(id__in=own_appraisals),
        about,
        name,
        clear=["person_summary"],
    )
    _scrub(
        Requirement.history.model.objects.filter(appraisal_id__in=own_appraisals),
        about,
        name,
        clear=["self_evidence", "self_comment"],
    )
    if account is not None:
        _scrub(
            ReviewComment.objects.filter(item__appraisal__in=own_appraisals, by=account),
            about,
            name,
            clear=["text"],
        )
    # What others wrote about them: kept, without their names.
    about_them = [
        ReviewComment.objects.filter(item__appraisal__in=own_appraisals),
        AppraisalEvent.objects.filter(appraisal__in=own_appraisals),
        Objective.objects.filter(appraisal__in=own_appraisals),
        Objective.history.model.objects.filter(appraisal_id__in=own_appraisals),
        DevelopmentAction.objects.filter(appraisal__in=own_appraisals),
        DevelopmentAction.history.model.objects.filter(appraisal_id__in=own_appraisals),
        CheckIn.objects.filter(person=person),
        CheckIn.history.model.objects.filter(person_id=person.pk),
        ProbationCheckpoint.objects.filter(person=person),
        ProbationCheckpoint.history.model.objects.filter(person_id=person.pk),
        ProbationDecision.objects.filter(person=person),
    ]
    for queryset in about_them:
        _scrub(queryset, about, name)

    # The person: placeholders, and a record that says so (no old name).
    person.name = name
    person.employee_id = f"former-{person.pk}"
    person.email = person.email_refused = person.email_refused_reason = ""
    person.email_refused_at = None
    person.anonymised_at = timezone.now()
    person._change_reason = ANONYMISED_REASON
    if by is not None:
        person._history_user = by
    person.save()
    Person.history.model.objects.filter(id=person.pk).exclude(
        history_change_reason=ANONYMISED_REASON
    ).update(
        name=name,
        employee_id=person.employee_id,
        email="",
        email_refused="",
        email_refused_reason="",
        email_refused_at=None,
    )

    if account is not None:
        account.username = f"former-{secrets.token_hex(8)}"
        account.email = account.first_name = account.last_name = ""
        account.is_active = False
        account.set_unusable_password()
        account.save()
        ApiToken.objects.filter(user=account).delete()
        IdempotentRequest.objects.filter(user=account).delete()

    # Anywhere else they may be named: every text the application keeps.
    for model in apps.get_models():
        if model._meta.app_label in SEARCHED_APPS and not model._meta.proxy:
            _scrub(model._base_manager.all(), everywhere, name)
    # The outbox keeps each mail's text (competency.mail): theirs and those
    # that named them.
    _scrub(OutboundMail.objects.all(), everywhere, name)
