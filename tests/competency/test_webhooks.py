"""Webhook deliveries (competency/webhooks.py) to a real receiver on
127.0.0.1: signed and verifiable, retried until the receiver recovers and
then delivered once, a receiver that never answers cut off and recorded,
nothing for a change that rolled back, and only to addresses allowed."""

import json
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from competency import webhooks
from competency.api.models import Webhook, WebhookDelivery, WebhookEvent
from profiles import lifecycle
from tests import factories
from tests.paths import ROOT
from tests.receivers import receiving

State = WebhookDelivery.State


def subscribe(owner, url, events=("profile.version_published",), **fields):
    return Webhook.objects.create(
        name="HR system",
        url=url,
        events=list(events),
        owner=owner,
        secret=Webhook.new_secret(),
        **fields,
    )


def publish(title="Data Engineer"):
    profile = factories.RoleProfileFactory(title=title)
    return lifecycle.publish_profile(profile=profile, change_note="First")


def send():
    call_command("send_webhooks", stdout=open("/dev/null", "w"))  # noqa: SIM115


@pytest.fixture(autouse=True)
def _quick(settings):
    settings.WEBHOOK_RETRY_SECONDS = 0  # each retry due at once
    settings.WEBHOOK_TIMEOUT_SECONDS = 0.5


def test_a_published_version_arrives_signed_and_verifiable(hr_user):
    with receiving() as receiver:
        hook = subscribe(hr_user, receiver.url)
        version = publish()
        send()
    [arrival] = receiver.arrivals
    assert arrival.path == "/hooks/competency"
    signature = arrival.headers["Competency-Signature"]
    assert webhooks.verify(hook.secret, signature, arrival.body)
    assert not webhooks.verify("whsec_another", signature, arrival.body)
    assert not webhooks.verify(hook.secret, signature, arrival.body + b" ")
    body = json.loads(arrival.body)
    event = WebhookEvent.objects.get()
    assert arrival.headers["Competency-Event-Id"] == str(event.id) == body["id"]
    assert arrival.headers["Competency-Event"] == "profile.version_published" == body["type"]
    assert body["data"]["profile"] == version.profile.slug
    assert body["data"]["number"] == 1
    assert body["data"]["url"] == f"/api/v1/profiles/{version.profile.slug}/versions/1/"
    delivery = WebhookDelivery.objects.get()
    assert (delivery.state, delivery.attempts) == (State.DELIVERED, 1)
    [attempt] = delivery.attempt_log.all()
    assert attempt.status == 204 and attempt.error == ""


def test_an_old_signature_is_refused_by_verify(hr_user):
    body = b'{"id":"x"}'
    header = webhooks.sign("whsec_s", 1_000_000, body)
    assert webhooks.verify("whsec_s", header, body, now=1_000_100)
    assert not webhooks.verify("whsec_s", header, body, now=1_000_000 + 301)
    assert not webhooks.verify("whsec_s", "v1=abc", body)


def test_a_failing_receiver_is_retried_until_it_recovers_and_gets_it_once(hr_user, settings):
    with receiving(answers=[500, 503, 200]) as receiver:
        subscribe(hr_user, receiver.url)
        publish()
        for _ in range(5):  # more rounds than needed: a delivered one is not sent again
            send()
    assert len(receiver.arrivals) == 3
    assert len({arrival.headers["Competency-Event-Id"] for arrival in receiver.arrivals}) == 1
    delivery = WebhookDelivery.objects.get()
    assert (delivery.state, delivery.attempts) == (State.DELIVERED, 3)
    assert [a.status for a in delivery.attempt_log.all()] == [500, 503, 200]


def test_a_failure_waits_longer_each_time(hr_user, settings):
    settings.WEBHOOK_RETRY_SECONDS = 30
    with receiving(answers=[500]) as receiver:
        subscribe(hr_user, receiver.url)
        publish()
        send()
        send()  # not due yet: nothing sent
    assert len(receiver.arrivals) == 1
    delivery = WebhookDelivery.objects.get()
    assert delivery.state == State.PENDING
    wait = (delivery.next_attempt_at - delivery.attempt_log.get().at).total_seconds()
    assert 29 < wait < 31
    assert [webhooks.retry_delay(n) for n in (1, 2, 3)] == [30, 60, 120]


