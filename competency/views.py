from django.contrib.auth.decorators import login_required, permission_required
from django.db import DatabaseError, connection
from django.db.models import Count
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from competency.models import Framework
from competency.roles import HR_PERMISSION


@never_cache
@require_GET
def healthz(request):
    """Liveness for load balancers and compose: is the database answering?"""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok"})


@login_required
@permission_required(HR_PERMISSION, raise_exception=True)
def catalogue_index(request):
    """The catalogue's front page (HR only): frameworks and component kinds."""
    frameworks = Framework.objects.annotate(
        level_total=Count("levels", distinct=True),
        skill_total=Count("categories__skills", distinct=True),
    ).order_by("name")
    return render(request, "competency/index.html", {"frameworks": frameworks})
