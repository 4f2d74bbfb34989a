"""Each move that hands an appraisal's work to someone mails them, through
a real SMTP server on 127.0.0.1: the mail says what, for whom and by when,
and its link opens the appraisal for them and for nobody else (404)."""

import re

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from appraisals import cycles, people, workflow
from appraisals.models import Appraisal, Person, ReviewItem, Stage
from competency.models import OutboundMail
from tests import factories
from tests.cast import client_as, fresh, take_to
from tests.smtp import REFUSED_DOMAIN

LINK = re.compile(r"http://testserver(/appraisals/\d+/)")


@pytest.fixture(autouse=True)
def _outbox_empty(request, db):
    """The cast's recorded opening queued Mo's mail: these tests start from
    an empty outbox, once the appraisal is there."""
    if "appraisal" in request.fixturenames:
        request.getfixturevalue("appraisal")
    forget_mail()


def forget_mail():
    OutboundMail.objects.all().delete()


def take(appraisal, stage):
    """take_to(), forgetting the mail of the moves on the way (they were
    never committed: the next commit would send them)."""
    appraisal = take_to(appraisal, stage)
    forget_mail()
    return appraisal


def only_mail(smtp, person):
    [message] = smtp.to(person.email)
    return message


def link(message, smtp):
    text_links = LINK.findall(smtp.text(message))
    html_links = LINK.findall(smtp.html(message))
    assert text_links and set(text_links) == set(html_links)
    return text_links[0]


def opens_only_for(path, cast, role):
    """The page opens for `role`, and is 404 for someone outside."""
    assert cast.client(role).get(path).status_code == 200
    assert cast.client("other_person").get(path).status_code == 404


def test_opened_for_self_assessment_the_person_is_mailed_a_link_for_them(
    cast, appraisal, smtp, commits
):
    with commits():
        workflow.start_self_assessment(
            appraisal=appraisal, by=cast.manager.account, confirmed_stage=Stage.DRAFT
        )
    message = only_mail(smtp, cast.person)
    assert message["Subject"] == "Your self-assessment for Annual review 2025 is open"
    text = smtp.text(message)
    assert "Dear Sam," in text
    assert "Mo opened your appraisal in Annual review 2025" in text
    assert f"due by: {appraisal.cycle.closes_on:%-d %B %Y}" in text  # overdue: "It was due by"
    path = link(message, smtp)
    assert path == f"/appraisals/{appraisal.pk}/"
    opens_only_for(path, cast, "person")
    assert smtp.to(cast.manager.email) == []  # nobody is mailed their own move


def test_submitted_the_manager_is_mailed(cast, appraisal, smtp, commits):
    appraisal = take(appraisal, Stage.SELF_ASSESSMENT)
    with commits():
        workflow.submit_self_assessment(
            appraisal=appraisal,
            by=cast.person.account,
            confirmed_stage=Stage.SELF_ASSESSMENT,
            confirm_unrated=True,
        )
    message = only_mail(smtp, cast.manager)
    assert message["Subject"] == "Sam submitted their self-assessment"
    opens_only_for(link(message, smtp), cast, "manager")


def test_shared_the_person_is_mailed(cast, appraisal, smtp, commits):
    appraisal = take(appraisal, Stage.MANAGER_REVIEW)
    with commits():
        workflow.share_review(
            appraisal=appraisal,
            by=cast.manager.account,
            confirmed_stage=Stage.MANAGER_REVIEW,
            confirm_unrated=True,
        )
    message = only_mail(smtp, cast.person)
    assert message["Subject"] == "Mo shared your review for Annual review 2025"
    opens_only_for(link(message, smtp), cast, "person")


def test_a_disagreement_mails_the_manager_the_items_disputed(cast, appraisal, smtp, commits):
    appraisal = take(appraisal, Stage.REVIEW_SHARED)
    item = appraisal.review_items.get(kind=ReviewItem.Kind.OUTCOME)
    with commits():
        workflow.answer_review(
            appraisal=appraisal,
            by=cast.person.account,
            confirmed_stage=Stage.REVIEW_SHARED,
            answers={item.pk: {"answer": "disagreed", "comment": "Too harsh."}},
        )
    message = only_mail(smtp, cast.manager)
    assert message["Subject"] == "Sam disagreed with your review"
    assert "- the outcome" in smtp.text(message)
    opens_only_for(link(message, smtp), cast, "manager")


