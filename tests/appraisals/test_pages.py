"""The appraisal pages, used as the person, the manager and HR would."""

import pytest
from django.urls import reverse

from appraisals import plans, workflow
from appraisals.models import AppraisalEvent, Objective, Stage
from tests.appraisals.helpers import rows, url
from tests.cast import client_as, take_to


def test_the_person_rates_saves_and_comes_back(cast, appraisal):
    appraisal = take_to(appraisal, Stage.SELF_ASSESSMENT)
    skill = rows(appraisal)["organisation_skill"]
    sam = cast.client("person")
    page = sam.get(url("detail", appraisal))
    assert page.status_code == 200
    assert b"Save and come back" in page.content
    # The level descriptions stand beside the organisation skill's choices.
    assert b"You can design systems at Practitioner." in page.content
    response = sam.post(
        url("save_ratings", appraisal),
        {
            "confirmed_stage": "self_assessment",
            f"r-{skill.pk}-rating": "2",
            f"r-{skill.pk}-evidence": "Designed the queue.",
        },
    )
    assert response.status_code == 302
    skill.refresh_from_db()
    assert (skill.self_rating, skill.self_evidence) == (2, "Designed the queue.")
    # A second save of another field keeps the first.
    sam.post(
        url("save_ratings", appraisal),
        {"confirmed_stage": "self_assessment", f"r-{skill.pk}-comment": "Proud of it."},
    )
    skill.refresh_from_db()
    assert (skill.self_rating, skill.self_comment) == (2, "Proud of it.")


def test_a_stale_save_keeps_what_was_typed_and_says_why(cast, appraisal):
    appraisal = take_to(appraisal, Stage.SELF_ASSESSMENT)
    skill = rows(appraisal)["organisation_skill"]
    workflow.send_back(
        appraisal=appraisal, by=cast.manager.account, confirmed_stage="self_assessment", reason="x"
    )
    response = cast.client("person").post(
        url("save_ratings", appraisal),
        {"confirmed_stage": "self_assessment", f"r-{skill.pk}-evidence": "Typed with care."},
    )
    # A conflict: the appraisal moved on since the page was shown.
    assert response.status_code == 409
    text = response.content.decode()
    assert "moved from self-assessment to draft" in text
    assert "Typed with care." in text
    skill.refresh_from_db()
    assert skill.self_evidence == ""


def test_a_refused_move_keeps_the_reason(cast, appraisal):
    appraisal = take_to(appraisal, Stage.SIGNED_OFF)
    response = cast.client("hr").post(
        url("move", appraisal, "reopen"), {"confirmed_stage": "agreed", "reason": "Typo in it."}
    )
    assert response.status_code == 409
    assert "Typo in it." in response.content.decode()
    appraisal.refresh_from_db()
    assert appraisal.stage == Stage.SIGNED_OFF


@pytest.mark.parametrize("made_up", ["stale", "", "x" * 300])
def test_a_move_from_a_page_naming_no_stage_is_refused_not_an_error(cast, appraisal, made_up):
    """A form that was made up, or is from another version of the page,
    names a stage there is none of: refused, with the reason typed kept."""
    response = cast.client("manager").post(
        url("move", appraisal, "start"), {"confirmed_stage": made_up or " ", "reason": "Kept."}
    )
    assert response.status_code == 409
    assert "does not say which stage" in response.content.decode()
    appraisal.refresh_from_db()
    assert appraisal.stage == Stage.DRAFT


