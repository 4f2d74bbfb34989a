"""A leaver with something in every place the application keeps about a
person, for the personal-data tests: Sam of the cast, renamed Samira
Quartermain so that her names are found nowhere else, with a signed-off
appraisal (both sides' ratings, evidence and comments, summaries, an
objective, a plan action, a disagreement and its thread), a check-in, a
probation checkpoint, an API token and an admin log entry; and a check-in
of Tia's that names her."""

from datetime import date

from django.apps import apps
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models.functions import Cast

from appraisals import plans, probation, workflow
from appraisals.models import Person, ProbationCheckpoint, Stage
from tests.cast import fresh, issue, take_to

NAME = "Samira Quartermain"
EMAIL = "samira.quartermain@example.org"
EMPLOYEE_ID = "QX-7731"
USERNAME = "squartermain"
# What must be found nowhere once she is anonymised.
TRACES = ["Quartermain", "Samira", EMPLOYEE_ID]
LEFT_ON = date(2015, 3, 31)


def make_samira(cast, appraisal, *, leaving_date=LEFT_ON):
    """Sam, renamed and given a history, then a leaver on `leaving_date`."""
    sam = Person.objects.get(pk=cast.person.pk)
    sam.name, sam.email, sam.employee_id = NAME, EMAIL, EMPLOYEE_ID
    sam.start_date, sam.probation_end_date = date(2012, 1, 9), date(2012, 7, 9)
    sam.save()  # an audit record holding her name
    account = sam.account
    account.username, account.email = USERNAME, EMAIL
    account.first_name, account.last_name = "Samira", "Quartermain"
    account.save()
    mo = cast.manager.account

    appraisal = take_to(appraisal, Stage.SELF_ASSESSMENT)
    rows = list(appraisal.requirements.order_by("position"))
    workflow.save_self_ratings(
        appraisal=appraisal,
        by=account,
        confirmed_stage=Stage.SELF_ASSESSMENT,
        ratings={
            rows[0].pk: {
                "rating": rows[0].scale[0]["rank"],
                "evidence": "Samira Quartermain led the move to the new platform.",
                "comment": "Ask me, Samira, about it.",
            }
        },
    )
    workflow.save_summary(
        appraisal=fresh(appraisal),
        by=account,
        confirmed_stage=Stage.SELF_ASSESSMENT,
        text="A good year for Samira (QX-7731).",
    )
    appraisal = take_to(appraisal, Stage.MANAGER_REVIEW)
    workflow.save_manager_ratings(
        appraisal=appraisal,
        by=mo,
        confirmed_stage=Stage.MANAGER_REVIEW,
        ratings={
            rows[0].pk: {
                "rating": rows[0].scale[-1]["rank"],
                "evidence": "Mo's own notes on the platform move.",
                "comment": "Samira did well; ask samira.quartermain@example.org for the plan.",
            }
        },
    )
    workflow.save_summary(
        appraisal=fresh(appraisal),
        by=mo,
        confirmed_stage=Stage.MANAGER_REVIEW,
        text="Mo's summary: Samira Quartermain grew into the role.",
    )
    plans.add_objective(
        appraisal=fresh(appraisal),
        by=mo,
        confirmed_stage=Stage.MANAGER_REVIEW,
        title="Mentor Tia through her first year",
        measure="Samira and Tia meet monthly.",
    )
    appraisal = take_to(appraisal, Stage.REVIEW_SHARED)
    item = appraisal.review_items.order_by("pk").first()
    workflow.answer_review(
        appraisal=appraisal,
        by=account,
        confirmed_stage=Stage.REVIEW_SHARED,
        answers={item.pk: {"answer": "disagreed", "comment": "I, Samira, disagree."}},
    )
    workflow.answer_review(
        appraisal=fresh(appraisal),
        by=mo,
        confirmed_stage=Stage.REVIEW_SHARED,
        answers={item.pk: {"comment": "Mo's reply: let us talk, Samira."}},
    )
    appraisal = take_to(appraisal, Stage.SIGNED_OFF)

    plans.record_check_in(
        person=sam, by=mo, held_on=date(2014, 6, 2), notes="Samira Quartermain wants to lead."
    )
    probation.schedule_checkpoints(Person.objects.filter(pk=sam.pk))
    checkpoint = ProbationCheckpoint.objects.filter(person=sam).first()
    if checkpoint is not None:
        probation.complete_checkpoint(
            checkpoint=checkpoint, by=mo, completed_on=date(2012, 2, 9), notes="Samira settles in."
        )
    # Tia's record, by Olu: stays Olu's and Tia's, without Samira's name.
    tia = Person.objects.get(pk=cast.other_person.pk)
    plans.record_check_in(
        person=tia,
        by=cast.other_manager.account,
        held_on=date(2014, 6, 3),
        notes="Tia paired with Samira Quartermain on the pipeline.",
    )
    issue(account, name="Samira's laptop")
    LogEntry.objects.create(
        user=cast.hr,
        content_type=ContentType.objects.get_for_model(Person),
        object_id=str(sam.pk),
        object_repr=str(Person.objects.get(pk=sam.pk)),
        action_flag=CHANGE,
        change_message="Changed the email of Samira Quartermain.",
    )
    Person.objects.filter(pk=sam.pk).update(leaving_date=leaving_date)
    return Person.objects.get(pk=sam.pk), fresh(appraisal)


def traces_left(traces=TRACES):
    """Every text column of every table the application has (audit tables
    too; JSON read as text), searched for each trace: where any is found,
    as (table, column, trace)."""
    found = []
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        for field in model._meta.concrete_fields:
            if not isinstance(field, (models.CharField, models.TextField, models.JSONField)):
                continue
            rows = model._base_manager.annotate(_as_text=Cast(field.name, models.TextField()))
            for trace in traces:
                if rows.filter(_as_text__icontains=trace).exists():
                    found.append((model._meta.db_table, field.column, trace))
    return found
