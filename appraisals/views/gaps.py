"""Gap charts: one appraisal's gaps, and one person's over time. Drawn on
the server as SVG by a template (no script), each with a table of the same
figures for screen readers. Only what the viewer may see counts: a gap
needs the manager's rating, hidden until it is shared."""

from dataclasses import dataclass

from django.shortcuts import render
from django.urls import reverse

from appraisals.access import gap_counts, gap_rows, gaps_over_time, visible_person, visible_sides
from appraisals.models import Appraisal
from appraisals.views.common import readable_appraisal, signed_in

# The chart's drawing units (the SVG scales to the width it is given).
WIDTH, LABEL_HEIGHT, BAR_HEIGHT, ROW_GAP = 400, 18, 16, 14
ROW = LABEL_HEIGHT + BAR_HEIGHT + ROW_GAP


@dataclass
class Bar:
    row: object
    y: int
    required_x: float
    rating_width: float
    top: int


def _bars(rows):
    bars = []
    for n, row in enumerate(rows):
        top = max((step["rank"] for step in row.scale), default=1) or 1
        y = n * ROW
        bars.append(
            Bar(
                row=row,
                y=y,
                required_x=WIDTH * row.required_rank / top,
                rating_width=WIDTH * (row.manager_rating or 0) / top,
                top=top,
            )
        )
    return bars


@signed_in
def appraisal_gaps(request, pk):
    appraisal = readable_appraisal(request.user, pk)
    sides = visible_sides(request.user, appraisal)
    rows = gap_rows(request.user, appraisal, appraisal.requirements.all())
    bars = _bars(rows)
    return render(
        request,
        "appraisals/gaps.html",
        {
            "appraisal": appraisal,
            "sides": sides,
            "bars": bars,
            "width": WIDTH,
            "height": max(len(bars), 1) * ROW,
            "label_height": LABEL_HEIGHT,
            "bar_height": BAR_HEIGHT,
            "counts": gap_counts(rows, sides.manager_assessment),
            "crumbs": [
                ("Home", reverse("home")),
                ("Appraisal", reverse("appraisals:detail", args=[appraisal.pk])),
            ],
        },
    )


@dataclass
class Period:
    appraisal: Appraisal
    counts: dict
    y: int
    segments: list


@signed_in
def person_gaps(request, person_pk):
    """One person's gaps across their appraisals, oldest cycle first."""
    person = visible_person(request.user, person_pk)
    periods = []
    for n, (appraisal, counts) in enumerate(gaps_over_time(request.user, person)):
        x, segments = 0, []
        for word in ("below", "meets", "above", "unrated"):
            width = WIDTH * counts[word] / counts["total"] if counts["total"] else 0
            if width:
                segments.append({"word": word, "x": x, "width": width, "count": counts[word]})
            x += width
        periods.append(Period(appraisal, counts, n * ROW, segments))
    return render(
        request,
        "appraisals/person_gaps.html",
        {
            "person": person,
            "periods": periods,
            "width": WIDTH,
            "height": max(len(periods), 1) * ROW,
            "label_height": LABEL_HEIGHT,
            "bar_height": BAR_HEIGHT,
            "crumbs": [("Home", reverse("home"))],
        },
    )