def test_the_whole_workflow_through_the_pages(cast, appraisal):
    mo, sam, hr = (cast.client(role) for role in ("manager", "person", "hr"))

    def move(client, name, **data):
        appraisal.refresh_from_db()
        response = client.post(
            url("move", appraisal, name), {"confirmed_stage": appraisal.stage, **data}
        )
        assert response.status_code == 302, response.content.decode()[:3000]

    move(mo, "start")
    move(sam, "submit", **{"confirm-submit": "on"})
    skill = rows(appraisal)["organisation_skill"]
    response = mo.post(
        url("save_ratings", appraisal),
        {"confirmed_stage": "manager_review", f"r-{skill.pk}-rating": "2"},
    )
    assert response.status_code == 302
    page = mo.get(url("detail", appraisal)).content.decode()
    assert "Suggestions for the biggest gaps" in page
    response = mo.post(
        url("add_objective", appraisal),
        {
            "confirmed_stage": "manager_review",
            "objective-title": "Ship it",
            "objective-status": "not_started",
        },
    )
    assert response.status_code == 302
    options = plans.suggest_development_actions(appraisal)[0].options
    response = mo.post(
        url("add_action", appraisal),
        {
            "confirmed_stage": "manager_review",
            "option": f"training-{options[0].pk}"
            if options[0]._meta.model_name == "training"
            else f"pda-{options[0].pk}",
            "action-requirement": skill.pk,
            "action-status": "planned",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert appraisal.development_actions.get().title == options[0].title
    response = mo.post(
        url("set_outcome", appraisal), {"confirmed_stage": "manager_review", "outcome": "meets"}
    )
    assert response.status_code == 302
    move(mo, "share", **{"confirm-share": "on"})
    page = sam.get(url("detail", appraisal)).content.decode()
    assert "Below" in page and "Do you agree with the rating of Systems design" in page
    items = {item.requirement_id or item.kind: item.pk for item in appraisal.review_items.all()}
    every = {f"a-{pk}-answer": "agreed" for pk in items.values()}
    # Sam disagrees with the skill's rating, saying why; agrees to the rest.
    disagree = {f"a-{items[skill.pk]}-answer": "disagreed"}
    response = sam.post(
        url("detail", appraisal), {"confirmed_stage": "review_shared", **every, **disagree}
    )
    assert response.status_code == 400 and "Say why you disagree" in response.content.decode()
    response = sam.post(
        url("detail", appraisal),
        {
            "confirmed_stage": "review_shared",
            **every,
            **disagree,
            f"a-{items[skill.pk]}-comment": "I led the design review.",
            "text": "Good year.",
        },
    )
    assert response.status_code == 302
    appraisal.refresh_from_db()
    assert appraisal.stage == Stage.REVIEW_SHARED
    hr_page = hr.get(url("detail", appraisal)).content.decode()
    assert "I led the design review." in hr_page and "Disagrees" in hr_page
    # Mo replies and raises the rating: the item goes back to Sam.
    response = mo.post(
        url("detail", appraisal),
        {
            "confirmed_stage": "review_shared",
            f"r-{skill.pk}-rating": "3",
            f"a-{items[skill.pk]}-comment": "Fair: raised to 3.",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    page = sam.get(url("detail", appraisal)).content.decode()
    assert "Fair: raised to 3." in page and "changed it, so it waits for an answer again" in page
    response = sam.post(url("detail", appraisal), {"confirmed_stage": "review_shared", **every})
    assert response.status_code == 302
    appraisal.refresh_from_db()
    assert appraisal.stage == Stage.AGREED
    move(sam, "sign")
    move(mo, "sign")
    appraisal.refresh_from_db()
    assert appraisal.stage == Stage.SIGNED_OFF
    move(hr, "reopen", reason="The outcome was mistyped.")
    appraisal.refresh_from_db()
    assert appraisal.stage == Stage.MANAGER_REVIEW
    assert appraisal.events.filter(action=AppraisalEvent.Action.REOPENED).get().reason == (
        "The outcome was mistyped."
    )
    assert appraisal.person_summary == "Good year."
    for name in ("summary", "gaps"):
        assert sam.get(url(name, appraisal)).status_code == 200
    response = sam.get(url("pdf", appraisal))
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_the_gap_chart_is_an_image_with_a_table(cast, appraisal):
    appraisal = take_to(appraisal, Stage.MANAGER_REVIEW)
    skill = rows(appraisal)["organisation_skill"]
    workflow.save_manager_ratings(
        appraisal=appraisal,
        by=cast.manager.account,
        confirmed_stage="manager_review",
        ratings={skill.pk: {"rating": 4}},
    )
    page = cast.client("manager").get(url("gaps", appraisal)).content.decode()
    assert 'role="img"' in page and "<title id=" in page and "<desc id=" in page
    assert "The gaps as a table" in page
    assert "Above (+1)" in page
    # The person sees no gap before the review is shared.
    page = cast.client("person").get(url("gaps", appraisal)).content.decode()
    assert "shown once the review is shared" in page
    over_time = cast.client("person").get(reverse("appraisals:person_gaps", args=[cast.person.pk]))
    assert over_time.status_code == 200


def test_staff_read_the_version_they_are_appraised_against_once_superseded(cast, appraisal):
    from profiles import lifecycle

    version = appraisal.profile_version
    profile = version.profile
    lifecycle.start_draft(profile=profile)
    profile.refresh_from_db()
    profile.summary = "Changed."
    profile.save()
    lifecycle.publish_profile(profile=profile)
    profile.refresh_from_db()
    assert profile.published_version_id != version.pk
    sam = cast.client("person")
    page = sam.get(url("detail", appraisal)).content.decode()
    link = reverse("profiles:version", args=[profile.slug, version.number])
    assert link in page and "superseded" in page
    assert sam.get(link).status_code == 200
    # Someone not appraised against it still gets 404.
    assert cast.client("other_person").get(link).status_code == 404


def test_check_ins_are_seen_by_both(cast):
    mo = cast.client("manager")
    page = reverse("appraisals:check_ins", args=[cast.person.pk])
    response = mo.post(
        page, {"held_on": "2025-05-01", "notes": "Talked.", "agreed_actions": "Read the book."}
    )
    assert response.status_code == 302
    assert "Read the book." in cast.client("person").get(page).content.decode()
    assert cast.client("head").get(page).status_code == 404
    response = mo.post(page, {"held_on": "", "notes": "Kept."})
    assert response.status_code == 400 and "Kept." in response.content.decode()


@pytest.mark.parametrize("role", ["person", "manager"])
def test_home_shows_the_appraisal_and_what_it_waits_for(cast, appraisal, role):
    Objective.objects.create(appraisal=appraisal, title="Learn Rust")
    page = cast.client(role).get("/").content.decode()
    if role == "person":
        assert "Your appraisal" in page and "to open it for self-assessment" in page
        assert "Learn Rust" in page
    else:
        assert "Your team" in page and "Sam" in page


def test_hr_land_on_what_waits_for_them_and_their_lists(cast):
    page = cast.client("hr").get("/").content.decode()
    assert "Waiting for you" in page and reverse("profiles:list") in page


def test_someone_the_appraisals_do_not_know_lands_on_the_role_profiles(staff_user):
    assert client_as(staff_user).get("/").url == reverse("profiles:list")


# --- one form: nothing typed is lost -------------------------------------------------------


def test_submitting_at_once_keeps_the_rating_and_asks_about_the_rest(cast, appraisal):
    """Seen: one rating picked, "Submit" pressed, the rating lost and four
    of four "Not rated" sent. Now the rating is saved with the submission,
    and the rest are listed for the person to confirm."""
    appraisal = take_to(appraisal, Stage.SELF_ASSESSMENT)
    skill = rows(appraisal)["organisation_skill"]
    sam = cast.client("person")
    page = sam.get(url("detail", appraisal)).content.decode()
    assert "0 of 4 rated" in page and "Submit your self-assessment with 4 not rated" in page
    typed = {
        "confirmed_stage": "self_assessment",
        "do": "move-submit",
        f"r-{skill.pk}-rating": "2",
        f"r-{skill.pk}-evidence": "Designed the queue.",
        "text": "My year.",
    }
    refused = sam.post(url("detail", appraisal), typed)
    assert refused.status_code == 400
    text = refused.content.decode()
    assert "3 of 4 requirements are not rated: Formal appraisals, Agile working and" in text
    assert "1 of 4 rated" in text and "Designed the queue." in text and "My year." in text
    assert (
        f'id="r-{skill.pk}-rating-2" name="r-{skill.pk}-rating" type="radio" value="2" checked'
        in text
    )
    # Refused, so nothing was written: the page keeps it for the person.
    skill.refresh_from_db()
    assert skill.self_rating is None and fresh_stage(appraisal) == Stage.SELF_ASSESSMENT
    done = sam.post(url("detail", appraisal), {**typed, "confirm-submit": "on"})
    assert done.status_code == 302
    skill.refresh_from_db()
    appraisal.refresh_from_db()
    assert (skill.self_rating, skill.self_evidence) == (2, "Designed the queue.")
    assert (appraisal.stage, appraisal.person_summary) == (Stage.MANAGER_REVIEW, "My year.")


def fresh_stage(appraisal):
    appraisal.refresh_from_db()
    return appraisal.stage


def test_saving_the_summary_saves_the_ratings_too(cast, appraisal):
    appraisal = take_to(appraisal, Stage.SELF_ASSESSMENT)
    skill = rows(appraisal)["organisation_skill"]
    response = cast.client("person").post(
        url("save_summary", appraisal),
        {"confirmed_stage": "self_assessment", f"r-{skill.pk}-rating": "3", "text": "Summed."},
    )
    assert response.status_code == 302
    skill.refresh_from_db()
    appraisal.refresh_from_db()
    assert (skill.self_rating, appraisal.person_summary) == (3, "Summed.")


def test_a_send_back_without_a_reason_keeps_the_rating_picked(cast, appraisal):
    appraisal = take_to(appraisal, Stage.MANAGER_REVIEW)
    skill = rows(appraisal)["organisation_skill"]
    response = cast.client("manager").post(
        url("detail", appraisal),
        {
            "confirmed_stage": "manager_review",
            "do": "move-send_back",
            f"r-{skill.pk}-rating": "4",
            "objective-title": "Lead the migration",
            "objective-status": "not_started",
        },
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "Say why you send it back" in text
    assert f'name="r-{skill.pk}-rating" type="radio" value="4" checked' in text
    assert 'value="Lead the migration"' in text
    skill.refresh_from_db()
    assert skill.manager_rating is None and not appraisal.objectives.exists()


def test_an_objective_being_written_is_added_by_any_button(cast, appraisal):
    appraisal = take_to(appraisal, Stage.MANAGER_REVIEW)
    response = cast.client("manager").post(
        url("detail", appraisal),
        {
            "confirmed_stage": "manager_review",
            "do": "save",
            "objective-title": "Lead the migration",
            "objective-status": "not_started",
        },
    )
    assert response.status_code == 302
    assert appraisal.objectives.get().title == "Lead the migration"
    # The add button with nothing written says what is missing.
    response = cast.client("manager").post(
        url("detail", appraisal), {"confirmed_stage": "manager_review", "do": "add_objective"}
    )
    assert response.status_code == 400 and "This field is required" in response.content.decode()


def test_the_person_takes_back_a_submission_from_the_page(cast, appraisal):
    appraisal = take_to(appraisal, Stage.MANAGER_REVIEW)
    sam = cast.client("person")
    assert "Take back your self-assessment" in sam.get(url("detail", appraisal)).content.decode()
    response = sam.post(
        url("detail", appraisal), {"confirmed_stage": "manager_review", "do": "move-take_back"}
    )
    assert response.status_code == 302
    assert fresh_stage(appraisal) == Stage.SELF_ASSESSMENT
    # Once the manager has rated anything, the button is gone and the move refused.
    appraisal = take_to(appraisal, Stage.MANAGER_REVIEW)
    skill = rows(appraisal)["organisation_skill"]
    workflow.save_manager_ratings(
        appraisal=appraisal,
        by=cast.manager.account,
        confirmed_stage="manager_review",
        ratings={skill.pk: {"rating": 2}},
    )
    assert "Take back" not in sam.get(url("detail", appraisal)).content.decode()
    response = sam.post(
        url("detail", appraisal), {"confirmed_stage": "manager_review", "do": "move-take_back"}
    )
    assert response.status_code == 400 and "Mo has started the review" in response.content.decode()


def test_each_part_of_the_appraisal_has_its_page_with_save_and_continue(cast, appraisal):
    appraisal = take_to(appraisal, Stage.SELF_ASSESSMENT)
    skill = rows(appraisal)["organisation_skill"]
    sam = cast.client("person")
    page = sam.get(url("detail", appraisal)).content.decode()
    # The task list: each part with its status and a count.
    assert "govuk-task-list" in page and "0 of 1 rated" in page
    part = url("part", appraisal, "skills")
    assert part in page
    shown = sam.get(part).content.decode()
    assert "Systems design Platform Engineer" in shown and "Agile working" not in shown
    assert "Save and continue" in shown and "What you can do now" not in shown
    response = sam.post(
        url("detail", appraisal),
        {
            "confirmed_stage": "self_assessment",
            "do": "save",
            "part": "skills",
            "next": url("part", appraisal, "knowledge"),
            f"r-{skill.pk}-rating": "3",
        },
    )
    assert response.status_code == 302 and response.url == url("part", appraisal, "knowledge")
    skill.refresh_from_db()
    assert skill.self_rating == 3
    assert "1 of 1 rated" in sam.get(url("detail", appraisal)).content.decode()
    # Somewhere else to go next: back to the appraisal, nowhere off the site.
    response = sam.post(
        url("detail", appraisal),
        {"confirmed_stage": "self_assessment", "do": "save", "next": "https://example.org/"},
    )
    assert response.url.startswith(url("detail", appraisal))
    for slug in ("knowledge", "behaviours", "objectives", "plan", "summary"):
        assert sam.get(url("part", appraisal, slug)).status_code == 200
    assert sam.get(url("part", appraisal, "nonsense")).status_code == 404
    assert cast.client("other_person").get(part).status_code == 404
