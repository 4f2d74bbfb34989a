"""Pages for reading role profiles: the list, a profile, its versions and
their differences, comparisons, downloads and the audit trail.

Who sees what is decided once, beside the models: RoleProfile.objects.
visible_to(user), ProfileVersion.objects.visible_to(user) and
documents.readable(profile, user). HR read the working copy of any profile;
everyone else reads the version in force of a profile that is not archived,
and gets 404 for anything else.
"""

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.db.models import OuterRef, Subquery
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from competency.numbers import positive_number
from competency.pages import paginate
from competency.roles import hr_required, is_hr
from profiles import documents
from profiles.audit import profile_trail
from profiles.diff import diff_documents
from profiles.documents import dumps, profile_document
from profiles.downloads import download_for
from profiles.filters import ProfileFilter
from profiles.lifecycle import same_as_latest_version
from profiles.models import ProfileVersion, RoleProfile
from profiles.rendering import document_body

PAGE_SIZE = 20
# A search says "more than 1,000 profiles" rather than counting them all.
MATCHES_COUNTED = 1000
AUDIT_PAGE_SIZE = 50
VERSIONS_PAGE_SIZE = 20


def visible_profile(user, slug):
    # The two search texts (~13 KB each) are searched, never shown.
    return get_object_or_404(
        RoleProfile.objects.visible_to(user)
        .select_related("job_family", "published_version")
        .defer("search_text", "published_text"),
        slug=slug,
    )


def readable_document(user, profile):
    """(document, version) that this person reads for this profile, or 404."""
    readable = documents.readable(profile, user)
    if readable is None:
        raise Http404
    return readable


def crumbs(*pairs):
    return [("Role profiles", reverse("profiles:list")), *pairs]


@login_required
def profile_list(request):
    # The search texts (~13 KB each) are searched through their vectors,
    # never shown.
    queryset = RoleProfile.objects.visible_to(request.user).defer("search_text", "published_text")
    if is_hr(request.user):
        # A subquery, not a join and GROUP BY, so that counting the matches
        # reads the profiles alone.
        queryset = queryset.select_related("job_family").annotate(
            latest_version=Subquery(
                ProfileVersion.objects.filter(profile=OuterRef("pk"))
                .order_by("-number")
                .values("number")[:1]
            )
        )
    else:
        # The list's own columns say what it shows; no document is read. A
        # subquery rather than a join, so that counting the matches joins
        # nothing.
        queryset = queryset.annotate(
            version_number=Subquery(
                ProfileVersion.objects.filter(pk=OuterRef("published_version"))
                .order_by()  # the default order would join the profiles again
                .values("number")
            )
        )
    filters = ProfileFilter(request.GET or None, queryset=queryset, request=request)
    reader = filters.reader
    # A search or filter counts its matches up to a cap (see CappedPaginator);
    # the whole list, unfiltered, counts every profile, which is cheap.
    searching = filters.is_bound and any(
        request.GET.get(name) for name in ("q", "skill", "job_family", "role_level", "status")
    )
    pages = paginate(
        request, filters.results(), PAGE_SIZE, cap=MATCHES_COUNTED if searching else None
    )
    shown = list(pages["page_obj"])
    # Where the words were found, for this page's rows only.
    snippets = filters.searched.snippets(shown) if filters.form.is_valid() else {}
    # A search that found nothing may be misspelt.
    suggestion = filters.suggestion() if filters.searched.words and not shown else None
    return render(
        request,
        "profiles/list.html",
        {
            "filters": filters,
            "entries": [
                {**list_entry(profile, reader), "snippet": snippets.get(profile.pk)}
                for profile in shown
            ],
            **pages,
            "is_filtered": any(request.GET.get(name) for name in ProfileFilter.base_filters),
            # The words searched for, as the search reads them, for the title.
            "query": " ".join(request.GET.get("q", "").split()),
            "suggestion": suggestion,
        },
    )


def list_entry(profile, reader):
    """What the list shows of a profile: HR the working copy, others the
    version in force."""
    if reader:
        return {
            "slug": profile.slug,
            "title": profile.published_title,
            "family": profile.published_family or None,
            "summary": profile.published_summary,
            "version": profile.version_number,
            "profile": None,
        }
    return {
        "slug": profile.slug,
        "title": profile.title,
        "family": profile.job_family.name if profile.job_family_id else None,
        "summary": profile.summary,
        "version": profile.latest_version,
        "profile": profile,
    }


