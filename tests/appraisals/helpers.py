"""What the appraisal tests share besides the cast (tests/cast.py): an
appraisal page's address and an appraisal's requirements by kind."""

from django.urls import reverse


def url(name, appraisal, *args):
    return reverse(f"appraisals:{name}", args=[appraisal.pk, *args])


def rows(appraisal):
    """The appraisal's requirements by kind (one of each in the cast's profile)."""
    return {row.kind: row for row in appraisal.requirements.all()}