def test_a_delivery_that_keeps_failing_stops_after_its_attempts(hr_user, settings):
    settings.WEBHOOK_MAX_ATTEMPTS = 3
    with receiving(answers=[500]) as receiver:
        subscribe(hr_user, receiver.url)
        publish()
        for _ in range(5):
            send()
    assert len(receiver.arrivals) == 3
    assert WebhookDelivery.objects.get().state == State.FAILED


def test_a_receiver_that_never_answers_is_cut_off_and_recorded(hr_user):
    with receiving(silent=True) as receiver:
        subscribe(hr_user, receiver.url)
        publish()
        send()
        assert len(receiver.arrivals) == 1
    attempt = WebhookDelivery.objects.get().attempt_log.get()
    assert attempt.status is None
    assert "within 0.5 seconds" in attempt.error
    assert 450 <= attempt.duration_ms < 4000  # cut off at the deadline, not the socket's


def test_a_change_that_rolled_back_sends_nothing(hr_user):
    with receiving() as receiver:
        subscribe(hr_user, receiver.url)
        with pytest.raises(RuntimeError), transaction.atomic():
            publish()
            raise RuntimeError("the page failed after publishing")
        send()
    assert receiver.arrivals == []
    assert not WebhookEvent.objects.exists()


def test_only_subscribed_active_webhooks_get_an_event(hr_user):
    with receiving() as receiver:
        subscribe(hr_user, receiver.url, events=["person.joined"])
        subscribe(hr_user, receiver.url, is_active=False)
        publish()
        send()
    assert receiver.arrivals == []
    assert not WebhookEvent.objects.exists()


def test_a_webhook_whose_owner_is_no_longer_hr_sends_nothing(hr_user, staff_user):
    with receiving() as receiver:
        subscribe(staff_user, receiver.url)
        publish()
        send()
    assert receiver.arrivals == []
    delivery = WebhookDelivery.objects.get()
    assert delivery.state == State.FAILED
    assert "no longer HR" in delivery.attempt_log.get().error


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.org/hook",
        "file:///etc/passwd",
        "http://user:pw@example.org/hook",
        "http:///hook",
        "http://127.0.0.1:8000/hook",
        "http://localhost/hook",
        "http://10.0.0.8/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/hook",
        "http://0.0.0.0/hook",
    ],
)
def test_a_url_that_is_not_public_http_is_refused_in_production(settings, url):
    settings.WEBHOOK_ALLOW_PRIVATE = False
    with pytest.raises(ValidationError):
        webhooks.check_url(url)


def test_a_private_address_is_refused_at_sending_too(hr_user, settings):
    """Saved while allowed (or a name that now resolves elsewhere): the
    address connected to is checked again at each attempt."""
    with receiving() as receiver:
        subscribe(hr_user, receiver.url)
        publish()
        settings.WEBHOOK_ALLOW_PRIVATE = False
        send()
    assert receiver.arrivals == []
    attempt = WebhookDelivery.objects.get().attempt_log.get()
    assert attempt.status is None and "private" in attempt.error


def readme_receiver():
    """The README's receiver example, as written, without its last line
    (which serves forever)."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("\n## Webhooks\n", 1)[1]
    code = section.split("```python\n", 1)[1].split("\n```", 1)[0]
    assert code.splitlines()[-1].startswith("HTTPServer(")
    namespace = {}
    exec("\n".join(code.splitlines()[:-1]), namespace)
    return namespace


def test_the_readmes_receiver_verifies_a_real_delivery(hr_user):
    with receiving() as receiver:
        hook = subscribe(hr_user, receiver.url)
        publish()
        send()
    [arrival] = receiver.arrivals
    example = readme_receiver()
    example["SECRET"] = hook.secret.encode()
    assert example["verified"](arrival.headers["Competency-Signature"], arrival.body)
    assert not example["verified"](arrival.headers["Competency-Signature"], arrival.body + b"x")


# --- Rotating a webhook's secret ---------------------------------------------


def delivered_header(hook):
    """Publish, send, and return what the real receiver got: (header, body)."""
    with receiving() as receiver:
        Webhook.objects.filter(pk=hook.pk).update(url=receiver.url)
        publish(title=f"Profile {WebhookEvent.objects.count()}")
        send()
    [arrival] = receiver.arrivals
    return arrival.headers["Competency-Signature"], arrival.body


def knows_only(secret):
    """The README's receiver, holding this secret alone."""
    example = readme_receiver()
    example["SECRET"] = secret.encode()
    return example["verified"]


