"""Pages of what agreed ratings tell: the team heatmap, finding people by
skill and level, and a person's readiness for another profile.

Thin: who is in scope and every count come from appraisals/insight.py (and
the core's visible_to rules), which the REST API shares (api/insight.py).
Anyone who may not ask gets 404, as on every appraisals page, so an id
tells nothing.
"""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, render

from appraisals import insight
from appraisals.forms import TeamForm
from appraisals.models import Person
from appraisals.views.common import appraisal_page
from competency.numbers import positive_number
from competency.pages import paginate
from competency.roles import is_hr
from profiles.models import JobFamily, RoleProfile

SEARCH_LIMIT = 20


@login_required
def team_heatmap(request):
    # A manager named but not found (or not one the reader may see) shows the
    # reader's whole line, with the form saying why.
    form = TeamForm(request.GET or None, user=request.user)
    manager = form.cleaned_data["manager"] if form.is_valid() else None
    family = None
    if request.GET.get("family") and is_hr(request.user):
        family = get_object_or_404(JobFamily, slug=request.GET["family"])
    people = insight.team_for(request.user, manager=manager, family=family)
    if people is None:
        raise Http404
    pages = paginate(request, insight.annotate_latest(people), insight.HEATMAP_PEOPLE)
    heatmap = insight.heatmap(pages["page_obj"])
    for row in heatmap.rows:
        # A row with no agreed appraisal yet links nowhere.
        row.url = appraisal_page(row.appraisal_id) if row.appraisal_id else None
    return render(
        request,
        "appraisals/insight/heatmap.html",
        {
            **pages,
            "heatmap": heatmap,
            "manager": manager,
            "family": family,
            "families": JobFamily.objects.order_by("name") if is_hr(request.user) else [],
            "form": form,
            "is_hr": is_hr(request.user),
            "symbols": [(insight.Cell.SYMBOLS[s], insight.Cell.WORDS[s], s) for s in _STATES],
        },
    )


_STATES = ["below", "meets", "above", "not_rated", "no_level"]


@login_required
def find_people(request):
    """Pick an item by searching, then a minimum level: people whose latest
    agreed rating of it is at least that level, within the viewer's
    reporting line (HR: everyone)."""
    people = insight.team_for(request.user)
    if people is None:
        raise Http404
    query = " ".join(request.GET.get("q", "").split())
    item, level, error, pages, levels = None, None, None, {}, []
    kind, pk = request.GET.get("kind", ""), positive_number(request.GET.get("item", ""))
    if kind or request.GET.get("item"):
        item = insight.find_item(kind, pk) if pk is not None else None
        if item is None:
            error = "That skill or knowledge item was not found; search for it again."
    if item is not None:
        levels = item.levels()
        if "level" in request.GET:
            level = positive_number(request.GET["level"])
            if level not in {rank for rank, _ in levels}:
                error, level = "Choose the lowest level to look for.", None
    if item is not None and level is not None:
        pages = paginate(request, insight.people_with(item, level, people), 50)
        for requirement in pages["page_obj"]:
            requirement.rating_word = requirement.rank_name(requirement.manager_rating)
            requirement.url = appraisal_page(requirement.appraisal_id)
    return render(
        request,
        "appraisals/insight/find_people.html",
        {
            **pages,
            "query": query,
            "found_items": insight.search_items(query, SEARCH_LIMIT) if query else [],
            "item": item,
            "levels": levels,
            "level": level,
            "level_name": dict(levels).get(level, ""),
            "error": error,
            "has_errors": bool(error),
            "is_hr": is_hr(request.user),
        },
    )


@login_required
def readiness(request, pk):
    """A person's agreed ratings against another profile's version in force:
    for the person, their managers up the line, and HR."""
    person = get_object_or_404(
        Person.objects.visible_to(request.user).select_related("role_profile__job_family"),
        pk=pk,
    )
    profiles = RoleProfile.objects.visible_to(request.user).filter(published_version__isnull=False)
    query = " ".join(request.GET.get("q", "").split())
    target, result = None, None
    slug = request.GET.get("profile", "").strip()
    if slug:
        target = get_object_or_404(profiles.select_related("published_version"), slug=slug)
        result = insight.readiness(person, target.published_version)
    found = []
    if query:
        matching = profiles
        for word in query.split():
            matching = matching.filter(published_title__icontains=word)
        found = list(matching.order_by("published_title")[:SEARCH_LIMIT])
    family = person.role_profile.job_family if person.role_profile else None
    suggested = (
        list(
            profiles.filter(job_family=family)
            .exclude(pk=person.role_profile_id)
            .order_by("published_title")[:SEARCH_LIMIT]
        )
        if family
        else []
    )
    return render(
        request,
        "appraisals/insight/readiness.html",
        {
            "person": person,
            "target": target,
            "result": result,
            "query": query,
            "found": found,
            "suggested": suggested,
            "family": family,
            "is_self": person.account_id == request.user.pk,
        },
    )
