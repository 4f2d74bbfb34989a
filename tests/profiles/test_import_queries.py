"""What an import costs in queries: the same for a profile of 5 items as
for one of 50, and a fixed number per further profile in a batch; and the
audit trail of what a re-import removes, moves and adds."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext
from simple_history.models import HistoricalRecords

from profiles.documents import ProfileInput
from profiles.importing.batch import import_profiles
from profiles.models import ProfileKnowledge, ProfileSkill, ProfileWorkActivity, RoleProfile
from tests.cast import DDAT_LEVELS

pytestmark = pytest.mark.django_db


def document(slug, items, *, first=0):
    """A role-profile/1 document listing `items` items in each section,
    numbered from `first` (items of the same number are the same item)."""
    numbers = range(first, first + items)
    return {
        "schema": "role-profile/1",
        "title": f"Profile {slug}",
        "slug": slug,
        "job_family": "Engineering",
        "role_level": None,
        "variant": None,
        "version": None,
        "summary": "What the role does.",
        "responsibilities": ["Doing it."],
        "background": [],
        "prior_knowledge": [],
        "work_activities": [{"title": f"Activity {n}", "details": f"Does {n}."} for n in numbers],
        "knowledge_skills": [
            {
                "title": f"Knowledge {n}",
                "depth": "expert",
                "details": f"Knows {n}.",
                "type": "technical",
            }
            for n in numbers
        ],
        "training": [{"title": f"Course {n}", "details": f"Learns {n}."} for n in numbers],
        "pdas": [{"title": f"PDA {n}", "details": f"Grows {n}."} for n in numbers],
        "qualifications": [
            {"title": f"Certificate {n}", "awarding_body": f"Body {n % 3}"} for n in numbers
        ],
        "organisation_skills": [
            {
                "framework": "DDaT",
                "category": f"Family {n % 4}",
                "skill": f"Skill {n}",
                "description": f"What skill {n} is.",
                "level": n % 4 + 1,
                "level_name": DDAT_LEVELS[n % 4],
                "level_description": f"Skill {n} at level {n % 4 + 1}.",
            }
            for n in numbers
        ],
        "source": None,
    }


def queries(*documents, **options):
    sources = [ProfileInput(f"{doc['slug']}.json", doc, "json") for doc in documents]
    with CaptureQueriesContext(connection) as captured:
        import_profiles(sources, **options)
    return len(captured)


@pytest.mark.parametrize("publish", [False, True])
def test_a_new_profile_costs_the_same_queries_with_5_or_50_items(ddat, publish):
    # The job family, awarding bodies and skill categories exist; every
    # item is new.
    queries(document("warm-up", 4, first=10_000))
    small = queries(document("small", 5), publish=publish)
    large = queries(document("large", 50, first=100), publish=publish)
    assert small == large
    assert RoleProfile.objects.get(slug="large").skill_links.count() == 50


def test_a_new_profile_whose_items_all_exist_costs_the_same_with_5_or_50(ddat):
    queries(document("first", 50))
    small = queries(document("small", 5))
    large = queries(document("large", 50))
    assert small == large


def test_a_reimport_costs_the_same_queries_with_5_or_50_items_changed(ddat):
    counts = []
    for size in (5, 50):
        slug = f"profile-{size}"
        queries(document(slug, size * 2, first=1000 * size))
        # Half the items go, the rest move up, and as many new ones come.
        counts.append(queries(document(slug, size * 2, first=1000 * size + size)))
    assert counts[0] == counts[1]


@pytest.mark.parametrize("publish", [False, True])
def test_each_further_profile_in_a_batch_costs_a_fixed_number_of_queries(ddat, publish):
    queries(document("catalogue", 20))  # the items exist already
    one = queries(document("one-0", 20), publish=publish)
    two = queries(*(document(f"two-{n}", 20) for n in range(2)), publish=publish)
    ten = queries(*(document(f"ten-{n}", 20) for n in range(10)), publish=publish)
    assert ten - one == 9 * (two - one)
    # Its row: a new profile's audit record, its links (and their
    # records), its words and its first version are written with the whole
    # batch's.
    assert two - one == 1
    assert RoleProfile.objects.filter(slug__startswith="ten-").count() == 10
    assert all(
        profile.knowledge_links.count() == 20
        for profile in RoleProfile.objects.filter(slug__startswith="ten-")
    )


def test_the_query_counts_of_one_import(ddat):
    """Pinned, so that a change that adds queries is seen: a new profile
    whose items are all new, its re-import with half of them changed, and
    the same file again (which changes nothing)."""
    queries(document("warm-up", 4, first=10_000))
    counts = [
        queries(document("pinned", 20)),
        queries(document("pinned", 20, first=10)),
        queries(document("pinned", 20, first=10)),
    ]
    assert counts == [NEW + WORDS, CHANGED + WORDS, UNCHANGED]


def test_the_query_counts_of_one_import_that_publishes(ddat):
    """Publishing adds the version and the profile's update (and, for a
    profile that had one, the read of its latest version, and the audit
    record of its becoming a draft again), and the read of the webhooks
    subscribed to its publication: what was written is not read back."""
    queries(document("warm-up", 4, first=10_000))
    counts = [
        queries(document("pinned", 20), publish=True),
        queries(document("pinned", 20, first=10), publish=True),
        queries(document("pinned", 20, first=10), publish=True),
    ]
    assert counts == [NEW + WORDS + 4, CHANGED + WORDS + 6, UNCHANGED]


# The text HR search by is saved with the profile's row; on PostgreSQL one
# more statement adds its words to those "Did you mean …?" draws on. A
# re-import that changes only items writes no audit record of the
# profile's own row (it would name no field).
NEW, CHANGED, UNCHANGED = 45, 79, 11
WORDS = 1 if connection.vendor == "postgresql" else 0


def test_a_reimport_records_each_removed_moved_and_added_link_under_its_author(ddat, as_user):
    queries(document("audited", 4))
    profile = RoleProfile.objects.get(slug="audited")
    kept = list(profile.work_activity_links.order_by("position"))[2:]
    queries(document("audited", 4, first=2))  # 0 and 1 go, 2 and 3 move up, 4 and 5 come

    history = ProfileWorkActivity.history.filter(profile_id=profile.pk)
    removed = history.filter(history_type="-")
    assert sorted(record.activity.title for record in removed) == ["Activity 0", "Activity 1"]
    moved = history.filter(history_type="~")
    assert {(record.id, record.position) for record in moved} == {
        (kept[0].pk, 0),
        (kept[1].pk, 1),
    }
    added = history.filter(history_type="+", activity__title__in=["Activity 4", "Activity 5"])
    assert added.count() == 2
    assert {record.history_user for record in history} == {as_user}
    assert [link.activity.title for link in profile.work_activity_links.order_by("position")] == [
        "Activity 2",
        "Activity 3",
        "Activity 4",
        "Activity 5",
    ]
    # Every record of this import, links and catalogue items, names its author.
    for model in (ProfileKnowledge, ProfileSkill):
        assert set(model.history.values_list("history_user", flat=True)) == {as_user.pk}


def test_a_changed_depth_or_level_is_a_change_of_the_link(ddat):
    doc = document("depths", 3)
    queries(doc)
    profile = RoleProfile.objects.get(slug="depths")
    before = set(profile.knowledge_links.values_list("pk", flat=True))
    doc["knowledge_skills"][1]["depth"] = "aware"
    doc["organisation_skills"][2] |= {"level": 4, "level_name": DDAT_LEVELS[3]}
    queries(doc)
    assert set(profile.knowledge_links.values_list("pk", flat=True)) == before
    assert profile.knowledge_links.get(position=1).depth == "aware"
    assert profile.skill_links.get(position=2).level.rank == 4
    assert ProfileKnowledge.history.filter(history_type="~").count() == 1
    assert ProfileKnowledge.history.filter(history_type="-").count() == 0


def test_no_request_no_author(ddat):
    HistoricalRecords.context.request = type("Request", (), {"user": AnonymousUser()})()
    try:
        queries(document("anonymous", 2))
    finally:
        del HistoricalRecords.context.request
    assert set(ProfileWorkActivity.history.values_list("history_user", flat=True)) == {None}
