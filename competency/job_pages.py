"""A background job's page: what it is, how far it has got, and what came
of it. For the person who started it, and HR; anyone else gets 404 (the id
is a UUID, and a guess finds nothing either way). While the job is not
finished the page reloads itself every few seconds (a meta refresh: no
script)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import never_cache

from competency import jobs

REFRESH_SECONDS = 3


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
            "refresh": None if job.finished else REFRESH_SECONDS,
        },
    )