@login_required
def profile_detail(request, slug):
    profile = visible_profile(request.user, slug)
    document, version = readable_document(request.user, profile)
    latest = version or profile.latest_version()
    return render(
        request,
        "profiles/detail.html",
        {
            "profile": profile,
            "document": document,
            "body": document_body(document, version),
            "version": version,
            "latest": latest,
            # HR are offered Publish only when the draft says something new.
            "nothing_to_publish": profile.is_draft
            and version is None
            and same_as_latest_version(profile, document, latest=latest),
            "crumbs": crumbs(),
        },
    )


def _version(request, slug, number):
    # The version's own rule decides: a person appraised against a version
    # reads it even when its profile was since archived.
    version = get_object_or_404(
        ProfileVersion.objects.visible_to(request.user).select_related(
            "profile__job_family", "profile__published_version"
        ),
        profile__slug=slug,
        number=number,
    )
    return version.profile, version


@login_required
def version_detail(request, slug, number):
    profile, version = _version(request, slug, number)
    return render(
        request,
        "profiles/detail.html",
        {
            "profile": profile,
            "document": version.document,
            "body": document_body(version.document, version),
            "version": version,
            "latest": profile.latest_version(),
            # Its title names the version: readers see a version on the
            # profile's own page too, but that one is the profile as it is.
            "version_page": True,
            # What the reader may read of the profile: never the draft's title.
            "crumbs": crumbs((version.document["title"], reverse("profiles:detail", args=[slug]))),
        },
    )


def _document_for_download(request, slug):
    """The Download this person may have of a profile (the version asked for
    with ?version=N, or what the profile's main page shows), or 404."""
    profile = visible_profile(request.user, slug)
    asked = request.GET.get("version")
    number = positive_number(asked) if asked else None
    if asked and number is None:
        raise Http404
    download = download_for(request.user, profile, number=number)
    if download is None:
        raise Http404
    return download


@login_required
def profile_json(request, slug):
    download = _document_for_download(request, slug)
    return download.respond(
        request, "json", lambda: dumps(download.document), content_type="application/json"
    )


@login_required
def profile_pdf(request, slug):
    from profiles.pdf import Rendering

    download = _document_for_download(request, slug)
    rendering = Rendering(download)
    return download.respond(
        request, "pdf", rendering.pdf, content_type="application/pdf", key=rendering.digest
    )


@login_required
def changes_in_force(request, slug):
    """What changed in the version in force since the one before it, with
    its publisher's note: for everyone who may read the profile."""
    profile = visible_profile(request.user, slug)
    version = profile.published_version
    if version is None:
        raise Http404
    previous = profile.versions.filter(number__lt=version.number).order_by("-number").first()
    return render(
        request,
        "profiles/changes.html",
        {
            "profile": profile,
            "version": version,
            "previous": previous,
            "comparison": diff_documents(previous.document, version.document) if previous else None,
            "before_name": f"Version {previous.number}" if previous else "",
            "after_name": f"Version {version.number}",
            "crumbs": crumbs((version.document["title"], reverse("profiles:detail", args=[slug]))),
        },
    )


@hr_required
def version_history(request, slug):
    """The published versions a page at a time, and the differences between
    any two (or between a version and the current draft): only the two
    documents compared are read."""
    profile = visible_profile(request.user, slug)
    numbers = [
        str(number)
        for number in profile.versions.order_by("-number").values_list("number", flat=True)
    ]
    choices = (["draft"] if profile.is_draft else []) + numbers
    before = request.GET.get("from") or (numbers[1] if len(numbers) > 1 else None)
    after = request.GET.get("to") or (choices[0] if choices else None)
    comparison = None
    if before in choices and after in choices:
        wanted = {int(choice) for choice in (before, after) if choice != "draft"}
        documents = {
            str(number): document
            for number, document in profile.versions.filter(number__in=wanted).values_list(
                "number", "document"
            )
        }
        if "draft" in (before, after):
            documents["draft"] = profile_document(profile)
        comparison = diff_documents(documents[before], documents[after])
    elif request.GET.get("from") or request.GET.get("to"):
        raise Http404
    versions = profile.versions.select_related("published_by").defer("document").order_by("-number")
    return render(
        request,
        "profiles/versions.html",
        {
            "profile": profile,
            **paginate(request, versions, VERSIONS_PAGE_SIZE),
            "choices": choices,
            "before": before,
            "after": after,
            "comparison": comparison,
            "before_name": _side_name(before),
            "after_name": _side_name(after),
            "crumbs": crumbs((profile.title, reverse("profiles:detail", args=[slug]))),
        },
    )


