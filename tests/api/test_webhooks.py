"""/api/v1/webhooks/ and /api/v1/webhook-deliveries/: HR subscribe URLs to
events, read each webhook's deliveries and resend one; everyone else is
refused before any row is read."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from competency.api.models import Webhook, WebhookDelivery
from profiles import lifecycle
from tests import factories
from tests.api.helpers import assert_problem, rows
from tests.receivers import receiving

EVENTS = ["person.joined", "profile.version_published"]


def make(owner, url="https://hooks.example.org/competency", events=EVENTS):
    return Webhook.objects.create(
        name="HR system", url=url, events=events, owner=owner, secret=Webhook.new_secret()
    )


def publish():
    lifecycle.publish_profile(profile=factories.RoleProfileFactory(), change_note="First")


@pytest.fixture(autouse=True)
def _quick(settings):
    settings.WEBHOOK_RETRY_SECONDS = 0
    settings.WEBHOOK_TIMEOUT_SECONDS = 1


def test_hr_subscribe_a_url_and_get_its_secret(hr_api, hr_user):
    with receiving() as receiver:
        response = hr_api.post(
            "/api/v1/webhooks/",
            {"name": "Learning platform", "url": receiver.url, "events": EVENTS[::-1]},
            format="json",
        )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["secret"].startswith("whsec_")
    assert body["events"] == EVENTS
    hook = Webhook.objects.get()
    assert (hook.owner, hook.secret, hook.url) == (hr_user, body["secret"], receiver.url)


@pytest.mark.parametrize(
    "change, field",
    [
        ({"url": "ftp://example.org/x"}, "url"),
        ({"events": ["person.promoted"]}, "events"),
        ({"events": []}, "events"),
    ],
)
def test_a_bad_webhook_is_refused_naming_the_field(hr_api, change, field):
    body = {"name": "HR system", "url": "https://hooks.example.org/x", "events": EVENTS}
    response = hr_api.post("/api/v1/webhooks/", {**body, **change}, format="json")
    problem = assert_problem(response, 400)
    assert field in str(problem)
    assert not Webhook.objects.exists()


def test_a_private_address_is_refused_in_production(hr_api, settings):
    settings.WEBHOOK_ALLOW_PRIVATE = False
    body = {"name": "Inside", "url": "http://127.0.0.1:9000/x", "events": EVENTS}
    problem = assert_problem(hr_api.post("/api/v1/webhooks/", body, format="json"), 400)
    assert "public addresses" in str(problem)


def test_hr_change_and_delete_a_webhook(hr_api, hr_user):
    hook = make(hr_user)
    response = hr_api.patch(
        f"/api/v1/webhooks/{hook.pk}/",
        {"is_active": False, "events": ["person.left"]},
        format="json",
    )
    assert response.status_code == 200, response.content
    hook.refresh_from_db()
    assert (hook.is_active, hook.events) == (False, ["person.left"])
    assert hr_api.delete(f"/api/v1/webhooks/{hook.pk}/").status_code == 204
    assert not Webhook.objects.exists()


@pytest.mark.parametrize("who", ["manager_api", "staff_api"])
def test_anyone_but_hr_is_refused_and_nothing_is_written(request, who, hr_user):
    api = request.getfixturevalue(who)
    hook = make(hr_user)
    publish()
    delivery = WebhookDelivery.objects.get()
    before = rows()
    for method, path in [
        ("get", "/api/v1/webhooks/"),
        ("post", "/api/v1/webhooks/"),
        ("get", f"/api/v1/webhooks/{hook.pk}/"),
        ("patch", f"/api/v1/webhooks/{hook.pk}/"),
        ("delete", f"/api/v1/webhooks/{hook.pk}/"),
        ("get", f"/api/v1/webhooks/{hook.pk}/deliveries/"),
        ("get", f"/api/v1/webhook-deliveries/{delivery.pk}/"),
        ("post", f"/api/v1/webhook-deliveries/{delivery.pk}/resend/"),
    ]:
        assert_problem(getattr(api, method)(path, {}, format="json"), 403)
    assert rows() == before


def test_signed_out_callers_are_refused(anonymous_api, hr_user):
    hook = make(hr_user)
    assert_problem(anonymous_api.get(f"/api/v1/webhooks/{hook.pk}/"), 401)


def test_an_unknown_webhook_or_delivery_is_404(hr_api):
    assert_problem(hr_api.get("/api/v1/webhooks/999999/"), 404)
    unknown = "00000000-0000-0000-0000-000000000000"
    assert_problem(hr_api.get(f"/api/v1/webhook-deliveries/{unknown}/"), 404)
    assert_problem(hr_api.post(f"/api/v1/webhook-deliveries/{unknown}/resend/"), 404)
    assert_problem(hr_api.get("/api/v1/webhook-deliveries/not-a-uuid/"), 404)


def test_hr_read_the_deliveries_with_their_attempts(hr_api, hr_user):
    with receiving(answers=[500, 200]) as receiver:
        hook = make(hr_user, url=receiver.url)
        publish()
        call_command("send_webhooks", stdout=open("/dev/null", "w"))  # noqa: SIM115
        call_command("send_webhooks", stdout=open("/dev/null", "w"))  # noqa: SIM115
    response = hr_api.get(f"/api/v1/webhooks/{hook.pk}/deliveries/")
    assert response.status_code == 200, response.content
    [delivery] = response.json()["results"]
    assert delivery["event_type"] == "profile.version_published"
    assert delivery["state"] == "delivered"
    assert [attempt["status"] for attempt in delivery["attempt_log"]] == [500, 200]
    assert all(attempt["duration_ms"] >= 0 for attempt in delivery["attempt_log"])


def test_the_deliveries_take_the_same_queries_for_1_and_20(hr_api, hr_user):
    hook = make(hr_user)

    def counted():
        with CaptureQueriesContext(connection) as captured:
            response = hr_api.get(f"/api/v1/webhooks/{hook.pk}/deliveries/")
        assert response.status_code == 200
        return len(captured), len(response.json()["results"])

    publish()
    one = counted()
    for _ in range(19):
        publish()
    many = counted()
    assert (one[1], many[1]) == (1, 20)
    assert one[0] == many[0]


def test_hr_resend_a_delivery_which_arrives_again_with_the_same_event_id(hr_api, hr_user):
    with receiving() as receiver:
        make(hr_user, url=receiver.url)
        publish()
        call_command("send_webhooks", stdout=open("/dev/null", "w"))  # noqa: SIM115
        delivery = WebhookDelivery.objects.get()
        assert delivery.state == "delivered"
        response = hr_api.post(f"/api/v1/webhook-deliveries/{delivery.pk}/resend/")
        assert response.status_code == 202, response.content
        assert response.json()["state"] == "pending"
        call_command("send_webhooks", stdout=open("/dev/null", "w"))  # noqa: SIM115
    first, again = receiver.arrivals
    assert first.headers["Competency-Event-Id"] == again.headers["Competency-Event-Id"]
    delivery.refresh_from_db()
    assert delivery.state == "delivered"
    assert delivery.attempt_log.count() == 2
