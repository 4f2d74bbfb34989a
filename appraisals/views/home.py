"""The site's home: first what waits for the signed-in person (waiting.py),
then for staff their role profile, open appraisals and objectives; for line
managers also their team (direct reports first, then the rest of their
reporting line a page at a time, filterable). HR's home is what waits for
them and the way to their lists; anyone the appraisals do not know lands on
the role profiles.

A fixed number of queries whatever the size of the line or the number of
cycles: the team's rows are read a page at a time, column by column."""

from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.shortcuts import redirect, render
from django.utils import timezone

from appraisals import progress, waiting
from appraisals.context_processors import header, manages_anyone
from appraisals.filters import TeamFilter
from appraisals.models import Person
from appraisals.workflow import waiting_for
from competency.pages import paginate
from competency.prepared import Prepared
from competency.roles import is_hr

TEAM_PAGE_SIZE = 50
# The home lists this many waiting items, and all of them on asking.
WAITING_SHOWN = 20


def _own_person(user):
    # first()'s query: the model's ordering, one row.
    return (
        Person.objects.select_related("role_profile__published_version", "line_manager")
        .filter(account=user)
        .annotate(manages_anyone=manages_anyone())[:1]
    )


# Built once per process (competency.prepared), as the list's queries are.
_own_person_rows = Prepared(_own_person)


@login_required
def home(request):
    user = request.user
    person = next(iter(_own_person_rows.rows(user)), None)
    today = timezone.localdate()
    if is_hr(user):
        return render(request, "appraisals/hr_home.html", waiting_context(request, today))
    if person is None:
        return redirect("profiles:list")
    appraisals, last = progress.own_appraisals(person)
    for appraisal in appraisals:
        appraisal.waiting = waiting_for(appraisal)
        appraisal.overdue = progress.is_overdue(appraisal, today)
    context = {
        "person": person,
        "appraisals": appraisals,
        "last_signed_off": last,
        "objectives": progress.own_objectives(person),
        "today": today,
        **waiting_context(request, today, person),
    }
    # Nobody reports to them (the header's own question): no line to read.
    if person.manages_anyone:
        context.update(team_context(request, person, progress.team_people(person), today))
    return render(request, "appraisals/home.html", context)


def waiting_context(request, today, person=None):
    """The "Waiting for you" list: the first WAITING_SHOWN items, or all of
    them with ?waiting=all."""
    tasks = waiting.waiting_for(request.user, today)
    show_all = request.GET.get("waiting") == "all"
    return {
        "waiting_tasks": tasks if show_all else tasks[:WAITING_SHOWN],
        "waiting_total": len(tasks),
        "waiting_overdue": sum(task.overdue for task in tasks),
        # The header's count is the list's length (waiting.count_for counts
        # the same rows): the layout needs no query of its own.
        "signed_in": header(request.user, len(tasks), person),
    }


def team_context(request, manager, line, today):
    """The team part of a manager's home, or {} if nobody is in their line.
    The reporting line is walked by each query that needs it (the counts,
    the page of the rest of the line, the menu of teams), never for the
    direct reports, who are found by their manager."""
    summary = line.aggregate(
        total=Count("pk"), overdue=Count("pk", filter=progress.has_overdue_work(today))
    )
    if not summary["total"]:
        return {}
    filters = TeamFilter(request.GET or None, queryset=line, manager=manager, request=request)
    direct = list(filters.applied_to(progress.team_people(manager, direct=True)))
    # The rest of the line is the line less the direct reports (found by
    # their manager, with the same filters): with no filter but "overdue",
    # the summary counted the line already, so the pages need no count of
    # their own (for a head, a third walk of thousands of people).
    given = filters.form.cleaned_data if filters.is_bound and filters.is_valid() else {}
    known = None
    if not given.get("team") and not given.get("stage"):
        known = summary["overdue" if given.get("overdue") else "total"] - len(direct)
    pages = paginate(
        request, filters.filtered().exclude(line_manager=manager), TEAM_PAGE_SIZE, count=known
    )
    # One batch for both tables: the same four queries.
    members = progress.team_members([*direct, *pages["page_obj"]], today)
    return {
        "team_total": summary["total"],
        "team_overdue": summary["overdue"],
        "team_direct": members[: len(direct)],
        "team_others": members[len(direct) :],
        "team_form": filters.form,
        "team_filtered": filters.is_bound
        and any(request.GET.get(name) for name in filters.form.fields),
        **pages,
    }