def _side_name(choice):
    return "Current draft" if choice == "draft" else f"Version {choice}"


# The two sides of a comparison: the profile chosen (by slug) and the words
# searched for to choose it, each in the query string so that a page of
# links and plain GET forms works without JavaScript.
SIDES = (("a", "qa", "First profile", "first"), ("b", "qb", "Second profile", "second"))
# Matches a side lists: enough to choose from, and no menu of every profile.
MATCHES_SHOWN = 10


@login_required
def compare(request):
    """Two profiles side by side: what only one asks for, and where levels
    and depths differ. Each side is chosen by searching (as the list
    searches, so readers find only versions in force) and each is read as
    this person may read it: a slug they may not read is 404."""
    visible = RoleProfile.objects.visible_to(request.user)
    reader = not is_hr(request.user)
    chosen_slugs = {request.GET.get(key) for key, *_ in SIDES} - {None, ""}
    chosen = {
        profile.slug: profile
        for profile in visible.select_related("job_family", "published_version").filter(
            slug__in=chosen_slugs
        )
    }
    if chosen_slugs - chosen.keys():
        raise Http404
    sides = []
    for key, query_key, heading, ordinal in SIDES:
        profile = chosen.get(request.GET.get(key))
        words = request.GET.get(query_key, "")
        side = {
            "key": key,
            "query_key": query_key,
            "heading": heading,
            "ordinal": ordinal,
            "profile": profile and _choice(profile, reader),
            "words": words,
            # What this side's search form carries along: both choices and
            # the other side's search.
            "keep": [
                (name, request.GET[name])
                for name in ("a", "qa", "b", "qb")
                if name != query_key and request.GET.get(name)
            ],
            "matches": None,
            "more": False,
            "errors": [],
        }
        if words.strip():
            # The list's own search, over what this person may see.
            filters = ProfileFilter(
                {"q": words},
                queryset=visible.select_related("job_family"),
                request=request,
                search_only=True,
            )
            found = list(filters.results()[: MATCHES_SHOWN + 1])
            side["errors"] = filters.form.errors.get("q", [])
            side["more"] = len(found) > MATCHES_SHOWN
            side["matches"] = [
                {**_choice(match, reader), "choose": _choose_url(side, match.slug)}
                for match in found[:MATCHES_SHOWN]
            ]
        sides.append(side)
    context = {
        "sides": sides,
        "errors": [(side["query_key"], error) for side in sides for error in side["errors"]],
        "crumbs": crumbs(),
    }
    first, second = (side["profile"] for side in sides)
    if first and second:
        left = readable_document(request.user, chosen[first["slug"]])[0]
        right = readable_document(request.user, chosen[second["slug"]])[0]
        context.update(
            {"left": left, "right": right, "comparison": diff_documents(left, right, moves=False)}
        )
    return render(request, "profiles/compare.html", context)


def _choice(profile, reader):
    """What a side shows of a profile: readers what its version in force is
    called, HR the working copy's title."""
    if reader:
        return {
            "slug": profile.slug,
            "title": profile.published_title,
            "family": profile.published_family,
        }
    family = profile.job_family.name if profile.job_family_id else ""
    return {"slug": profile.slug, "title": profile.title, "family": family}


def _choose_url(side, slug):
    """The comparison with `slug` chosen on this side (its search done) and
    the other side as it is."""
    params = {**dict(side["keep"]), side["key"]: slug}
    query = [(name, params[name]) for name in ("a", "qa", "b", "qb") if name in params]
    return f"{reverse('profiles:compare')}?{urlencode(query)}"


@hr_required
def audit_trail(request, slug):
    """Who changed what and when: the profile's own records and those of its
    links, newest first, a page at a time from the database. Read-only;
    nothing here can be edited."""
    profile = visible_profile(request.user, slug)
    return render(
        request,
        "profiles/audit.html",
        {
            "profile": profile,
            **paginate(request, profile_trail(profile), AUDIT_PAGE_SIZE),
            "crumbs": crumbs((profile.title, reverse("profiles:detail", args=[slug]))),
        },
    )
