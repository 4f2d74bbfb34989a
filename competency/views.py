"""The health check, and the catalogue pages HR read: frameworks with their
levels and skills, and the shared library of components with the profiles
that use each one.

Every catalogue page runs a fixed number of queries whatever the size of the
data (tests/competency/test_catalogue_pages.py counts them): lists are
annotated, related rows are joined or prefetched, never fetched per row.
"""

from collections import defaultdict

from django import forms
from django.db import DatabaseError, connection
from django.db.models import Count, Prefetch
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from competency import search
from competency.catalogue import COMPONENT_KINDS
from competency.history import history_entries
from competency.models import Framework, Skill, SkillLevel
from competency.pages import paginate
from competency.roles import hr_required

PAGE_SIZE = 20
USES_PAGE_SIZE = 50


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


def catalogue_crumbs(*pairs):
    return [("Catalogue", reverse("catalogue:index")), *pairs]


@hr_required
def catalogue_index(request):
    """The catalogue's front page (HR only): frameworks and component kinds."""
    frameworks = Framework.objects.annotate(
        level_total=Count("levels", distinct=True),
        skill_total=Count("categories__skills", distinct=True),
    ).order_by("name")
    kinds = [(kind, kind.model.objects.count()) for kind in COMPONENT_KINDS.values()]
    return render(request, "competency/index.html", {"frameworks": frameworks, "kinds": kinds})


def category_tree(categories):
    """(category, depth) in reading order: each category before its children,
    siblings in the order given."""
    children = defaultdict(list)
    for category in categories:
        children[category.parent_id].append(category)
    ordered, stack = [], [(category, 0) for category in reversed(children[None])]
    while stack:
        category, depth = stack.pop()
        ordered.append((category, depth))
        stack.extend((child, depth + 1) for child in reversed(children[category.pk]))
    return ordered


@hr_required
def framework_detail(request, slug):
    framework = get_object_or_404(Framework, slug=slug)
    skills = Skill.objects.annotate(profile_total=Count("uses")).order_by("name")
    categories = framework.categories.prefetch_related(
        Prefetch("skills", queryset=skills)
    ).order_by("name")
    tree = [
        # Headings follow the tree below the page's h2, as deep as HTML allows.
        {"category": category, "heading": min(depth + 3, 6), "skills": category.skills.all()}
        for category, depth in category_tree(categories)
    ]
    return render(
        request,
        "competency/framework.html",
        {
            "framework": framework,
            "levels": framework.levels.order_by("rank"),
            "tree": tree,
            "crumbs": catalogue_crumbs(),
        },
    )


def category_path(category, categories):
    """A category's names from the top of the tree, from categories already
    fetched, so a deep tree costs no query per level."""
    names, seen = [], set()
    while category is not None and category.pk not in seen:
        seen.add(category.pk)
        names.append(category.name)
        category = categories.get(category.parent_id)
    return " » ".join(reversed(names))


@hr_required
def skill_detail(request, pk):
    skill = get_object_or_404(Skill.objects.select_related("category__framework"), pk=pk)
    framework = skill.category.framework
    categories = framework.categories.in_bulk()
    descriptions = {row.level_id: row.description for row in skill.levels.all()}
    scale = list(framework.levels.order_by("rank"))
    levels = [(level, descriptions.get(level.pk, "")) for level in scale]
    uses = skill.uses.select_related("profile__job_family", "level").order_by(
        "profile__title", "profile__slug", "pk"
    )
    pages = paginate(request, uses, USES_PAGE_SIZE)
    names = {level.pk: str(level) for level in scale}
    history = history_entries(
        skill.history.select_related("history_user"), lambda record: "Skill"
    ) + history_entries(
        SkillLevel.history.filter(skill_id=skill.pk).select_related("history_user"),
        lambda record: f"Description at {names.get(record.level_id, 'a level since removed')}",
    )
    history.sort(key=lambda entry: entry["when"], reverse=True)
    return render(
        request,
        "competency/skill.html",
        {
            "skill": skill,
            "framework": framework,
            "category_path": category_path(skill.category, categories),
            "levels": levels,
            "uses": [(use, use.level) for use in pages["page_obj"]],
            **pages,
            "history": history,
            "crumbs": catalogue_crumbs(
                (framework.name, reverse("catalogue:framework", args=[framework.slug]))
            ),
        },
    )


class SearchForm(forms.Form):
    q = forms.CharField(
        label="Search", required=False, max_length=search.MAX_LENGTH, widget=forms.SearchInput
    )

    def __init__(self, *args, hint="", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["q"].help_text = hint

    def words(self):
        return search.words(self.cleaned_data["q"]) if self.is_valid() else []

    def matching(self, queryset, fields):
        """Items holding every word of the search in one of the fields."""
        return search.matching(queryset, " ".join(self.words()), fields)


@hr_required
def component_list(request, kind):
    kind = COMPONENT_KINDS[kind]
    form = SearchForm(request.GET, hint=kind.search_hint)
    items = (
        form.matching(kind.items(), kind.search_fields)
        .annotate(profile_total=Count("uses"))
        .order_by("title", "pk")
    )
    pages = paginate(request, items, PAGE_SIZE)
    return render(
        request,
        "competency/component_list.html",
        {
            "kind": kind,
            "form": form,
            "searched": bool(form.words()),
            "forms_with_errors": [form] if form.errors else [],
            "rows": [(item, kind.extra_value(item)) for item in pages["page_obj"]],
            **pages,
            "crumbs": catalogue_crumbs(),
        },
    )


@hr_required
def component_detail(request, kind, pk):
    kind = COMPONENT_KINDS[kind]
    item = get_object_or_404(kind.items(), pk=pk)
    uses = item.uses.select_related("profile__job_family").order_by(
        "profile__title", "profile__slug", "pk"
    )
    # A widely used item is in thousands of profiles: one page of them.
    pages = paginate(request, uses, USES_PAGE_SIZE)
    records = item.history.select_related("history_user")
    return render(
        request,
        "competency/component.html",
        {
            "kind": kind,
            "item": item,
            "extra_value": kind.extra_value(item),
            "uses": [(use, kind.requirement_of(use)) for use in pages["page_obj"]],
            **pages,
            "history": history_entries(records),
            "crumbs": catalogue_crumbs(
                (kind.title, reverse("catalogue:components", args=[kind.slug]))
            ),
        },
    )