def test_agreed_then_signed_each_side_is_mailed_its_turn(cast, appraisal, smtp, commits):
    appraisal = take(appraisal, Stage.REVIEW_SHARED)
    with commits():
        take_to(appraisal, Stage.AGREED)
    assert only_mail(smtp, cast.manager)["Subject"] == "Sam agreed to your review: sign it"
    with commits():
        workflow.sign_off(
            appraisal=fresh(appraisal), by=cast.manager.account, confirmed_stage=Stage.AGREED
        )
    message = only_mail(smtp, cast.person)
    assert message["Subject"] == "Mo signed the appraisal: your signature is needed"
    opens_only_for(link(message, smtp), cast, "person")
    with commits():
        workflow.sign_off(
            appraisal=fresh(appraisal), by=cast.person.account, confirmed_stage=Stage.AGREED
        )
    assert len(smtp.messages) == 2  # signed off: nobody waits


def test_sent_back_the_person_is_mailed_the_reason_and_never_the_unshared_ratings(
    cast, appraisal, smtp, commits
):
    appraisal = take(appraisal, Stage.MANAGER_REVIEW)
    row = appraisal.requirements.first()
    workflow.save_manager_ratings(
        appraisal=appraisal,
        by=cast.manager.account,
        confirmed_stage=Stage.MANAGER_REVIEW,
        ratings={row.pk: {"rating": 1, "evidence": "UNSHARED-EVIDENCE", "comment": "UNSHARED"}},
    )
    with commits():
        workflow.send_back(
            appraisal=fresh(appraisal),
            by=cast.manager.account,
            confirmed_stage=Stage.MANAGER_REVIEW,
            reason="Please add evidence for the design work.",
        )
    message = only_mail(smtp, cast.person)
    assert message["Subject"] == "Mo sent the appraisal back to you"
    for body in (smtp.text(message), smtp.html(message)):
        assert "Please add evidence for the design work." in body
        assert "UNSHARED" not in body
    opens_only_for(link(message, smtp), cast, "person")


def test_reopened_by_hr_the_manager_is_mailed(cast, appraisal, smtp, commits):
    appraisal = take(appraisal, Stage.SIGNED_OFF)
    with commits():
        workflow.reopen(
            appraisal=appraisal,
            by=cast.hr,
            confirmed_stage=Stage.SIGNED_OFF,
            reason="The outcome was recorded wrongly.",
        )
    message = only_mail(smtp, cast.manager)
    assert message["Subject"] == "HR reopened Sam's appraisal"
    assert "The outcome was recorded wrongly." in smtp.text(message)
    opens_only_for(link(message, smtp), cast, "manager")


def test_reassigned_the_new_manager_is_mailed(cast, appraisal, smtp, commits):
    people.set_manager(person=cast.person, manager=cast.other_manager)  # Sam moved team
    with commits():
        workflow.reassign_manager(
            appraisal=appraisal,
            by=cast.hr,
            confirmed_stage=Stage.DRAFT,
            manager=cast.other_manager,
        )
    message = only_mail(smtp, cast.other_manager)
    assert message["Subject"] == "You are now the manager of Sam's appraisal"
    assert "Set it up and open it for self-assessment." in smtp.text(message)
    path = link(message, smtp)
    assert cast.client("other_manager").get(path).status_code == 200
    assert cast.client("other_person").get(path).status_code == 404


def test_a_move_refused_or_rolled_back_sends_nothing(cast, appraisal, smtp, commits):
    with commits(), pytest.raises(workflow.StageChanged):
        workflow.start_self_assessment(
            appraisal=appraisal, by=cast.manager.account, confirmed_stage=Stage.MANAGER_REVIEW
        )
    with commits(), pytest.raises(RuntimeError), transaction.atomic():
        workflow.start_self_assessment(
            appraisal=appraisal, by=cast.manager.account, confirmed_stage=Stage.DRAFT
        )
        raise RuntimeError("something after the move failed")
    assert not OutboundMail.objects.exists()
    assert smtp.messages == []
    assert fresh(appraisal).stage == Stage.DRAFT


