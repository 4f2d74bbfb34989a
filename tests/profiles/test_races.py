"""Two HR officers at once, with real threads and PostgreSQL's row locks.

Every confirm-then-write path compares what the person confirmed inside
the transaction and lock of its write: exactly one of several people wins,
the others are told what happened, and nothing is half-written. SQLite
lets one writer in at a time, so the races only mean something here on
PostgreSQL."""

import threading
from contextlib import contextmanager

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections, transaction

from competency.models import Skill, WorkActivity
from competency.tables import FileImportError
from profiles import drafts, lifecycle
from profiles.documents import (
    ChangedSinceConfirmed,
    ProfileInput,
    document_fingerprint,
    profile_document,
)
from profiles.importing.batch import import_profiles
from profiles.importing.framework_import import PREVIEW_LINE, import_framework
from profiles.importing.parsing import read_profile
from profiles.importing.preview import preview_imports
from profiles.models import ProfileVersion, RoleProfile
from profiles.sections import BY_SLUG
from tests.paths import DATA, SKILLS
from tests.profiles.helpers import run
from tests.threads import in_threads, wait_until_someone_waits_for_a_lock

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row-lock races need PostgreSQL"),
]

LEAD = DATA / "lead-data-engineer-technical.txt"


@contextmanager
def holding_the_row(profile):
    """A colleague's transaction that holds the profile's row lock until the
    block ends, then commits."""
    with transaction.atomic():
        yield lifecycle.lock(profile)


@pytest.fixture
def lead(ddat):
    run("import_profile", str(LEAD), "--publish")
    profile = RoleProfile.objects.get(slug="lead-data-engineer-technical")
    lifecycle.start_draft(profile=profile)
    values = drafts.field_values(profile)
    drafts.update_profile(profile=profile, values={**values, "variant": "Platform"}, base=values)
    return profile


def test_an_edit_saved_while_the_publisher_confirms_is_never_published_unread(lead):
    confirmed = document_fingerprint(profile_document(lead))
    outcome = {}

    def publish():
        try:
            outcome["version"] = lifecycle.publish_profile(profile=lead, confirmed=confirmed)
        except ValidationError as error:
            outcome["error"] = error
        finally:
            connections.close_all()

    # The colleague holds the row and changes the summary; the publisher
    # confirms meanwhile and must wait for the lock, then see the change.
    publisher = threading.Thread(target=publish)
    with holding_the_row(lead):
        values = drafts.field_values(lead)
        drafts.update_profile(
            profile=lead, values={**values, "summary": "Nobody confirmed this."}, base=values
        )
        publisher.start()
        wait_until_someone_waits_for_a_lock()
    publisher.join(timeout=60)

    assert isinstance(outcome.get("error"), ChangedSinceConfirmed)
    assert "changed while you were reading this page" in outcome["error"].messages[0]
    assert ProfileVersion.objects.filter(profile=lead).count() == 1  # only version 1
    lead.refresh_from_db()
    assert lead.is_draft and lead.summary == "Nobody confirmed this."


@pytest.mark.parametrize("round_", range(5))
def test_publishing_against_an_edit_lets_exactly_one_of_them_through(lead, round_):
    confirmed = document_fingerprint(profile_document(lead))
    values = drafts.field_values(lead)

    def edit():
        return drafts.update_profile(
            profile=lead, values={**values, "summary": "Typed meanwhile."}, base=values
        )

    published, edited = in_threads(
        lambda: lifecycle.publish_profile(profile=lead, confirmed=confirmed), edit
    )
    won = [not isinstance(outcome, Exception) for outcome in (published, edited)]
    assert won.count(True) == 1, (published, edited)
    version = ProfileVersion.objects.filter(profile=lead).order_by("-number").first()
    if won[0]:
        # The publisher won: the version says what was confirmed, and the
        # edit was refused because the profile is no longer a draft.
        assert document_fingerprint({**version.document, "version": None}) == confirmed
        assert "start a new draft" in edited.messages[0]
    else:
        assert isinstance(published, ChangedSinceConfirmed)
        assert version.number == 1


def page_with_summary(summary):
    text = LEAD.read_text(encoding="utf-8")
    lines = text.splitlines()
    at = lines.index("Summary") + 2
    lines[at] = summary
    return read_profile("\n".join(lines).encode(), f"{summary}.txt")


