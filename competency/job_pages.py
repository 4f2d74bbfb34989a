"""A background job's page: what it is, how far it has got, and what came
of it. For the person who started it, and HR; anyone else gets 404 (the id
is a UUID, and a guess finds nothing either way). While the job is not
finished it says how far it has got, with a link to check again; with
JavaScript (static/app.mjs) it reads the page again every few seconds and
updates that status in place, then offers the result, never reloading on
its own (a meta refresh fails WCAG 2.2.1: the page changed under the
reader, on a timer they cannot adjust)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import never_cache

from competency import jobs

POLL_SECONDS = 3


@never_cache
@login_required
def job_detail(request, pk):
    job = get_object_or_404(jobs.visible_to(request.user), pk=pk)
    done, total = jobs.progress(job)
    return render(
        request,
        "competency/job.html",
        {
            "job": job,
            "done": done,
            "total": total,
            "percent": round(100 * done / total) if total else 0,
            "poll_seconds": POLL_SECONDS,
        },
    )
