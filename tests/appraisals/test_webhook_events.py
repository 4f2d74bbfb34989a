"""The people's and appraisals' webhook events (appraisals/events.py),
written in the change's own transaction by the services the pages and the
API share: a person joined, moved or left (one at a time and by import),
an appraisal's stage changed, and its sign-off.

The cast (tests/cast.py):
Bea (head) ── Mo (manager) ── Sam (person)
           └─ Olu (other manager) ── Tia (other person);  Harriet: HR."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from appraisals.models import Person, Stage
from competency import webhooks
from competency.api.models import Webhook, WebhookEvent
from tests.api.helpers import assert_problem
from tests.cast import take_to

pytestmark = pytest.mark.django_db

PEOPLE = "/api/v1/people/"
IMPORT = f"{PEOPLE}import/?mode=whole_organisation"
HEADER = (
    "employee id,name,email,manager's employee id,profile slug,job title,start date,"
    "probation end date,leaving date\n"
)


@pytest.fixture
def subscribed(cast):
    return Webhook.objects.create(
        name="HR system",
        url="https://hooks.example.org/x",
        events=list(webhooks.EVENTS),
        owner=cast.hr,
        secret=Webhook.new_secret(),
    )


def raised(type=None):
    events = WebhookEvent.objects.order_by("created_at", "type")
    return [event for event in events if type is None or event.type == type]


def test_a_person_added_over_the_api_joined(cast, subscribed):
    body = {"employee_id": "E900", "name": "Ada", "email": "ada@example.org", "line_manager": None}
    response = cast.api("hr").post(PEOPLE, body, format="json")
    assert response.status_code == 201, response.content
    [event] = raised()
    ada = Person.objects.get(employee_id="E900")
    assert (event.type, event.subject) == ("person.joined", f"person:{ada.pk}")
    assert event.payload["employee_id"] == "E900"
    assert event.payload["url"] == f"/api/v1/people/{ada.pk}/"
    assert event.deliveries.get().webhook == subscribed


def test_a_new_line_manager_moves_a_person_and_a_leaving_date_makes_a_leaver(cast, subscribed):
    hr = cast.api("hr")
    path = f"{PEOPLE}{cast.person.pk}/"
    etag = hr.get(path)["ETag"]
    change = {"line_manager": cast.other_manager.employee_id, "leaving_date": "2030-01-31"}
    response = hr.patch(path, change, format="json", HTTP_IF_MATCH=etag)
    assert response.status_code == 200, response.content
    moved, left = raised("person.moved"), raised("person.left")
    assert [event.subject for event in moved + left] == [f"person:{cast.person.pk}"] * 2
    assert moved[0].payload["changes"] == {
        "line_manager_id": [cast.manager.pk, cast.other_manager.pk]
    }
    assert left[0].payload["leaving_date"] == "2030-01-31"
    assert not raised("person.joined")


def test_a_change_of_name_alone_raises_nothing(cast, subscribed):
    hr = cast.api("hr")
    path = f"{PEOPLE}{cast.person.pk}/"
    etag = hr.get(path)["ETag"]
    assert hr.patch(path, {"name": "Samuel"}, format="json", HTTP_IF_MATCH=etag).status_code == 200
    assert raised() == []


def test_a_refused_change_raises_nothing(cast, subscribed):
    """A loop is refused after the person's own fields were saved: the
    transaction, its events with it, rolls back."""
    hr = cast.api("hr")
    path = f"{PEOPLE}{cast.head.pk}/"
    etag = hr.get(path)["ETag"]
    change = {"line_manager": cast.person.employee_id, "job_title": "Head of nothing"}
    assert_problem(hr.patch(path, change, format="json", HTTP_IF_MATCH=etag), 400)
    assert raised() == []


def test_an_import_raises_joined_moved_and_left(cast, subscribed):
    def row(person, manager):
        slug = person.role_profile.slug if person.role_profile else ""
        return (
            f"{person.employee_id},{person.name},{person.email},{manager},{slug},"
            f"{person.job_title},,,"
        )

    rows = [
        row(cast.head, ""),
        row(cast.manager, cast.head.employee_id),
        row(cast.person, cast.other_manager.employee_id),  # moved
        row(cast.other_manager, cast.head.employee_id),
        "E901,Ada,ada@example.org,,,Engineer,,,",  # joined; Tia is not in it: left
    ]
    data = (HEADER + "\n".join(rows) + "\n").encode()
    response = cast.api("hr").post(IMPORT, data, content_type="text/csv")
    assert response.status_code == 200, response.content
    ada = Person.objects.get(employee_id="E901")
    assert [e.subject for e in raised("person.joined")] == [f"person:{ada.pk}"]
    assert [e.subject for e in raised("person.moved")] == [f"person:{cast.person.pk}"]
    assert [e.subject for e in raised("person.left")] == [f"person:{cast.other_person.pk}"]


def test_each_stage_change_and_the_sign_off_are_raised(appraisal, subscribed):
    take_to(appraisal, Stage.SIGNED_OFF)
    changes = raised("appraisal.stage_changed")
    assert [(e.payload["from_stage"], e.payload["to_stage"]) for e in changes] == [
        ("draft", "self_assessment"),
        ("self_assessment", "manager_review"),
        ("manager_review", "review_shared"),
        ("review_shared", "agreed"),
        ("agreed", "signed_off"),
    ]
    [signed] = raised("appraisal.signed_off")
    assert signed.subject == f"appraisal:{appraisal.pk}"
    assert signed.payload["person_signed_at"] and signed.payload["manager_signed_at"]
    assert signed.payload["url"] == f"/api/v1/appraisals/{appraisal.pk}/"
    # Ids and stages, never the appraisal's content.
    assert not {"ratings", "person_summary", "manager_summary"} & set(signed.payload)


def test_nobody_subscribed_costs_one_query_and_writes_nothing(appraisal):
    with CaptureQueriesContext(connection) as captured:
        webhooks.emit("appraisal.stage_changed", {"id": 1}, "appraisal:1")
    assert len(captured) == 1
    take_to(appraisal, Stage.SELF_ASSESSMENT)
    assert raised() == []