def test_four_officers_confirming_imports_of_one_profile_give_one_update(lead):
    sources = [page_with_summary(f"Summary from officer {n}.") for n in range(4)]
    previewed = preview_imports(sources[:1])[0].fingerprint  # all four saw the same profile
    outcomes = in_threads(
        *(
            lambda source=source: import_profiles([source], confirmed={lead.slug: previewed})[0]
            for source in sources
        )
    )
    winners = [outcome for outcome in outcomes if not isinstance(outcome, Exception)]
    losers = [outcome for outcome in outcomes if isinstance(outcome, Exception)]
    assert len(winners) == 1 and winners[0].action == "updated"
    assert len(losers) == 3
    assert all(isinstance(loser, ChangedSinceConfirmed) for loser in losers)
    assert all(
        "the profile changed after you checked the file" in loser.messages[0] for loser in losers
    )
    lead.refresh_from_db()
    assert lead.summary == winners[0].profile.summary
    # Whole: the winner's links, each once, none from a loser's half-write.
    assert lead.work_activity_links.count() == len(sources[0].document["work_activities"])


def test_two_officers_importing_one_new_profile_create_it_once(ddat):
    sources = [page_with_summary(f"New profile, version {n}.") for n in range(2)]
    outcomes = in_threads(
        *(
            lambda source=source: import_profiles(
                [source], confirmed={"lead-data-engineer-technical": ""}
            )[0]
            for source in sources
        )
    )
    winners = [outcome for outcome in outcomes if not isinstance(outcome, Exception)]
    assert len(winners) == 1 and winners[0].action == "created"
    assert isinstance(next(o for o in outcomes if isinstance(o, Exception)), ChangedSinceConfirmed)
    assert RoleProfile.objects.count() == 1


def test_two_new_profiles_adding_one_new_item_at_once_write_it_once(ddat):
    # Different profiles (no row lock between them), each naming the same
    # new work activity: the item is unique by its text, so one import
    # writes it; the other, refused on the key, runs again and uses it.
    def source(slug):
        text = LEAD.read_text(encoding="utf-8").replace(
            "Lead Data Engineer – Technical", f"Lead Data Engineer – {slug}"
        )
        document = read_profile(text.encode(), f"{slug}.txt").document
        document["work_activities"].append({"title": "Brand new activity", "details": "Shared."})
        return ProfileInput(f"{slug}.json", document, "json")

    outcomes = in_threads(
        *(lambda slug=slug: import_profiles([source(slug)]) for slug in ("first", "second"))
    )
    assert not [outcome for outcome in outcomes if isinstance(outcome, Exception)]
    assert RoleProfile.objects.count() == 2
    assert WorkActivity.objects.filter(title="Brand new activity").count() == 1


def skills_table(description):
    """The skills table with one skill described anew (on each of its rows)."""
    text = SKILLS.read_text(encoding="utf-8")
    old = "Planning and running releases so that users are not surprised."
    assert old in text
    return text.replace(old, description).encode()


def test_two_officers_confirming_framework_imports_give_one_import(db):
    import_framework(SKILLS.read_bytes(), "skills.csv", format="skills")
    files = [skills_table(f"Described by officer {n}") for n in range(2)]
    previews = [
        import_framework(data, "skills.csv", format="skills", preview=True) for data in files
    ]
    # Both saw the same catalogue, and each would change one description.
    assert previews[0].fingerprint == previews[1].fingerprint
    assert previews[0].lines == previews[1].lines and previews[0].lines[-1] == PREVIEW_LINE
    outcomes = in_threads(
        *(
            lambda data=data, preview=preview: import_framework(
                data, "skills.csv", format="skills", confirmed=preview.fingerprint
            )
            for data, preview in zip(files, previews, strict=True)
        )
    )
    winners = [outcome for outcome in outcomes if not isinstance(outcome, Exception)]
    losers = [outcome for outcome in outcomes if isinstance(outcome, Exception)]
    assert len(winners) == 1
    assert len(losers) == 1 and isinstance(losers[0], FileImportError)
    assert "changed after you checked the file" in losers[0].message
    descriptions = set(Skill.objects.values_list("description", flat=True))
    assert len({d for d in descriptions if d.startswith("Described by officer")}) == 1


def test_two_officers_changing_one_depth_from_what_they_saw(lead):
    section = BY_SLUG["knowledge"]
    link = lead.knowledge_links.exclude(depth="").first()
    seen = link.depth
    wanted = [depth for depth in ("expert", "aware", "familiar") if depth != seen][:2]
    outcomes = in_threads(
        *(
            lambda depth=depth: drafts.change_item(
                profile=lead, section=section, link_id=link.pk, depth=depth, seen=seen
            )
            for depth in wanted
        )
    )
    errors = [outcome for outcome in outcomes if isinstance(outcome, Exception)]
    assert (
        len(errors) == 1
        and "while you were looking; nothing was overwritten" in (errors[0].messages[0])
    )
    link.refresh_from_db()
    assert link.depth == wanted[outcomes.index(next(o for o in outcomes if o not in errors))]
