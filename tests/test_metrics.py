"""/metrics: request latency and our own numbers for Prometheus, readable only
from the allowed addresses or with the bearer token."""

import ipaddress
import os
import re

import pytest
import redis

REDIS_URL = os.environ.get("TEST_REDIS_URL") or "redis://127.0.0.1:6379/4"
OUTSIDE = "203.0.113.7"  # a documentation address: not loopback


def value(page, name, **labels):
    """A sample's value from the exposition text, or None."""
    wanted = ",".join(f'{key}="{label}"' for key, label in labels.items())
    pattern = rf"^{re.escape(name)}{re.escape('{' + wanted + '}') if wanted else ''} (\S+)$"
    found = re.search(pattern, page, re.MULTILINE)
    return float(found.group(1)) if found else None


@pytest.mark.django_db
def test_the_monitoring_system_on_loopback_reads_request_latency(client):
    client.get("/healthz")
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    page = response.content.decode()
    count = value(
        page,
        "django_http_requests_latency_seconds_by_view_method_count",
        method="GET",
        view="healthz",
    )
    assert count and count >= 1
    assert "django_http_requests_latency_seconds_by_view_method_bucket" in page
    assert "django_http_responses_total_by_status_total" in page


@pytest.mark.django_db
def test_another_address_is_refused(client):
    response = client.get("/metrics", REMOTE_ADDR=OUTSIDE)
    assert response.status_code == 403
    assert b"django_http" not in response.content


@pytest.mark.django_db
def test_a_request_through_the_proxy_is_refused_though_the_proxy_is_on_loopback(client):
    response = client.get("/metrics", headers={"X-Forwarded-For": "127.0.0.1"})
    assert response.status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer wrong-token", "Token scrape-token-1", "scrape-token-1", "Bearer "],
    ids=["none", "wrong", "other-scheme", "bare", "empty"],
)
def test_without_the_right_token_another_address_is_refused(client, settings, authorization):
    settings.METRICS_TOKEN = "scrape-token-1"
    headers = {"Authorization": authorization} if authorization else {}
    assert client.get("/metrics", REMOTE_ADDR=OUTSIDE, headers=headers).status_code == 403


@pytest.mark.django_db
def test_with_the_token_any_address_reads_them(client, settings):
    settings.METRICS_TOKEN = "scrape-token-1"
    response = client.get(
        "/metrics",
        REMOTE_ADDR=OUTSIDE,
        headers={"Authorization": "Bearer scrape-token-1", "X-Forwarded-For": OUTSIDE},
    )
    assert response.status_code == 200


@pytest.mark.django_db
def test_no_token_configured_means_no_token_opens_it(client, settings):
    settings.METRICS_TOKEN = ""
    response = client.get("/metrics", REMOTE_ADDR=OUTSIDE, headers={"Authorization": "Bearer "})
    assert response.status_code == 403


@pytest.mark.django_db
def test_a_configured_network_is_allowed_and_loopback_then_is_not(client, settings):
    settings.METRICS_ALLOWED_NETWORKS = [ipaddress.ip_network("203.0.113.0/24")]
    assert client.get("/metrics", REMOTE_ADDR=OUTSIDE).status_code == 200
    assert client.get("/metrics").status_code == 403


@pytest.mark.django_db
def test_the_queue_length_is_read_from_the_broker(client, settings, worker_id):
    queue = f"test-metrics-queue-{worker_id}"
    settings.CELERY_BROKER_URL = REDIS_URL
    settings.METRICS_QUEUES = [queue]
    broker = redis.Redis.from_url(REDIS_URL)
    broker.delete(queue)
    broker.rpush(queue, "task-1", "task-2", "task-3")
    try:
        page = client.get("/metrics").content.decode()
    finally:
        broker.delete(queue)
    assert value(page, "competency_celery_broker_up") == 1
    assert value(page, "competency_celery_queue_length", queue=queue) == 3


@pytest.mark.django_db
def test_an_unreachable_broker_is_reported_not_an_error(client, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:9/4"
    response = client.get("/metrics")
    assert response.status_code == 200
    page = response.content.decode()
    assert value(page, "competency_celery_broker_up") == 0
    assert "competency_celery_queue_length" not in page


@pytest.mark.django_db
def test_without_a_broker_there_is_no_queue_metric(client, settings):
    settings.CELERY_BROKER_URL = ""
    page = client.get("/metrics").content.decode()
    assert "competency_celery_broker_up" not in page