def test_a_person_without_an_email_gets_no_mail_and_the_move_goes_on(
    cast, appraisal, smtp, commits
):
    Person.objects.filter(pk=cast.person.pk).update(email="")
    with commits():
        workflow.start_self_assessment(
            appraisal=fresh(appraisal), by=cast.manager.account, confirmed_stage=Stage.DRAFT
        )
    assert fresh(appraisal).stage == Stage.SELF_ASSESSMENT
    assert smtp.messages == []


def test_a_refused_address_is_shown_to_hr_and_not_mailed_again(cast, appraisal, smtp, commits):
    Person.objects.filter(pk=cast.person.pk).update(email=f"sam@{REFUSED_DOMAIN}")
    with commits():
        workflow.start_self_assessment(
            appraisal=fresh(appraisal), by=cast.manager.account, confirmed_stage=Stage.DRAFT
        )
    sam = Person.objects.get(pk=cast.person.pk)
    assert sam.email_refused_now
    assert sam.email_refused_reason == "550 5.1.1 No such user here"
    page = f"/people/{sam.pk}/"
    shown = cast.client("hr").get(page).content.decode()
    assert "The mail server refused this address" in shown
    assert "The mail server refused" not in cast.client("manager").get(page).content.decode()

    appraisal = take(appraisal, Stage.MANAGER_REVIEW)
    with commits():
        workflow.send_back(
            appraisal=appraisal,
            by=cast.manager.account,
            confirmed_stage=Stage.MANAGER_REVIEW,
            reason="More, please.",
        )
    assert not OutboundMail.objects.filter(to=sam.email).exists()  # not tried again
    # A corrected email is mailed again.
    Person.objects.filter(pk=sam.pk).update(email="sam@example.org")
    assert not Person.objects.get(pk=sam.pk).email_refused_now


def _team(profile, manager, count):
    return [
        factories.PersonFactory(
            name=f"Report {manager.pk}-{n}",
            email=f"report-{manager.pk}-{n}@example.org",
            line_manager=manager,
            role_profile=profile,
        )
        for n in range(count)
    ]


def _open_counting(cycle, scope):
    with CaptureQueriesContext(connection) as queries:
        opening = cycles.open_cycle(cycle=cycle, scope=scope)
    return opening, len(queries)


def test_opening_a_cycle_mails_each_manager_once_in_constant_queries(cast, profile, smtp, commits):
    # A small opening and one four times its size take as many queries.
    small_team = factories.PersonFactory(name="Small", email="small@example.org")
    _team(profile, small_team, 2)
    with commits():
        _, few = _open_counting(factories.CycleFactory(name="Small"), cycles.Scope.team(small_team))
    big_a = factories.PersonFactory(name="Big A", email="big-a@example.org")
    big_b = factories.PersonFactory(
        name="Big B", email="big-b@example.org", line_manager=big_a, role_profile=profile
    )
    _team(profile, big_a, 5)
    _team(profile, big_b, 3)
    with commits():
        opening, many = _open_counting(factories.CycleFactory(name="Big"), cycles.Scope.team(big_a))
    assert len(opening.created) == 9
    assert many == few

    [to_a] = smtp.to("big-a@example.org")
    [to_b] = smtp.to("big-b@example.org")
    assert to_a["Subject"].startswith("Big: 6 appraisals to set up by ")
    assert to_b["Subject"].startswith("Big: 3 appraisals to set up by ")
    paths = LINK.findall(smtp.text(to_b))
    theirs = Appraisal.objects.filter(manager=big_b).values_list("pk", flat=True)
    assert sorted(paths) == sorted(f"/appraisals/{pk}/" for pk in theirs)
    assert client_as(cast.hr).get(paths[0]).status_code == 200
    assert cast.client("other_person").get(paths[0]).status_code == 404
