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
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from competency import search
from competency.forms import add_errors
from competency.models import Level
from competency.numbers import positive_number
from competency.pages import paginate
from competency.roles import hr_required
from profiles import drafts, lifecycle
from profiles.diff import diff_documents
from profiles.documents import ChangedSinceConfirmed, document_fingerprint, profile_document
from profiles.forms import DEPTH_CHOICES, CreateProfileForm, NewItemForm, ProfileForm, PublishForm
from profiles.models import ProfileVersion, RoleProfile
from profiles.sections import BY_SLUG, NO_DEPTH, SECTIONS
from profiles.views.reading import crumbs

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


def _item_rows(profile, posted=None):
    """Each section's links, in order, with what the row's controls need; one
    query per section plus one for the levels of the frameworks in use.

    `posted` is the form as last sent: a depth or level the person chose is
    shown again, unless someone else changed it meanwhile (then theirs is
    shown, as for the texts)."""
    rows = {section.slug: list(section.ordered_links(profile)) for section in SECTIONS}
    attach_scales(rows["skills"], lambda link: link.skill)
    for section in SECTIONS:
        for link in rows[section.slug]:
            link.anchor = _anchor(section, link.pk)
            # How the row's controls name the item ("Level for Agile working").
            item = section.item_of(link)
            link.label = item.name if section.requirement == "level" else item.title
        if section.requirement is None:
            continue
        for link in rows[section.slug]:
            now = str(_requirement_of(section, link))
            name = f"{section.requirement}-{section.slug}-{link.pk}"
            if posted is not None and posted.get(f"seen-{name}") == now and name in posted:
                link.chosen = posted[name]
            else:
                link.chosen = now
            link.seen = now
    return rows


def _requirement_of(section, link):
    return link.depth if section.requirement == "depth" else link.level_id


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
    posted = request.POST if request.method == "POST" else None
    latest = profile.latest_version()
    return render(
        request,
        "profiles/edit.html",
        {
            "profile": profile,
            "form": form,
            "sections": SECTIONS,
            "rows": _item_rows(profile, posted),
            "depths": DEPTH_CHOICES,
            "conflict": conflict,
            "latest": latest,
            "next_number": latest.number + 1 if latest else 1,
            "nothing_to_publish": lifecycle.same_as_latest_version(profile, latest=latest),
            # What the last press did to an item, shown in that item's row
            # (the page opens at that row, so the person sees it there).
            "notes": {
                message.extra_tags: str(message)
                for message in messages.get_messages(request)
                if message.extra_tags.startswith("item-")
            },
            "crumbs": crumbs((profile.title, reverse("profiles:detail", args=[profile.slug]))),
        },
        status=status,
    )


# The edit form's buttons besides Save: "<verb>:<section slug>:<link id>"
# for an item's own buttons, "<verb>:<section slug>" for adding to a section,
# or a page to go to once everything is saved.
ITEM_VERBS = {"up", "down", "move", "remove", "change", "correct"}


def _pressed(data):
    """The button pressed, as (an ItemAction for drafts.save_draft or None,
    where to go afterwards or None). Anything unknown is refused."""
    value = data.get("item-action", "")
    if not value:
        return None, None
    verb, _, rest = value.partition(":")
    slug, _, link = rest.partition(":")
    if verb in ("preview", "publish") and not rest:
        return None, (verb,)
    if verb == "add" and slug in BY_SLUG and not link:
        return None, ("add", BY_SLUG[slug])
    link_id = positive_number(link)
    if verb not in ITEM_VERBS or slug not in BY_SLUG or link_id is None:
        raise SuspiciousOperation(f"Unknown edit button {value!r}.")
    section = BY_SLUG[slug]
    if verb == "correct":
        return None, ("correct", section, link_id)
    order = data.get(f"order-{slug}", "").split(",")
    return (
        drafts.ItemAction(
            verb=verb,
            section=section,
            link_id=link_id,
            to=positive_number(data.get(f"to-{slug}-{link_id}", "").strip()),
            seen_position=order.index(str(link_id)) if str(link_id) in order else None,
        ),
        None,
    )


def _requirements(data):
    """The depths and levels on the form, with what the form showed."""
    wanted = []
    for section in SECTIONS:
        if section.requirement is None:
            continue
        prefix = f"{section.requirement}-{section.slug}-"
        for name, value in data.items():
            link_id = (
                positive_number(name.removeprefix(prefix)) if name.startswith(prefix) else None
            )
            if link_id is not None and f"seen-{name}" in data:
                wanted.append(
                    drafts.Requirement(
                        section=section, link_id=link_id, wanted=value, seen=data[f"seen-{name}"]
                    )
                )
    return wanted


