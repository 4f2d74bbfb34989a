"""Prometheus metrics at `/metrics`, for the monitoring system only.

django-prometheus's middleware records every request (latency histograms by
view and method, responses by status); this module adds what is ours — the
Celery queue's length, read from the broker at scrape time, and failed tasks
(counted by competency/task_signals.py) — and serves them.

Who may read them: a request straight from an address in
METRICS_ALLOWED_IPS (loopback unless set), or any request bearing
`Authorization: Bearer <METRICS_TOKEN>`. A request that came through the
proxy (it carries X-Forwarded-For) is never let in by its address, as the
proxy's own address would otherwise let the whole internet in.

With several gunicorn workers each process counts its own requests: set
PROMETHEUS_MULTIPROC_DIR to an empty folder shared by the workers (and the
Celery worker on the same host), and the page sums them (README, Operating).
"""

import hmac
import ipaddress
import os

from django.conf import settings
from django.http import HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily

from competency import health

TASK_FAILURES = Counter(
    "competency_celery_task_failures",
    "Celery tasks that raised, by task name.",
    ["task"],
)


class QueueCollector:
    """The Celery queue's length (a Redis list on the broker), read when
    Prometheus scrapes; nothing when no Redis broker is configured."""

    def describe(self):
        return []

    def collect(self):
        url = health.broker_url()
        if not url.startswith(("redis://", "rediss://", "unix://")):
            return
        up = GaugeMetricFamily("competency_celery_broker_up", "1 when the broker answered.")
        length = GaugeMetricFamily(
            "competency_celery_queue_length", "Tasks waiting in the queue.", labels=["queue"]
        )
        try:
            client = health.redis_client(url)
            for queue in settings.METRICS_QUEUES:
                length.add_metric([queue], client.llen(queue))
        except Exception:  # unreachable is a value here, not an error page
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield length


def registry():
    """Every process's metrics in multiprocess mode, else this process's."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        collected = CollectorRegistry()
        multiprocess.MultiProcessCollector(collected)
    else:
        collected = CollectorRegistry()
        collected.register(_Everything())
    collected.register(QueueCollector())
    return collected


class _Everything:
    """The process's default registry, inside a registry of our own so that
    the queue collector is added per scrape rather than for ever."""

    def collect(self):
        return REGISTRY.collect()


def allowed(request):
    token = settings.METRICS_TOKEN
    if token:
        given = request.headers.get("Authorization", "")
        if hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
            return True
    if "X-Forwarded-For" in request.headers:
        return False
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    return any(address in network for network in settings.METRICS_ALLOWED_NETWORKS)


@never_cache
@require_GET
def metrics(request):
    if not allowed(request):
        return HttpResponse("Forbidden\n", status=403, content_type="text/plain")
    return HttpResponse(generate_latest(registry()), content_type=CONTENT_TYPE_LATEST)
