"""When a row last changed, for integrations that sync only what changed
(the API's `updated_since`, competency/api/changes.py).

A model that derives from ChangeTracked has `updated_at`, indexed, set on
every save (a save that names its fields names `updated_at` too) and on
every queryset update() of its rows (TouchingQuerySet), so that a change
made either way is seen by the next sync. Nothing here is deleted through
the application: profiles are archived, people leave (a leaving date) or
are anonymised, and those are changes like any other."""

from django.db import models
from django.utils import timezone


class TouchingQuerySet(models.QuerySet):
    def update(self, **kwargs):
        # A bulk change is a change: it moves the rows' updated_at unless
        # the caller sets it.
        kwargs.setdefault("updated_at", timezone.now())
        return super().update(**kwargs)


class ChangeTracked(models.Model):
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    objects = TouchingQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        fields = kwargs.get("update_fields")
        if fields is not None and "updated_at" not in fields:
            kwargs["update_fields"] = [*fields, "updated_at"]
        super().save(*args, **kwargs)
