"""Pages where HR change role profiles: edit a draft's texts and items,
create a profile, publish, archive and start a new draft.

Every change goes through profiles.drafts or profiles.lifecycle, which
check the rules (only a draft changes, an item once per profile, a level on
its skill's scale, nothing changed since the person looked) under the
profile's row lock; these views only turn requests into calls and errors
into pages.
"""

from django.contrib import messages
from django.core import signing
from django.core.exceptions import SuspiciousOperation, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from competency.models import Level
from competency.roles import hr_required
from profiles import drafts, lifecycle
from profiles.diff import diff_documents
from profiles.documents import document_fingerprint, profile_document
from profiles.forms import DEPTH_CHOICES, CreateProfileForm, NewItemForm, ProfileForm
from profiles.importing.reading import ProfileImportError
from profiles.models import ProfileVersion, RoleProfile
from profiles.sections import BY_SLUG, SECTIONS
from profiles.views.reading import crumbs, query_without_page

SIGNING_SALT = "profiles.edit.base"


def _profile(slug):
    return get_object_or_404(RoleProfile.objects.select_related("job_family"), slug=slug)


def _section(slug):
    section = BY_SLUG.get(slug)
    if section is None:
        raise Http404
    return section


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
    """Each section's links, in order, with what the row's controls need; one
    query per section plus one for the levels of the frameworks in use."""
    rows = {section.slug: list(section.ordered_links(profile)) for section in SECTIONS}
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
            "sections": SECTIONS,
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
        values = drafts.field_values(profile)
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
        drafts.update_profile(profile=profile, values=form.values(), base=base)
    except drafts.EditConflict as conflict:
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
            profile = drafts.create_profile(
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


def _search_items(section, profile, query):
    """Catalogue items of the section this profile does not use yet, holding
    every word of the query in one of their searched texts."""
    items = section.items().exclude(uses__profile=profile).order_by(section.item_order)
    for word in query.split():
        matches = Q()
        for field in section.search_fields:
            matches |= Q(**{f"{field}__icontains": word})
        items = items.filter(matches)
    return items


@hr_required
def add_item(request, slug, kind):
    """Find an item in the catalogue and add it, or write a new one."""
    profile = _profile(slug)
    section = _section(kind)
    if response := _draft_or_redirect(request, profile):
        return response
    query = request.GET.get("q", "").strip()
    new_form = NewItemForm(section=section)
    error = None
    if request.method == "POST":
        try:
            if request.POST.get("action") == "create":
                new_form = NewItemForm(request.POST, section=section)
                if new_form.is_valid():
                    item = drafts.add_new_item(
                        profile=profile, section=section, **new_form.cleaned_data
                    )
                    return _added(request, profile, section, item)
            else:
                item = get_object_or_404(section.item_model, pk=_number(request.POST.get("item")))
                drafts.add_item(
                    profile=profile,
                    section=section,
                    item=item,
                    depth=request.POST.get("depth", ""),
                    level=request.POST.get("level"),
                )
                return _added(request, profile, section, item)
        except ValidationError as exc:
            error = " ".join(exc.messages)

    items = _search_items(section, profile, query)
    paginator = Paginator(items, 20)
    page = paginator.get_page(request.GET.get("page"))
    if section.requirement == "level":
        attach_scales(page, lambda skill: skill)
    return render(
        request,
        "profiles/add_item.html",
        {
            "profile": profile,
            "section": section,
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


def _added(request, profile, section, item):
    messages.success(request, f"Added ‘{item}’ to {section.plural}.")
    return redirect(reverse("profiles:edit", args=[profile.slug]) + f"#{section.slug}")


@hr_required
@require_POST
def change_item(request, slug, kind, link_id):
    """One row's controls: move up or down, change depth or level, remove."""
    profile = _profile(slug)
    section = _section(kind)
    if response := _draft_or_redirect(request, profile):
        return response
    action = request.POST.get("action")
    try:
        if action in ("up", "down"):
            drafts.move_item(
                profile=profile,
                section=section,
                link_id=link_id,
                offset=-1 if action == "up" else 1,
                seen_position=_number(request.POST.get("position")),
            )
        elif action == "remove":
            drafts.remove_item(profile=profile, section=section, link_id=link_id)
            messages.success(request, f"Removed the {section.noun}.")
        elif action == "change":
            drafts.change_item(
                profile=profile,
                section=section,
                link_id=link_id,
                depth=request.POST.get("depth", ""),
                level=request.POST.get("level"),
                seen=request.POST.get("seen"),
            )
            messages.success(request, f"Changed the {section.requirement}.")
        else:
            raise ValidationError("That change is not possible.")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(reverse("profiles:edit", args=[profile.slug]) + f"#{section.slug}")


@hr_required
def publish(request, slug):
    """Confirm, then freeze the draft as the next version. The confirmation
    carries the fingerprint of what the person read; publishing compares it
    under the row lock, so nobody's later edit is published unread."""
    profile = _profile(slug)
    if response := _draft_or_redirect(request, profile):
        return response
    if request.method == "POST":
        try:
            version = lifecycle.publish_profile(
                profile=profile,
                user=request.user,
                confirmed=request.POST.get("fingerprint", ""),
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("profiles:publish", slug=profile.slug)
        messages.success(request, f"Published ‘{profile.title}’ as version {version.number}.")
        return redirect("profiles:detail", slug=profile.slug)
    latest = profile.versions.order_by("-number").first()
    document = profile_document(profile)
    comparison = diff_documents(latest.document, document) if latest else None
    return render(
        request,
        "profiles/publish.html",
        {
            "profile": profile,
            "latest": latest,
            "next_number": (latest.number + 1) if latest else 1,
            "fingerprint": document_fingerprint(document),
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
            lifecycle.archive_profile(profile=profile)
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
        lifecycle.start_draft(profile=profile, version=version)
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
