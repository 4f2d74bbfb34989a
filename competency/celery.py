"""The Celery application: background work on Redis when a broker is
configured (CELERY_BROKER_URL, or REDIS_URL), run in the request when none
is (settings: task_always_eager), so `make run` needs no service.

Its settings are Django's, those named CELERY_* (competency/settings.py,
"Background work"); each app's tasks.py is found by autodiscovery, so this
module names no app above it.

    celery -A competency worker    # a worker
    celery -A competency beat      # the scheduler
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "competency.settings")

app = Celery("competency")
# The app of every thread, not only of the one that imported this: a task
# sent from another thread (a test's, or a webhook's sender) finds the
# application's configuration, not Celery's unconfigured fallback.
app.set_default()
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
