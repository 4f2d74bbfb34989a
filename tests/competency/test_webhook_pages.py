"""HR's webhook pages (/api/webhooks/): make one, see its secret and its
deliveries, resend one, switch it off, delete it; 403 for anyone else."""

import pytest
from django.core.management import call_command

from competency.api.models import Webhook, WebhookDelivery
from profiles import lifecycle
from tests import factories
from tests.receivers import receiving

LIST = "/api/webhooks/"


def make(owner, url="https://hooks.example.org/x"):
    return Webhook.objects.create(
        name="HR system",
        url=url,
        events=["profile.version_published"],
        owner=owner,
        secret=Webhook.new_secret(),
    )


def test_hr_make_a_webhook_and_see_its_secret(hr, hr_user):
    response = hr.post(
        LIST,
        {
            "name": "Learning platform",
            "url": "http://127.0.0.1:9/x",  # allowed in the tests (WEBHOOK_ALLOW_PRIVATE)
            "events": ["person.joined", "person.left"],
        },
    )
    hook = Webhook.objects.get()
    assert response.status_code == 302 and response["Location"] == f"{LIST}{hook.pk}/"
    assert (hook.owner, hook.events) == (hr_user, ["person.joined", "person.left"])
    page = hr.get(f"{LIST}{hook.pk}/")
    assert hook.secret in page.content.decode()


def test_a_bad_webhook_is_refused_saying_why(hr, settings):
    settings.WEBHOOK_ALLOW_PRIVATE = False
    response = hr.post(LIST, {"name": "x", "url": "http://10.1.2.3/x", "events": []})
    assert response.status_code == 200
    text = response.content.decode()
    assert "public addresses" in text and "This field is required" in text
    assert not Webhook.objects.exists()


def test_hr_see_the_deliveries_and_resend_one(hr, hr_user, settings):
    settings.WEBHOOK_TIMEOUT_SECONDS = 1
    with receiving(answers=[410]) as receiver:
        hook = make(hr_user, url=receiver.url)
        lifecycle.publish_profile(profile=factories.RoleProfileFactory(), change_note="x")
        call_command("send_webhooks", stdout=open("/dev/null", "w"))  # noqa: SIM115
        page = hr.get(f"{LIST}{hook.pk}/").content.decode()
        assert "HTTP 410" in page and "profile.version_published" in page
        delivery = WebhookDelivery.objects.get()
        response = hr.post(f"{LIST}deliveries/{delivery.pk}/resend/")
        assert response.status_code == 302
        delivery.refresh_from_db()
        assert (delivery.state, delivery.attempts) == ("pending", 0)
        call_command("send_webhooks", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert len(receiver.arrivals) == 2


def test_hr_switch_off_and_delete_a_webhook(hr, hr_user):
    hook = make(hr_user)
    hr.post(f"{LIST}{hook.pk}/switch/")
    hook.refresh_from_db()
    assert not hook.is_active
    hr.post(f"{LIST}{hook.pk}/delete/")
    assert not Webhook.objects.exists()


@pytest.mark.parametrize("who", ["manager", "staff"])
def test_anyone_but_hr_is_refused(request, who, hr_user):
    client = request.getfixturevalue(who)
    hook = make(hr_user)
    for method, path in [
        ("get", LIST),
        ("post", LIST),
        ("get", f"{LIST}{hook.pk}/"),
        ("post", f"{LIST}{hook.pk}/switch/"),
        ("post", f"{LIST}{hook.pk}/delete/"),
        ("post", f"{LIST}deliveries/00000000-0000-0000-0000-000000000000/resend/"),
    ]:
        assert getattr(client, method)(path).status_code == 403
    hook.refresh_from_db()
    assert hook.is_active


def test_signed_out_people_are_sent_to_sign_in(client):
    response = client.get(LIST)
    assert response.status_code == 302 and "/sign-in/" in response["Location"]


def test_an_unknown_webhook_is_404_for_hr(hr):
    assert hr.get(f"{LIST}999999/").status_code == 404
    unknown = "00000000-0000-0000-0000-000000000000"
    assert hr.post(f"{LIST}deliveries/{unknown}/resend/").status_code == 404
