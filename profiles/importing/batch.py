"""Import a batch of checked role-profile/1 documents as drafts (and, when
asked, publish them), all or nothing.

What the person confirmed (each profile's fingerprint when they saw the
preview) is compared under the row lock before anything is written.
"""

from django.db import IntegrityError, transaction

from competency.history import bulk_create, record_created
from competency.integrity import UNIQUE, Clash, described, kind, once_more
from profiles import lifecycle
from profiles.documents import (
    ChangedSinceConfirmed,
    ProfileImportError,
    ProfileInput,
    document_fingerprint,
    profile_document,
)
from profiles.importing.checks import check_duplicates, check_lengths, cut_off_texts
from profiles.models import RoleProfile
from profiles.search import add_known_words
from profiles.sections import SECTIONS
from profiles.writing.catalogue import Catalogue
from profiles.writing.content import (
    ImportResult,
    Policy,
    frameworks_named,
    normalised,
    resolve_levels,
    write_content,
)

CHANGED_MESSAGE = (
    "Nothing was imported: the profile changed after you checked the file. "
    "Upload it again to see what the import would do now."
)


def import_profiles(
    inputs,
    *,
    publish=False,
    user=None,
    confirmed=None,
    update_shared_texts=False,
    confirmed_shared=None,
):
    """Write checked documents as drafts, all or nothing.

    `confirmed` maps a slug to the fingerprint the person previewed ('' for
    a profile that did not exist): a profile that changed since is refused
    with ChangedSinceConfirmed, and nothing is written. A skill text that
    other profiles show changes only with `update_shared_texts`, and, with
    `confirmed_shared` (slug to shared_fingerprint() of the preview's
    list), only from the text the person saw.

    Every file is checked before anything is written; then the profiles'
    rows are locked and the catalogue items the whole batch names are looked
    up together, so the queries do not grow with the number of items."""
    inputs = list(inputs)
    # A unique key another import took meanwhile makes a Clash: the batch
    # is rolled back and run once more (competency/integrity.py).
    return once_more(
        lambda: _import_batch(
            inputs,
            publish=publish,
            user=user,
            confirmed=confirmed,
            update_shared_texts=update_shared_texts,
            confirmed_shared=confirmed_shared,
        )
    )


def refused(error, refusal):
    """What to raise for the database's refusal `error` of an import's
    write: a Clash (perhaps a race) for a unique key, else `refusal`, the
    input's fault."""
    return Clash(error, refusal) if kind(error) == UNIQUE else refusal


def _import_batch(inputs, *, publish, user, confirmed, update_shared_texts, confirmed_shared):
    with transaction.atomic():
        docs = [normalised(source.document) for source in inputs]
        for source, doc in zip(inputs, docs, strict=True):
            check_lengths(source, doc)
            check_duplicates(source, doc)
        frameworks = frameworks_named(docs)
        levels = [
            resolve_levels(source, doc, frameworks)
            for source, doc in zip(inputs, docs, strict=True)
        ]
        locked = _lock_profiles({doc["slug"] for doc in docs})
        catalogue = Catalogue(docs, levels)
        later = Later(user, confirmed=confirmed is not None)
        policy = Policy(publish=publish, update_shared=update_shared_texts)
        results = [
            _import_one(
                source,
                doc,
                doc_levels,
                catalogue,
                locked,
                later,
                policy=policy,
                user=user,
                confirmed=(confirmed or {}).get(doc["slug"]),
                confirmed_shared=(confirmed_shared or {}).get(doc["slug"]),
            )
            for source, doc, doc_levels in zip(inputs, docs, levels, strict=True)
        ]
        later.write()
        return results


class Later:
    """What a batch's new profiles write once for the whole batch, at its
    end: their links (one INSERT per section and one of their history,
    whatever the number of profiles), the profiles' own audit records (one
    INSERT), their words for "Did you mean" (one INSERT) and, when the
    batch publishes, their first versions (lifecycle.publish_created: three
    queries). Nothing reads a new profile's links, records or versions
    before the batch ends, except a later file of the batch with the same
    slug, which writes what is pending first (`write()`)."""

    def __init__(self, user=None, *, confirmed=False):
        self.user, self.confirmed = user, confirmed
        self.items, self.links, self.texts, self.published, self.created = {}, {}, [], [], []

    def add_items(self, model, items):
        """New catalogue items the batch's new profiles name: their links
        hold the instances, which have their ids once written."""
        self.items.setdefault(model, []).extend(items)

    def add_links(self, model, rows):
        self.links.setdefault(model, []).extend(rows)

    def publish(self, result, *, checked):
        """Publish the profile a result created, as written (its document):
        `checked` when that is the file's own document, which was checked
        against the schema when it was read."""
        self.published.append((result, checked))

    def write(self):
        try:
            # In one order (the sections', as a single import writes them, then
            # by key), so two imports never wait on each other crosswise.
            kinds = [section.item_model for section in SECTIONS]
            for model in sorted(self.items, key=kinds.index):
                bulk_create(model, sorted(self.items[model], key=lambda item: item.key))
        except IntegrityError as exc:
            # Another import created one of the same items after we looked
            # (its transaction held ours on the unique key until it
            # committed): import_profiles() runs once more and finds it. A
            # refusal that is not a clash, or a clash again, is the files'.
            raise refused(
                exc,
                ProfileImportError(f"the database refused the catalogue items: {described(exc)}"),
            ) from exc
        for model, rows in self.links.items():
            bulk_create(model, rows)
        record_created(RoleProfile, self.created)
        if self.published:
            versions = lifecycle.publish_created(
                [(result.profile, result.document, checked) for result, checked in self.published],
                user=self.user,
            )
            for (result, _), version in zip(self.published, versions, strict=True):
                result.version = version
        # Profiles share most lines (the catalogue's texts): each is split
        # into words once.
        lines = dict.fromkeys(line for text in self.texts for line in text.split("\n"))
        add_known_words("\n".join(lines))
        self.items, self.links, self.texts, self.published, self.created = {}, {}, [], [], []


