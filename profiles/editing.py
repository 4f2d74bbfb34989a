"""Pages where HR change role profiles: edit a draft's texts and items,
create a profile, publish, archive and start a new draft.

Every change goes through profiles.services, which checks the rules (only
a draft changes, an item once per profile, a level on its skill's scale);
these views only turn requests into calls and errors into pages.
"""

from django.contrib import messages
from django.core import signing
from django.core.exceptions import SuspiciousOperation, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from competency.models import Depth, Level
from competency.roles import hr_required
from profiles import services
from profiles.diff import diff_documents
from profiles.documents import profile_document
from profiles.forms import DEPTH_CHOICES, CreateProfileForm, NewItemForm, ProfileForm
from profiles.importing import ProfileImportError
from profiles.models import ProfileVersion, RoleProfile
from profiles.views import crumbs, query_without_page

SIGNING_SALT = "profiles.edit.base"


def _profile(slug):
    return get_object_or_404(RoleProfile.objects.select_related("job_family"), slug=slug)


def _kind(slug):
    kind = services.KINDS.get(slug)
    if kind is None:
        raise Http404
    return kind


def _draft_or_redirect(request, profile):
    if profile.is_draft:
        return None
    messages.info(
        request,
        f"‘{profile.title}’ is {profile.get_status_display().lower()}. Start a new draft to "
        "change it.",
    )
    return redirect("profiles:detail", slug=profile.slug)


def _item_rows(profile):
    """Each kind's links, in order, with what the row's controls need; one
    query per kind plus one for the levels of the frameworks in use."""
    rows = {}
    for kind in services.KINDS.values():
        links = (
            kind.links(profile)
            .select_related(kind.field, *(f"{kind.field}__{r}" for r in kind.item_related))
            .order_by("position", "id")
        )
        if kind.slug == "skills":
            links = links.select_related("level")
        rows[kind.slug] = list(links)
    attach_scales(rows["skills"], lambda link: link.skill)
    return rows


def attach_scales(rows, skill_of):
    """Give each row `.scale`: the levels its skill may be required at (its
    framework's), for the level choices, in one query for all rows."""
    frameworks = {skill_of(row).category.framework_id for row in rows}
    scales = {}
    for level in Level.objects.filter(framework__in=frameworks).order_by("rank"):
        scales.setdefault(level.framework_id, []).append(level)
    for row in rows:
        row.scale = scales.get(skill_of(row).category.framework_id, [])


def _edit_page(request, profile, form, conflict=None, status=200):
    return render(
        request,
        "profiles/edit.html",
        {
            "profile": profile,
            "form": form,
            "kinds": services.KINDS.values(),
            "rows": _item_rows(profile),
            "depths": DEPTH_CHOICES,
            "conflict": conflict,
            "crumbs": crumbs((profile.title, reverse("profiles:detail", args=[profile.slug]))),
        },
        status=status,
    )


@hr_required
def edit(request, slug):
    profile = _profile(slug)
    if request.method != "POST":
        if response := _draft_or_redirect(request, profile):
            return response
        values = services.field_values(profile)
        form = ProfileForm(initial={**values, "base": signing.dumps(values, salt=SIGNING_SALT)})
        return _edit_page(request, profile, form)

    form = ProfileForm(request.POST)
    if not form.is_valid():
        return _edit_page(request, profile, form, status=400)
    try:
        base = signing.loads(form.cleaned_data["base"], salt=SIGNING_SALT)
    except signing.BadSignature as exc:
        raise SuspiciousOperation("The edit form's base values were altered.") from exc
    try:
        services.update_profile(profile=profile, values=form.values(), base=base)
    except services.EditConflict as conflict:
        return _conflict(request, profile, form, base, conflict)
    except ValidationError as error:
        # Also when someone published or archived the profile meanwhile: the
        # text stays in the form, with the reason it was not saved.
        add_errors(form, error)
        profile.refresh_from_db()
        return _edit_page(request, profile, form, status=409 if not profile.is_draft else 400)
    messages.success(request, "Your changes to the draft were saved.")
    return redirect("profiles:edit", slug=profile.slug)


