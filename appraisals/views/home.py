"""The site's home: for staff their role profile, current appraisal and
objectives; for line managers also their team. HR land on the role
profiles as before, and so does anyone the appraisals do not know."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone

from appraisals import progress
from appraisals.models import Person
from appraisals.workflow import waiting_for
from competency.roles import is_hr


@login_required
def home(request):
    user = request.user
    person = (
        Person.objects.select_related("role_profile__published_version", "line_manager")
        .filter(account=user)
        .first()
    )
    if is_hr(user) or person is None:
        return redirect("profiles:list")
    current = progress.current_appraisals([person.pk]).get(person.pk)
    team = progress.team_overview(person)
    return render(
        request,
        "appraisals/home.html",
        {
            "person": person,
            "appraisal": current,
            "waiting": waiting_for(current) if current else None,
            "overdue": current is not None and progress.is_overdue(current),
            "objectives": list(progress.own_objectives(person)),
            "team": team,
            "today": timezone.localdate(),
            "team_overdue": sum(member.has_overdue_work for member in team),
        },
    )
