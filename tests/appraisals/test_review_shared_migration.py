"""The data step of appraisals/migrations/0004_review_shared.py, run on the
cast's rows: an agreed appraisal that was shared and nobody signed moves to
review shared with items to answer; a signed one stays; and back again."""

from importlib import import_module

import pytest
from django.apps import apps
from django.utils import timezone

from appraisals.models import Appraisal, AppraisalEvent, Stage
from tests.cast import take_to

pytestmark = pytest.mark.django_db

step = import_module("appraisals.migrations.0004_review_shared")


def _agreed_as_before(appraisal):
    """An appraisal as sharing left it before the stage existed: agreed at
    once, with no items answered."""
    appraisal = take_to(appraisal, Stage.REVIEW_SHARED)
    appraisal.review_items.all().delete()
    Appraisal.objects.filter(pk=appraisal.pk).update(stage=Stage.AGREED)
    return appraisal


@pytest.mark.parametrize("signed", [False, True])
def test_agreed_rows_nobody_agreed_to_move_to_review_shared_and_back(appraisal, signed):
    appraisal = _agreed_as_before(appraisal)
    if signed:
        Appraisal.objects.filter(pk=appraisal.pk).update(person_signed_at=timezone.now())
    step.to_review_shared(apps, None)
    appraisal.refresh_from_db()
    if signed:
        assert appraisal.stage == Stage.AGREED and not appraisal.review_items.exists()
    else:
        assert appraisal.stage == Stage.REVIEW_SHARED
        kinds = sorted(appraisal.review_items.values_list("kind", flat=True))
        assert kinds == ["outcome", "plan"] + ["requirement"] * 4
        assert appraisal.events.last().reason == step.NOTE
    step.back_to_agreed(apps, None)
    appraisal.refresh_from_db()
    assert appraisal.stage == Stage.AGREED
    assert not AppraisalEvent.objects.filter(reason=step.NOTE).exists()
