# The Celery application is loaded with Django, so that every @shared_task
# belongs to it (competency/celery.py).
from competency.celery import app as celery_app

__all__ = ["celery_app"]
