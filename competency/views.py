"""The health check, and the catalogue pages HR read: frameworks with their
levels and skills, and the shared library of components with the profiles
that use each one.

Every catalogue page runs a fixed number of queries whatever the size of the
data (tests/competency/test_catalogue_pages.py counts them): lists are
annotated, related rows are joined or prefetched, never fetched per row.
"""

from collections import defaultdict

from django import forms
from django.contrib import messages
from django.db import DatabaseError, connection
from django.db.models import Case, Count, Value, When
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from competency import developing, search
from competency.catalogue import COMPONENT_KINDS
from competency.history import history_entries
from competency.models import Framework, KnowledgeItem, Skill, SkillLevel
from competency.numbers import positive_number
from competency.pages import paginate
from competency.roles import hr_required

PAGE_SIZE = 20
USES_PAGE_SIZE = 50
SKILLS_PAGE_SIZE = 100
SEARCH_LIMIT = 20


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
    """A framework's levels, and its skills under their categories a page at
    a time, each with the number of profiles using it (counted for the
    page's skills only)."""
    framework = get_object_or_404(Framework, slug=slug)
    tree = category_tree(framework.categories.order_by("name"))
    place = {category.pk: number for number, (category, _) in enumerate(tree)}
    # The skills in the tree's reading order, paginated by the database.
    skills = Skill.objects.filter(category__framework=framework).order_by(
        Case(*(When(category_id=pk, then=Value(n)) for pk, n in place.items()), default=Value(0)),
        "name",
        "pk",
    )
    pages = paginate(request, skills, SKILLS_PAGE_SIZE)
    page = pages["page_obj"]
    shown = list(page)
    counts = use_counts(Skill, [skill.pk for skill in shown])
    by_category = defaultdict(list)
    for skill in shown:
        skill.profile_total = counts.get(skill.pk, 0)
        by_category[skill.category_id].append(skill)
    # The categories from the first skill's to the last one's (the first page
    # from the top, the last to the end, so that a category without skills is
    # on a page too), with the categories above them for their headings.
    first = 0 if not page.has_previous() or not shown else place[shown[0].category_id]
    last = len(tree) - 1 if not page.has_next() or not shown else place[shown[-1].category_id]
    wanted = set()
    parents = {category.pk: category.parent_id for category, _ in tree}
    for category, _ in tree[first : last + 1]:
        pk = category.pk
        while pk is not None and pk not in wanted:
            wanted.add(pk)
            pk = parents.get(pk)
    return render(
        request,
        "competency/framework.html",
        {
            "framework": framework,
            "levels": framework.levels.order_by("rank"),
            # Headings follow the tree below the page's h2, as deep as HTML allows.
            "tree": [
                {
                    "category": category,
                    "heading": min(depth + 3, 6),
                    "skills": by_category.get(category.pk, []),
                }
                for category, depth in tree
                if category.pk in wanted
            ],
            **pages,
            "crumbs": catalogue_crumbs(),
        },
    )


def use_counts(model, pks):
    """How many profiles use each of these catalogue items (by pk): counted
    for the rows a page shows only, never for the whole catalogue."""
    if not pks:
        return {}
    links = model._meta.get_field("uses").related_model
    field = model._meta.get_field("uses").field.name
    rows = (
        links.objects.filter(**{f"{field}__in": pks})
        .values(field)
        .annotate(total=Count("pk"))
        .order_by()
        .values_list(field, "total")
    )
    return dict(rows)


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
    items = form.matching(kind.items(), kind.search_fields).order_by("title", "pk")
    # The page first, then the profiles using only its items: counting
    # every link of the catalogue to show twenty grew with the profiles.
    pages = paginate(request, items, PAGE_SIZE)
    shown = list(pages["page_obj"])
    counts = use_counts(kind.model, [item.pk for item in shown])
    for item in shown:
        item.profile_total = counts.get(item.pk, 0)
    return render(
        request,
        "competency/component_list.html",
        {
            "kind": kind,
            "form": form,
            "searched": bool(form.words()),
            "forms_with_errors": [form] if form.errors else [],
            "rows": [(item, kind.extra_value(item)) for item in shown],
            **pages,
            "crumbs": catalogue_crumbs(),
        },
    )


@hr_required
def component_detail(request, kind, pk):
    kind = COMPONENT_KINDS[kind]
    item = get_object_or_404(kind.items(), pk=pk)
    return _component_page(request, kind, item)


def _component_page(request, kind, item, error=""):
    develops = _developing_context(request, kind, item, error)
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
            "history": history_entries(records, _change_reason),
            "forms_with_errors": [develops["form"]] if develops and develops["form"].errors else [],
            "show_what": develops is not None,
            "developing": develops,
            "crumbs": catalogue_crumbs(
                (kind.title, reverse("catalogue:components", args=[kind.slug]))
            ),
        },
        status=400 if develops and develops["error"] else 200,
    )


def _change_reason(record):
    return record.history_change_reason or ""


class FindForm(forms.Form):
    find = forms.CharField(
        label="Find a skill or knowledge item",
        required=False,
        max_length=search.MAX_LENGTH,
        widget=forms.SearchInput,
        help_text="Words from its name, for example “user research”",
    )


def _developing_context(request, kind, item, error=""):
    """What a training item or PDA develops, and the search HR add to it
    from; None for the other kinds."""
    if kind.model not in developing.DEVELOPING_MODELS:
        return None
    skills, knowledge = developing.develops(item)
    form = FindForm(request.GET)
    found_skills, found_knowledge = (
        developing.find_developable(form.cleaned_data["find"], SEARCH_LIMIT)
        if form.is_valid()
        else ([], [])
    )
    have = {("skill", s.pk) for s in skills} | {("knowledge", k.pk) for k in knowledge}
    return {
        "skills": skills,
        "knowledge": knowledge,
        "form": form,
        "searched": form.is_valid() and bool(form.cleaned_data["find"].split()),
        "found": [
            ("skill", s.pk, s.name, f"{s.category.framework.name} skill, {s.category.name}")
            for s in found_skills
            if ("skill", s.pk) not in have
        ]
        + [
            ("knowledge", k.pk, k.title, f"Knowledge item, {k.get_kind_display()}")
            for k in found_knowledge
            if ("knowledge", k.pk) not in have
        ],
        "error": error,
    }


@hr_required
@require_POST
def change_developed(request, kind, pk):
    """Add or remove a skill or knowledge item the training item or PDA
    develops: `add` or `remove` as "skill-<id>" or "knowledge-<id>"."""
    kind = COMPONENT_KINDS[kind]
    if kind.model not in developing.DEVELOPING_MODELS:
        raise Http404
    item = get_object_or_404(kind.items(), pk=pk)
    adding = "add" in request.POST
    value = request.POST.get("add" if adding else "remove", "")
    which, _, number = value.partition("-")
    target_pk = positive_number(number)
    model = {"skill": Skill, "knowledge": KnowledgeItem}.get(which)
    target = model.objects.filter(pk=target_pk).first() if model and target_pk else None
    back = reverse("catalogue:component", args=[kind.slug, item.pk])
    if target is None:
        # A made-up or since-deleted choice: the page again, saying so.
        return _component_page(
            request, kind, item, "Choose a skill or knowledge item from the list."
        )
    argument = {"skill": target} if which == "skill" else {"knowledge_item": target}
    change = developing.add_developed if adding else developing.remove_developed
    change(item=item, **argument)
    name = target.name if which == "skill" else target.title
    messages.success(
        request,
        f"{item.title} {'now develops' if adding else 'no longer develops'} {name}.",
    )
    return redirect(back + "#develops")