def test_a_rotated_secret_signs_beside_the_old_one_until_the_overlap_ends(hr_user, hr_api):
    hook = subscribe(hr_user, "https://hooks.example.org/x")
    old = hook.secret
    answer = hr_api.post(f"/api/v1/webhooks/{hook.pk}/rotate-secret/", {}, format="json")
    assert answer.status_code == 200, answer.content
    new = answer.json()["secret"]
    assert new != old and new.startswith("whsec_")
    assert answer.json()["previous_secret_until"] is not None
    # During the overlap: two signatures, the new one's first; a receiver
    # that knows only the old secret still verifies, as does one with the new.
    header, body = delivered_header(hook)
    assert [part.split("=")[0] for part in header.split(",")] == ["t", "v1", "v1"]
    assert knows_only(old)(header, body) and knows_only(new)(header, body)
    assert webhooks.verify(old, header, body) and webhooks.verify(new, header, body)
    # A receiver still on the README's former code, which reads one v1= (the
    # last), verifies with the old secret as before.
    last = dict(item.split("=", 1) for item in header.split(","))["v1"]
    assert last == webhooks.sign(old, int(header.split(",")[0][2:]), body).split("v1=")[1]
    # Its 24 hours over: the new secret alone.
    Webhook.objects.filter(pk=hook.pk).update(
        previous_secret_until=timezone.now() - timedelta(seconds=1)
    )
    header, body = delivered_header(hook)
    assert [part.split("=")[0] for part in header.split(",")] == ["t", "v1"]
    assert knows_only(new)(header, body)
    assert not knows_only(old)(header, body)
    assert hr_api.get(f"/api/v1/webhooks/{hook.pk}/").json()["previous_secret_until"] is None


def test_a_rotation_without_overlap_and_a_second_rotation(hr_user, hr_api, settings):
    hook = subscribe(hr_user, "https://hooks.example.org/x")
    first = hook.secret
    answer = hr_api.post(
        f"/api/v1/webhooks/{hook.pk}/rotate-secret/", {"overlap_hours": 0}, format="json"
    )
    assert answer.json()["previous_secret_until"] is None
    header, body = delivered_header(hook)
    assert not knows_only(first)(header, body)
    assert knows_only(answer.json()["secret"])(header, body)
    # Rotated twice within an overlap: only the latest two sign.
    settings.WEBHOOK_SECRET_OVERLAP_HOURS = 24
    second = hr_api.post(f"/api/v1/webhooks/{hook.pk}/rotate-secret/").json()["secret"]
    third = hr_api.post(f"/api/v1/webhooks/{hook.pk}/rotate-secret/").json()["secret"]
    header, body = delivered_header(hook)
    assert knows_only(second)(header, body) and knows_only(third)(header, body)
    assert not knows_only(answer.json()["secret"])(header, body)
    for wrong in ({"overlap_hours": -1}, {"overlap_hours": 169}, {"overlap_hours": "x"}):
        refused = hr_api.post(f"/api/v1/webhooks/{hook.pk}/rotate-secret/", wrong, format="json")
        assert refused.status_code == 400
    assert Webhook.objects.get(pk=hook.pk).secret == third


def test_hr_rotate_a_secret_on_the_webhooks_page(hr_user, client):
    hook = subscribe(hr_user, "https://hooks.example.org/x")
    old = hook.secret
    client.force_login(hr_user)
    response = client.post(f"/api/webhooks/{hook.pk}/rotate/", follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    hook.refresh_from_db()
    assert hook.secret != old and hook.secret in page
    assert old not in page
    assert "has a new secret" in page and "signs each delivery too, until" in page


@pytest.mark.parametrize("who", ["manager_user", "staff_user"])
def test_only_hr_rotate_a_secret(request, who, hr_user):
    hook = subscribe(hr_user, "https://hooks.example.org/x")
    user = request.getfixturevalue(who)
    page = Client()
    page.force_login(user)
    assert page.post(f"/api/webhooks/{hook.pk}/rotate/").status_code == 403
    api = APIClient()
    api.force_authenticate(user)
    assert api.post(f"/api/v1/webhooks/{hook.pk}/rotate-secret/").status_code == 403
    assert Webhook.objects.get(pk=hook.pk).secret == hook.secret


def test_rotating_an_unknown_webhook_is_404(hr_user, hr_api, client):
    client.force_login(hr_user)
    assert client.post("/api/webhooks/999999/rotate/").status_code == 404
    assert hr_api.post("/api/v1/webhooks/999999/rotate-secret/").status_code == 404