def add_errors(form, error):
    """A service's ValidationError on the form, by field where it names one."""
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def _conflict(request, profile, form, base, conflict):
    """Keep what this person typed, show what someone else saved meanwhile,
    and let them save again knowingly (the form's base becomes the values
    now in the database). Fields only the other person changed take their
    new values, so saving again cannot quietly undo them."""
    data = request.POST.copy()
    typed = form.values()
    for name, now in conflict.current.items():
        if typed[name] == base.get(name) and now != base.get(name):
            field = form.fields[name]
            data[name] = "" if now is None else field.prepare_value(now)
    data["base"] = signing.dumps(conflict.current, salt=SIGNING_SALT)
    form = ProfileForm(data)
    form.is_valid()
    labels = {
        name: form.fields[name].label or name.replace("_", " ").capitalize()
        for name in conflict.fields
    }
    last = profile.history.select_related("history_user").first()
    changes = []
    for name in conflict.fields:
        field = form.fields[name]
        now = conflict.current[name]
        if name == "job_family":
            now = str(field.queryset.filter(pk=now).first() or "No job family")
        elif isinstance(now, list):
            now = "\n".join(now)
        changes.append({"field": name, "label": labels[name].capitalize(), "now": now})
    return _edit_page(
        request,
        profile,
        form,
        conflict={
            "changes": changes,
            "who": last.history_user if last else None,
            "when": last.history_date if last else None,
        },
        status=409,
    )


@hr_required
def create(request):
    form = CreateProfileForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            profile = services.create_profile(
                title=data["title"],
                slug=data["slug"],
                job_family=data["job_family"],
                role_level=data["role_level"],
                variant=data["variant"],
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, f"Created the draft ‘{profile.title}’.")
            return redirect("profiles:edit", slug=profile.slug)
    return render(
        request,
        "profiles/create.html",
        {"form": form, "crumbs": crumbs()},
        status=400 if form.errors else 200,
    )


def _search_items(kind, profile, query):
    model = kind.item_model
    items = model.objects.exclude(uses__profile=profile)
    if kind.slug == "skills":
        items = items.select_related("category__framework").order_by("name")
        for word in query.split():
            items = items.filter(
                Q(name__icontains=word)
                | Q(description__icontains=word)
                | Q(category__name__icontains=word)
            )
    elif kind.slug == "qualifications":
        items = items.select_related("awarding_body").order_by("title")
        for word in query.split():
            items = items.filter(Q(title__icontains=word) | Q(awarding_body__name__icontains=word))
    else:
        items = items.order_by("title")
        for word in query.split():
            items = items.filter(Q(title__icontains=word) | Q(details__icontains=word))
    return items


@hr_required
def add_item(request, slug, kind):
    """Find an item in the catalogue and add it, or write a new one."""
    profile = _profile(slug)
    kind = _kind(kind)
    if response := _draft_or_redirect(request, profile):
        return response
    query = request.GET.get("q", "").strip()
    new_form = NewItemForm(kind=kind)
    error = None
    if request.method == "POST":
        try:
            if request.POST.get("action") == "create":
                new_form = NewItemForm(request.POST, kind=kind)
                if new_form.is_valid():
                    data = new_form.cleaned_data
                    # Both or neither: no orphan catalogue item if adding fails.
                    with transaction.atomic():
                        item = services.create_item(
                            kind=kind,
                            title=data["title"],
                            details=data.get("details", ""),
                            item_type=data.get("item_type", ""),
                            awarding_body=data.get("awarding_body", ""),
                        )
                        services.add_item(
                            profile=profile, kind=kind, item=item, depth=data.get("depth", "")
                        )
                    return _added(request, profile, kind, item)
            else:
                item = get_object_or_404(kind.item_model, pk=_number(request.POST.get("item")))
                level = None
                if kind.attribute == "level":
                    level = Level.objects.filter(pk=_number(request.POST.get("level"))).first()
                    if level is None:
                        raise ValidationError("Choose a level for the skill.")
                depth = request.POST.get("depth", "")
                if depth and depth not in Depth.values:
                    raise ValidationError("Choose a depth from the list.")
                services.add_item(profile=profile, kind=kind, item=item, depth=depth, level=level)
                return _added(request, profile, kind, item)
        except ValidationError as exc:
            error = " ".join(exc.messages)

    items = _search_items(kind, profile, query)
    paginator = Paginator(items, 20)
    page = paginator.get_page(request.GET.get("page"))
    if kind.slug == "skills":
        attach_scales(page, lambda skill: skill)
    return render(
        request,
        "profiles/add_item.html",
        {
            "profile": profile,
            "kind": kind,
            "query": query,
            "page_obj": page,
            "page_range": paginator.get_elided_page_range(page.number, on_each_side=1),
            "query_without_page": query_without_page(request),
            "new_form": new_form,
            "depths": DEPTH_CHOICES,
            "error": error,
            "crumbs": crumbs(
                (profile.title, reverse("profiles:detail", args=[profile.slug])),
                ("Edit", reverse("profiles:edit", args=[profile.slug])),
            ),
        },
        status=400 if error or new_form.errors else 200,
    )


