"""Query counts of the home pages and the appraisal page: fixed, whether a
team has 1 person or 50, an appraisal 4 requirements or 50."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from appraisals import cycles, workflow
from appraisals.models import Objective, Stage
from tests import factories
from tests.appraisals.helpers import url
from tests.cast import client_as, person, published_profile, take_to

# Session and user, the navigation's signed-in person (with the count of
# what waits for them), then the page's own queries. The homes' header
# takes its count from their "Waiting for you" list (three queries,
# appraisals/waiting.py) and the rest from the person they read: no query
# of its own; and staff who manage nobody have no team to count.
HOME_STAFF = 9
HOME_MANAGER = 15
APPRAISAL_PAGE = 8
# Planning, the suggestions add what the options develop and what the plan has.
APPRAISAL_PAGE_PLANNING = 13
APPRAISAL_PAGE_SHARED = 12


def count(client, path):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("size", [1, 50])
def test_home_of_a_manager(cast, cycle, size):
    for n in range(size - 1):
        factories.PersonFactory(
            name=f"Report {n}",
            line_manager=cast.manager,
            role_profile=cast.person.role_profile,
            probation_end_date=factories.date(2026, 1, 1),
        )
    cycles.open_cycle(cycle=cycle, scope=cycles.Scope.team(cast.manager))
    for appraisal in cast.manager.appraisals_managed.all():
        Objective.objects.create(
            appraisal=appraisal, title="Late", due_on=factories.date(2024, 1, 1)
        )
    assert count(cast.client("manager"), "/") == HOME_MANAGER


@pytest.mark.parametrize("size", [1, 50])
def test_home_of_a_member_of_staff(cast, appraisal, size):
    for n in range(size):
        Objective.objects.create(appraisal=appraisal, title=f"Objective {n}")
    assert count(cast.client("person"), "/") == HOME_STAFF


def profile_with(ddat, size):
    profile = published_profile(ddat, title=f"Profile of {size}")
    from profiles import lifecycle

    lifecycle.start_draft(profile=profile)
    for n in range(size):
        factories.ProfileKnowledgeFactory(
            profile=profile,
            item=factories.KnowledgeItemFactory(title=f"Item {n}"),
            depth="familiar",
            position=10 + n,
        )
    profile.refresh_from_db()
    lifecycle.publish_profile(profile=profile)
    return profile


@pytest.mark.parametrize("size", [1, 50])
def test_appraisal_page(ddat, cycle, size):
    profile = profile_with(ddat, size)
    mo = person("Mo", profile=profile)
    sam = person("Sam", mo, profile)
    (appraisal,) = cycles.open_cycle(cycle=cycle, scope=cycles.Scope.team(mo)).created
    assert appraisal.requirements.count() == size + 4
    appraisal = take_to(appraisal, Stage.SELF_ASSESSMENT)
    # The person rating themself; the manager planning in review.
    assert count(client_as(sam.account), url("detail", appraisal)) == APPRAISAL_PAGE
    appraisal = take_to(appraisal, Stage.MANAGER_REVIEW)
    # Every row below what is required, so the plan's suggestions are read too.
    workflow.save_manager_ratings(
        appraisal=appraisal,
        by=mo.account,
        confirmed_stage=Stage.MANAGER_REVIEW,
        ratings={row.pk: {"rating": 1} for row in appraisal.requirements.all()},
    )
    assert count(client_as(mo.account), url("detail", appraisal)) == APPRAISAL_PAGE_PLANNING
    # Shared: every item answered with a comment; the person's page reads
    # the items and their threads in a fixed number of queries.
    appraisal = take_to(appraisal, Stage.REVIEW_SHARED)
    workflow.answer_review(
        appraisal=appraisal,
        by=sam.account,
        confirmed_stage=Stage.REVIEW_SHARED,
        answers={
            pk: {"answer": "disagreed", "comment": "Not so."}
            for pk in appraisal.review_items.values_list("pk", flat=True)
        },
    )
    assert count(client_as(sam.account), url("detail", appraisal)) == APPRAISAL_PAGE_SHARED
