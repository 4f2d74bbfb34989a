"""What the page tests share: a signed-in client per person, and an
appraisal taken through the workflow to a stage."""

from django.test import Client
from django.urls import reverse

from appraisals import workflow
from appraisals.models import Stage


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def url(name, appraisal, *args):
    return reverse(f"appraisals:{name}", args=[appraisal.pk, *args])


def rows(appraisal):
    return {row.kind: row for row in appraisal.requirements.all()}


def to_stage(appraisal, cast, stage):
    """Take the appraisal through the workflow to `stage`."""
    steps = [
        (Stage.DRAFT, workflow.start_self_assessment, cast.manager),
        (Stage.SELF_ASSESSMENT, workflow.submit_self_assessment, cast.person),
        (Stage.MANAGER_REVIEW, workflow.share_review, cast.manager),
    ]
    for at, function, who in steps:
        if appraisal.reached(stage):
            break
        if appraisal.stage != at:
            continue
        appraisal = function(appraisal=appraisal, by=who.account, confirmed_stage=appraisal.stage)
    if stage == Stage.SIGNED_OFF:
        for who in (cast.person, cast.manager):
            appraisal = workflow.sign_off(
                appraisal=appraisal, by=who.account, confirmed_stage=appraisal.stage
            )
    return appraisal