def _number(value):
    """A posted id as a number, or None (which finds nothing)."""
    value = value or ""
    return int(value) if value.isascii() and value.isdecimal() else None


def _added(request, profile, kind, item):
    messages.success(request, f"Added ‘{item}’ to {kind.plural}.")
    return redirect(reverse("profiles:edit", args=[profile.slug]) + f"#{kind.slug}")


@hr_required
@require_POST
def change_item(request, slug, kind, link_id):
    """One row's controls: move up or down, change depth or level, remove."""
    profile = _profile(slug)
    kind = _kind(kind)
    if response := _draft_or_redirect(request, profile):
        return response
    action = request.POST.get("action")
    try:
        if action in ("up", "down"):
            services.move_item(
                profile=profile,
                kind=kind,
                link_id=link_id,
                offset=-1 if action == "up" else 1,
                seen_position=_number(request.POST.get("position")),
            )
        elif action == "remove":
            services.remove_item(profile=profile, kind=kind, link_id=link_id)
            messages.success(request, f"Removed the {kind.label}.")
        elif action == "change" and kind.attribute == "depth":
            depth = request.POST.get("depth", "")
            if depth and depth not in Depth.values:
                raise ValidationError("Choose a depth from the list.")
            services.change_item(
                profile=profile,
                kind=kind,
                link_id=link_id,
                depth=depth,
                seen=request.POST.get("seen"),
            )
            messages.success(request, "Changed the depth.")
        elif action == "change" and kind.attribute == "level":
            level = Level.objects.filter(pk=_number(request.POST.get("level"))).first()
            if level is None:
                raise ValidationError("Choose a level.")
            services.change_item(
                profile=profile,
                kind=kind,
                link_id=link_id,
                level=level,
                seen=request.POST.get("seen"),
            )
            messages.success(request, "Changed the level.")
        else:
            raise ValidationError("That change is not possible.")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(reverse("profiles:edit", args=[profile.slug]) + f"#{kind.slug}")


@hr_required
def publish(request, slug):
    """Confirm, then freeze the draft as the next version."""
    profile = _profile(slug)
    if response := _draft_or_redirect(request, profile):
        return response
    latest = profile.versions.order_by("-number").first()
    document = profile_document(profile)
    fingerprint = services.document_fingerprint(document)
    if request.method == "POST":
        if request.POST.get("fingerprint") != fingerprint:
            # What was confirmed is not what would be published.
            messages.error(
                request,
                "The draft changed while you were reading this page. Check the changes "
                "again before you publish.",
            )
            return redirect("profiles:publish", slug=profile.slug)
        try:
            version = services.publish_profile(profile=profile, user=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("profiles:publish", slug=profile.slug)
        messages.success(request, f"Published ‘{profile.title}’ as version {version.number}.")
        return redirect("profiles:detail", slug=profile.slug)
    comparison = diff_documents(latest.document, document) if latest else None
    return render(
        request,
        "profiles/publish.html",
        {
            "profile": profile,
            "latest": latest,
            "next_number": (latest.number + 1) if latest else 1,
            "fingerprint": fingerprint,
            "comparison": comparison,
            "before_name": f"Version {latest.number}" if latest else "",
            "crumbs": crumbs((profile.title, reverse("profiles:detail", args=[profile.slug]))),
        },
    )


@hr_required
def archive(request, slug):
    profile = _profile(slug)
    if request.method == "POST":
        try:
            services.archive_profile(profile=profile)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"Archived ‘{profile.title}’.")
        return redirect("profiles:detail", slug=profile.slug)
    return render(
        request,
        "profiles/archive.html",
        {
            "profile": profile,
            "crumbs": crumbs((profile.title, reverse("profiles:detail", args=[profile.slug]))),
        },
    )


@hr_required
@require_POST
def new_draft(request, slug):
    profile = _profile(slug)
    version = None
    if request.POST.get("version"):
        number = _number(request.POST["version"])
        if number is None:
            raise Http404
        version = get_object_or_404(ProfileVersion, profile=profile, number=number)
    try:
        services.start_draft(profile=profile, version=version)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("profiles:detail", slug=profile.slug)
    except ProfileImportError as error:
        # The version names a level its framework no longer has.
        messages.error(request, f"That version cannot be restored: {error.message}")
        return redirect("profiles:detail", slug=profile.slug)
    source = f"version {version.number}" if version else "the published profile"
    messages.success(request, f"Started a new draft from {source}.")
    return redirect("profiles:edit", slug=profile.slug)