@hr_required
def edit(request, slug):
    """The edit page is one form: whichever button is pressed, what was
    typed is saved first (texts, depths and levels) and then the button's
    item change is made, in one transaction; if any of it is refused,
    nothing is written and the page comes back with everything as typed."""
    profile = _profile(slug)
    if request.method != "POST":
        if response := _draft_or_redirect(request, profile):
            return response
        values = drafts.field_values(profile)
        form = ProfileForm(initial={**values, "base": signing.dumps(values, salt=SIGNING_SALT)})
        return _edit_page(request, profile, form)

    action, then = _pressed(request.POST)
    form = ProfileForm(request.POST)
    if not form.is_valid():
        return _edit_page(request, profile, form, status=400)
    try:
        base = signing.loads(form.cleaned_data["base"], salt=SIGNING_SALT)
    except signing.BadSignature as exc:
        raise SuspiciousOperation("The edit form's base values were altered.") from exc
    try:
        done = drafts.save_draft(
            profile=profile,
            values=form.values(),
            base=base,
            requirements=_requirements(request.POST),
            action=action,
        )
    except drafts.EditConflict as conflict:
        return _conflict(request, profile, form, base, conflict, pending=action or then)
    except ValidationError as error:
        # Also when someone published or archived the profile meanwhile: the
        # text stays in the form, with the reason it was not saved.
        add_errors(form, error)
        profile.refresh_from_db()
        return _edit_page(request, profile, form, status=409 if not profile.is_draft else 400)
    if action is not None:
        return _item_done(request, profile, action, done)
    if then is not None:
        return _go_on(profile, then)
    messages.success(request, "Your changes to the draft were saved.")
    return redirect("profiles:edit", slug=profile.slug)


def _anchor(section, link_id):
    return f"item-{section.slug}-{link_id}"


def _item_done(request, profile, action, done):
    """Say what the press did, naming the item, and open the page at it."""
    section = action.section
    anchor = _anchor(section, action.link_id)
    if action.verb == "remove":
        text = f"Removed ‘{done}’ from {section.heading}. Your other changes were saved."
        anchor = section.slug
    elif action.verb == "change":
        item = section.item_of(done)
        if section.requirement == "depth":
            now = done.get_depth_display() or NO_DEPTH.lower()
        else:
            now = done.level
        text = f"The {section.requirement} of ‘{item}’ is now {now}. Your other changes were saved."
    else:
        text = (
            f"Moved ‘{done.item}’ to position {done.position + 1} of {done.count} in "
            f"{section.heading}. Your other changes were saved."
        )
    messages.success(request, text, extra_tags=anchor)
    return redirect(reverse("profiles:edit", args=[profile.slug]) + f"#{anchor}")


def _go_on(profile, then):
    """After saving: the page the button leads to."""
    page = then[0]
    if page == "preview":
        return redirect("profiles:detail", slug=profile.slug)
    if page == "publish":
        return redirect("profiles:publish", slug=profile.slug)
    if page == "add":
        return redirect("profiles:add", slug=profile.slug, section=then[1].slug)
    return redirect("profiles:correct", slug=profile.slug, section=then[1].slug, link_id=then[2])


def _conflict(request, profile, form, base, conflict, pending=None):
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
            # The button pressed did nothing either (all or nothing).
            "pending": pending is not None,
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
    items = search.matching(items, query, section.search_fields)
    return items


