"""The working copy's fingerprint stored with its row, so that a list row
carries the ETag a GET of the profile gives (profiles/api/etags.py) without
building a document per row.

`RoleProfile.working_fingerprint` is documents.document_fingerprint() of
profile_document(profile), or '' when it is not known. Whatever changes what
the document is built from clears it, in the same transaction as the change:

- the working copy's own texts and links: every such write calls
  search.refresh_search_text(), whose UPDATE clears it;
- a catalogue text the document shows, saved in place (the admin): the
  signal handler below, for every model a document reads;
- a framework import, which rewrites skills, levels and their texts in
  bulk (no signals): forget_framework_users().

Writers that hold the document they have just written store its
fingerprint instead (an import, a publish). A read that finds it unknown
builds the document and stores it (known_fingerprints), under the row's
lock, so a change committed meanwhile is never overwritten by an older
fingerprint: a writer that cleared it first is waited for, and one that
clears it after does so after the store.
"""

from django.db import transaction
from django.db.models import F, Q
from django.db.models.signals import post_delete, post_save

from competency.models import AwardingBody, Category, Framework, Level, Skill, SkillLevel
from profiles.documents import document_fingerprint, profile_document
from profiles.models import JobFamily, ProfileQualification, ProfileSkill, RoleProfile
from profiles.search import shown_by
from profiles.sections import SECTIONS


def forget(profiles):
    """Clear the fingerprint of `profiles` (a queryset), in one UPDATE that
    leaves updated_at alone (what a profile shows changed, not the profile)."""
    profiles.exclude(working_fingerprint="").update(
        working_fingerprint="", updated_at=F("updated_at")
    )


def _users(sender, instance):
    """The condition on RoleProfile of the profiles whose document shows
    `instance`, a row of `sender`; None if documents never show it."""
    if sender is JobFamily:
        return Q(job_family=instance.pk)
    links = {
        Framework: (ProfileSkill, "skill__category__framework"),
        Category: (ProfileSkill, "skill__category"),
        Skill: (ProfileSkill, "skill"),
        Level: (ProfileSkill, "level"),
        AwardingBody: (ProfileQualification, "qualification__awarding_body"),
    }
    if sender is SkillLevel:
        uses = ProfileSkill.objects.filter(skill=instance.skill_id, level=instance.level_id)
        return Q(pk__in=uses.values("profile"))
    if sender in links:
        model, lookup = links[sender]
        return Q(pk__in=model.objects.filter(**{lookup: instance.pk}).values("profile"))
    for section in SECTIONS:
        if section.item_model is sender:
            uses = section.link_model.objects.filter(**{section.item_field: instance.pk})
            return Q(pk__in=uses.values("profile"))
    return None


def search_refreshes(sender, update_fields):
    """Whether search.catalogue_text_saved() rewrites the search texts of
    every profile showing a row of `sender` saved with these fields."""
    fields = {field for _, _, field in shown_by(sender)}
    return bool(fields) and (update_fields is None or bool(fields & set(update_fields)))


def document_source_changed(sender, instance, **kwargs):
    """A row a document shows was saved or deleted: the fingerprints of the
    profiles showing it are no longer known."""
    if kwargs.get("created"):
        return  # no profile shows it yet
    if kwargs.get("signal") is post_save and search_refreshes(sender, kwargs.get("update_fields")):
        return  # search.catalogue_text_saved's UPDATE clears them with the search texts
    condition = _users(sender, instance)
    if condition is not None:
        forget(RoleProfile.objects.filter(condition))


def document_source_models():
    """The models a profile's document reads besides the profile and its links."""
    sources = [JobFamily, Framework, Category, Skill, Level, SkillLevel, AwardingBody]
    return list(dict.fromkeys([*sources, *(section.item_model for section in SECTIONS)]))


def connect():
    for model in document_source_models():
        for signal in (post_save, post_delete):
            signal.connect(
                document_source_changed, sender=model, dispatch_uid=f"fingerprint-{model}"
            )


def forget_framework_users(names):
    """A framework import rewrote these frameworks (by name): the profiles
    that show one of their skills no longer know their fingerprint."""
    if names:
        uses = ProfileSkill.objects.filter(skill__category__framework__name__in=names)
        forget(RoleProfile.objects.filter(pk__in=uses.values("profile")))


def fingerprints_of(profiles):
    """{id: the working copy's fingerprint} of these profiles (rows with
    their job family), their documents built together: a fixed number of
    queries however many (one per section, and the skills' texts)."""
    profiles = list(profiles)
    ids = [profile.pk for profile in profiles]
    if not ids:
        return {}
    sections = {section.key: section.document_rows_of(ids) for section in SECTIONS}
    return {
        profile.pk: document_fingerprint(
            profile_document(
                profile, rows={key: rows[profile.pk] for key, rows in sections.items()}
            )
        )
        for profile in profiles
    }


def known_fingerprints(stored):
    """{pk: working copy's fingerprint} from `stored`, {pk: the stored
    `working_fingerprint`} of some profiles (a list's rows). Those not
    known (changed since they were last read) are built from their
    documents, all together, and stored: a fixed number of queries however
    many rows."""
    known = dict(stored)
    unknown = [pk for pk, fingerprint in known.items() if not fingerprint]
    if not unknown:
        return known
    with transaction.atomic():
        # Rows a writer holds are skipped: their fingerprint is built
        # below without being stored, as their writer will clear it.
        locked = list(
            RoleProfile.objects.select_for_update(of=("self",), skip_locked=True)
            .select_related("job_family")
            .filter(pk__in=unknown, working_fingerprint="")
            .order_by("pk")
        )
        built = fingerprints_of(locked)
        for profile in locked:
            profile.working_fingerprint = known[profile.pk] = built[profile.pk]
        # updated_at written back as it was read under the lock (the
        # queryset's update() would move it): what changed was what is known.
        RoleProfile.objects.bulk_update(locked, ["working_fingerprint", "updated_at"])
    rest = [pk for pk in unknown if not known[pk]]
    if rest:
        known.update(
            fingerprints_of(RoleProfile.objects.select_related("job_family").filter(pk__in=rest))
        )
    return known
