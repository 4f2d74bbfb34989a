"""Every appraisal page, download and form × everyone in the cast × GET and
POST: who may read gets the page, who may act changes it, who may read but
not act is refused with nothing written, and everyone else gets 404 (an
anonymous GET is sent to sign in, as on every page of the site).

The cast (tests/cast.py): HR; Mo, Sam's manager; Bea, Mo's
manager; Sam; Olu, another manager; Tia, another member of staff."""

import pytest
from django.urls import reverse

from appraisals.models import CheckIn, DevelopmentAction, Objective, Stage
from tests.appraisals.helpers import rows
from tests.cast import ROLES, take_to

READERS = {"hr", "manager", "head", "person"}


@pytest.fixture
def planned(cast, appraisal):
    """Sam's appraisal in manager review, with an objective and a plan action."""
    appraisal = take_to(appraisal, Stage.MANAGER_REVIEW)
    Objective.objects.create(appraisal=appraisal, title="Ship it")
    DevelopmentAction.objects.create(appraisal=appraisal, title="Read a book")
    return appraisal


def _appraisal_url(name, *extra):
    def build(appraisal, cast):
        args = [appraisal.pk]
        for part in extra:
            args.append(part(appraisal) if callable(part) else part)
        return reverse(f"appraisals:{name}", args=args)

    return build


def _objective(appraisal):
    return appraisal.objectives.get().pk


def _action(appraisal):
    return appraisal.development_actions.get().pk


def _person_url(name):
    return lambda appraisal, cast: reverse(f"appraisals:{name}", args=[cast.person.pk])


PAGES = {
    "appraisal": (_appraisal_url("detail"), READERS),
    "summary": (_appraisal_url("summary"), READERS),
    "pdf": (_appraisal_url("pdf"), READERS),
    "gap chart": (_appraisal_url("gaps"), READERS),
    # In manager review the plan is the manager's proposal: theirs and HR's
    # until shared (tests/appraisals/test_access.py, stage by stage).
    "objective": (_appraisal_url("edit_objective", _objective), {"hr", "manager"}),
    "plan action": (_appraisal_url("edit_action", _action), {"hr", "manager"}),
    "gaps over time": (_person_url("person_gaps"), READERS),
    # 1:1 notes are the two people's (and HR's): not the manager's manager.
    "check-ins": (_person_url("check_ins"), {"hr", "manager", "person"}),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", PAGES)
def test_get(cast, planned, page, role):
    build, readers = PAGES[page]
    response = cast.client(role).get(build(planned, cast))
    if role == "anonymous":
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))
    elif role in readers:
        assert response.status_code == 200
    else:
        assert response.status_code == 404


def _ratings(side):
    def data(appraisal):
        skill = rows(appraisal)["organisation_skill"]
        return {f"r-{skill.pk}-evidence": "Typed.", f"r-{skill.pk}-rating": "2"}

    return data


def _plain(**values):
    return lambda appraisal: values


# name: (stage, url, form data, who may act)
POSTS = {
    "self ratings": (
        Stage.SELF_ASSESSMENT,
        _appraisal_url("save_ratings"),
        _ratings("self"),
        {"person"},
    ),
    "manager ratings": (
        Stage.MANAGER_REVIEW,
        _appraisal_url("save_ratings"),
        _ratings("manager"),
        {"manager"},
    ),
    "start": (Stage.DRAFT, _appraisal_url("move", "start"), _plain(), {"manager", "hr"}),
    "submit": (
        Stage.SELF_ASSESSMENT,
        _appraisal_url("move", "submit"),
        _plain(**{"confirm-submit": "on"}),
        {"person"},
    ),
    "share": (
        Stage.MANAGER_REVIEW,
        _appraisal_url("move", "share"),
        _plain(**{"confirm-share": "on"}),
        {"manager"},
    ),
    "sign": (Stage.AGREED, _appraisal_url("move", "sign"), _plain(), {"person", "manager"}),
    "send back": (
        Stage.AGREED,
        _appraisal_url("move", "send_back"),
        _plain(reason="Redo."),
        {"person", "manager"},
    ),
    "reopen": (Stage.SIGNED_OFF, _appraisal_url("move", "reopen"), _plain(reason="Typo."), {"hr"}),
    "summary comment": (
        Stage.AGREED,
        _appraisal_url("save_summary"),
        _plain(text="Fine."),
        {"person", "manager"},
    ),
    "outcome": (
        Stage.MANAGER_REVIEW,
        _appraisal_url("set_outcome"),
        _plain(outcome="meets"),
        {"manager"},
    ),
    "add objective": (
        Stage.MANAGER_REVIEW,
        _appraisal_url("add_objective"),
        _plain(**{"objective-title": "New", "objective-status": "not_started"}),
        {"manager"},
    ),
    "change objective": (
        Stage.MANAGER_REVIEW,
        _appraisal_url("edit_objective", _objective),
        _plain(**{"objective-title": "Renamed", "objective-status": "in_progress"}),
        {"manager"},
    ),
    "add plan action": (
        Stage.MANAGER_REVIEW,
        _appraisal_url("add_action"),
        _plain(**{"action-title": "Course", "action-status": "planned"}),
        {"manager"},
    ),
    "change plan action": (
        Stage.MANAGER_REVIEW,
        _appraisal_url("edit_action", _action),
        _plain(**{"action-title": "Other", "action-status": "done"}),
        {"manager"},
    ),
}


# In manager review the objectives and plan are the manager's proposal:
# those who may not see it yet get 404 for them, as for any other id.
PROPOSED = {"change objective", "change plan action"}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", POSTS)
def test_post(cast, appraisal, endpoint, role):
    stage, build, data, actors = POSTS[endpoint]
    appraisal = take_to(appraisal, stage)
    Objective.objects.create(appraisal=appraisal, title="Ship it")
    DevelopmentAction.objects.create(appraisal=appraisal, title="Read a book")
    appraisal.refresh_from_db()
    before = appraisal.revision
    response = cast.client(role).post(
        build(appraisal, cast), {"confirmed_stage": stage, **data(appraisal)}
    )
    appraisal.refresh_from_db()
    if role in actors:
        assert response.status_code == 302, response.content.decode()[:2000]
        assert appraisal.revision > before
    elif role in READERS and not (endpoint in PROPOSED and role in {"person", "head"}):
        # May read, may not act: the page again with the service's refusal.
        assert response.status_code == 400
        assert "There is a problem" in response.content.decode()
        assert appraisal.revision == before
    else:
        assert response.status_code == 404
        assert appraisal.revision == before


@pytest.mark.parametrize("role", ROLES)
def test_post_check_in(cast, role):
    page = reverse("appraisals:check_ins", args=[cast.person.pk])
    response = cast.client(role).post(page, {"held_on": "2025-05-01", "notes": "Talked."})
    if role == "manager":
        assert response.status_code == 302
        assert CheckIn.objects.count() == 1
        return
    assert CheckIn.objects.count() == 0
    if role in {"hr", "person"}:
        assert response.status_code == 400
        assert "line manager can record" in response.content.decode()
    else:
        assert response.status_code == 404


def test_a_manager_never_reaches_another_teams_appraisal_by_its_id(cast, appraisal):
    olu = cast.client("other_manager")
    for name in ("detail", "summary", "pdf", "gaps"):
        assert olu.get(reverse(f"appraisals:{name}", args=[appraisal.pk])).status_code == 404
    # The same answer as for an id that does not exist.
    assert olu.get(reverse("appraisals:detail", args=[appraisal.pk + 1000])).status_code == 404