@hr_required
def add_item(request, slug, section):
    """Find an item in the catalogue and add it, or write a new one."""
    profile = _profile(slug)
    section = _section(section)
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
                item = get_object_or_404(
                    section.item_model, pk=positive_number(request.POST.get("item"))
                )
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

    pages = paginate(request, _search_items(section, profile, query), 20)
    if section.requirement == "level":
        attach_scales(pages["page_obj"], lambda skill: skill)
    return render(
        request,
        "profiles/add_item.html",
        {
            "profile": profile,
            "section": section,
            "query": query,
            **pages,
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


def _added(request, profile, section, item):
    messages.success(request, f"Added ‘{item}’ to {section.plural}.")
    return redirect(reverse("profiles:edit", args=[profile.slug]) + f"#{section.slug}")


def _correct_form(section, data=None, initial=None):
    """The new-item form for correcting an item's text: its depth or level
    stays the link's, so the form has none."""
    form = NewItemForm(data, section=section, initial=initial)
    form.fields.pop("depth", None)
    return form


@hr_required
def correct_item(request, slug, section, link_id):
    """Correct the text of one item of this profile. The catalogue item is
    shared and identified by its text, so the profile is pointed at the
    item with the new text; other profiles keep the old one."""
    profile = _profile(slug)
    section = _section(section)
    if section.catalogue is None:
        raise Http404  # a framework's skill: its import corrects it
    if response := _draft_or_redirect(request, profile):
        return response
    link = get_object_or_404(section.ordered_links(profile), pk=link_id)
    item = section.item_of(link)
    if request.method == "POST":
        form = _correct_form(section, request.POST)
        seen = request.POST.get("seen", "")
        if form.is_valid():
            try:
                old, new = drafts.correct_item(
                    profile=profile,
                    section=section,
                    link_id=link.pk,
                    seen=seen,
                    **form.cleaned_data,
                )
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                anchor = _anchor(section, link.pk)
                messages.success(
                    request,
                    f"Corrected ‘{old}’: this profile now has ‘{new}’ in its place. Other "
                    "profiles keep the text they had.",
                    extra_tags=anchor,
                )
                return redirect(reverse("profiles:edit", args=[profile.slug]) + f"#{anchor}")
    else:
        seen = item.pk
        form = _correct_form(
            section,
            initial={
                "title": item.title,
                "details": getattr(item, "details", ""),
                "item_type": getattr(item, "kind", ""),
                "awarding_body": getattr(getattr(item, "awarding_body", None), "name", ""),
            },
        )
    others = item.uses.exclude(profile=profile).count()
    return render(
        request,
        "profiles/correct_item.html",
        {
            "profile": profile,
            "section": section,
            "link": link,
            "item": item,
            "seen": seen,
            "form": form,
            "others": others,
            "crumbs": crumbs(
                (profile.title, reverse("profiles:detail", args=[profile.slug])),
                ("Edit", reverse("profiles:edit", args=[profile.slug])),
            ),
        },
        status=400 if form.errors else 200,
    )


@hr_required
def publish(request, slug):
    """Confirm, then freeze the draft as the next version. The confirmation
    carries the fingerprint of what the person read; publishing compares it
    under the row lock, so nobody's later edit is published unread."""
    profile = _profile(slug)
    if response := _draft_or_redirect(request, profile):
        return response
    form = PublishForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            version = lifecycle.publish_profile(
                profile=profile,
                user=request.user,
                confirmed=form.cleaned_data["fingerprint"],
                change_note=form.cleaned_data["change_note"],
            )
        except ChangedSinceConfirmed as error:
            # What they read is not what would be published: show the page
            # again as the draft is now, keeping the note they wrote.
            messages.error(request, " ".join(error.messages))
            form = PublishForm(initial={"change_note": form.cleaned_data["change_note"]})
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, f"Published ‘{profile.title}’ as version {version.number}.")
            return redirect("profiles:detail", slug=profile.slug)
    latest = profile.latest_version()
    document = profile_document(profile)
    comparison = diff_documents(latest.document, document) if latest else None
    if not form.is_bound:
        form.initial["fingerprint"] = document_fingerprint(document)
    return render(
        request,
        "profiles/publish.html",
        {
            "profile": profile,
            "form": form,
            "latest": latest,
            "next_number": (latest.number + 1) if latest else 1,
            "comparison": comparison,
            "nothing_to_publish": lifecycle.same_as_latest_version(
                profile, document, latest=latest
            ),
            "before_name": f"Version {latest.number}" if latest else "",
            "crumbs": crumbs((profile.title, reverse("profiles:detail", args=[profile.slug]))),
        },
        status=400 if form.errors else 200,
    )


@hr_required
def discard(request, slug):
    """Confirm, then throw the draft's changes away and go back to the
    version in force. Like publishing, the confirmation carries the
    fingerprint of the draft the person saw."""
    profile = _profile(slug)
    if response := _draft_or_redirect(request, profile):
        return response
    if request.method == "POST":
        try:
            lifecycle.discard_draft(profile=profile, confirmed=request.POST.get("fingerprint", ""))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("profiles:discard", slug=profile.slug)
        number = profile.published_version.number
        messages.success(
            request, f"Discarded the draft of ‘{profile.title}’: it is version {number} again."
        )
        return redirect("profiles:detail", slug=profile.slug)
    version = profile.published_version
    document = profile_document(profile)
    return render(
        request,
        "profiles/discard.html",
        {
            "profile": profile,
            "version": version,
            "fingerprint": document_fingerprint(document),
            "comparison": diff_documents(version.document, document) if version else None,
            "before_name": f"Version {version.number}" if version else "",
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
        number = positive_number(request.POST["version"])
        if number is None:
            raise Http404
        version = get_object_or_404(ProfileVersion, profile=profile, number=number)
    try:
        lifecycle.start_draft(profile=profile, version=version)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("profiles:detail", slug=profile.slug)
    source = f"version {version.number}" if version else "the published profile"
    messages.success(request, f"Started a new draft from {source}.")
    return redirect("profiles:edit", slug=profile.slug)