def _lock_profiles(slugs):
    """The existing profiles of these slugs, their rows locked (in one
    order, so two batches never wait on each other crosswise)."""
    rows = (
        RoleProfile.objects.select_for_update(of=("self",))
        .select_related("job_family")
        .filter(slug__in=slugs)
        .order_by("pk")
    )
    return {profile.slug: profile for profile in rows}


def shared_fingerprint(shared):
    """A fingerprint of the shared texts an import would change: which, from
    what and to what."""
    rows = [[text.skill, text.what, text.current, text.new] for text in shared]
    return document_fingerprint(rows)


def _import_one(
    source: ProfileInput,
    doc,
    levels,
    catalogue,
    locked,
    later,
    *,
    policy,
    user=None,
    confirmed=None,
    confirmed_shared=None,
) -> ImportResult:
    """Create or update the draft of the profile with the document's slug
    (its row locked in `locked`, if it exists). Framework texts that other
    profiles show keep their current wording unless `policy.update_shared`;
    the result lists them either way."""
    profile = locked.get(doc["slug"])
    if profile is not None:
        later.write()  # an earlier file of the batch may have made it
    current = profile_document(profile) if profile is not None else None
    if confirmed is not None and document_fingerprint(current) != confirmed:
        raise ChangedSinceConfirmed(CHANGED_MESSAGE)
    if current is not None:
        family = doc["job_family"] or current["job_family"]
        if current == {**doc, "job_family": family, "version": None}:
            # Same content: leave the profile as it is, so importing twice
            # changes nothing (and publishes no empty version).
            result = ImportResult(
                profile=profile,
                action="unchanged",
                warnings=cut_off_texts(source, doc),
                document=current,
            )
            if policy.publish and profile.is_draft:
                result.version = _publish(profile, doc, current, user=user)
            return result

    result = ImportResult(
        profile=profile,
        action="updated" if profile else "created",
        warnings=cut_off_texts(source, doc),
    )
    if profile is None:
        profile = RoleProfile(slug=doc["slug"])
    result.profile = profile
    # No savepoint: any error here ends the whole batch's transaction.
    try:
        result.document = write_content(
            profile,
            doc,
            levels,
            result,
            catalogue=catalogue,
            current=current,
            policy=policy,
            later=later,
        )
    except IntegrityError as exc:
        # Another import created the same slug (or catalogue item) after we
        # looked: import_profiles() runs once more, which finds it (and,
        # if the person confirmed a preview, sees that it changed).
        raise refused(
            exc, source.error("$", f"the database refused this profile: {described(exc)}")
        ) from exc
    # The shared texts were read under their rows' locks: changing them
    # from anything but what the person saw would overwrite a colleague's
    # edition unseen.
    if confirmed_shared is not None and shared_fingerprint(result.shared) != confirmed_shared:
        raise ChangedSinceConfirmed(CHANGED_MESSAGE)
    # A later file of the batch with the same slug updates this one.
    locked[doc["slug"]] = profile
    if policy.publish and current is None:
        later.publish(result, checked=result.document == {**doc, "version": None})
    elif policy.publish:
        result.version = _publish(profile, doc, result.document, user=user)
    return result


def _publish(profile, doc, written, *, user):
    """Publish what the import wrote to a profile that existed (`written`,
    its document now) unless its latest version says the same; returns the
    version or None. (A profile the batch created is published by Later.)

    `doc` is the file's document, which read_profile checked against the
    schema (a ProfileInput holds a checked document): when the profile
    says exactly that, it is not checked a second time."""
    return lifecycle.publish_written(
        profile=profile,
        document=written,
        latest=profile.latest_version(),
        checked=written == {**doc, "version": None},
        user=user,
    )
