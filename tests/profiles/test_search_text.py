"""The working copy's search text (what HR search) follows every change to
a working copy's content: after each path that writes one, the stored text
is documents.search_text() of the profile's document."""

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.urls import reverse

from competency.models import Category, Depth, Skill, SkillLevel, WorkActivity
from profiles import drafts, lifecycle
from profiles.documents import document_fingerprint, profile_document, search_text
from profiles.importing.batch import import_profiles
from profiles.importing.parsing import read_profile
from profiles.models import RoleProfile
from profiles.search import refresh_search_text
from profiles.sections import BY_KEY
from tests import factories
from tests.paths import DATA, ROOT
from tests.profiles.helpers import run

pytestmark = pytest.mark.django_db

LEAD_DATA = DATA / "lead-data-engineer-technical.txt"


def assert_in_step(*profiles):
    for profile in profiles:
        stored = RoleProfile.objects.get(pk=profile.pk)
        expected = search_text(profile_document(stored))
        assert stored.search_text == expected, stored.slug
        assert expected
        # The stored fingerprint (a list row's ETag) is the document's or
        # not known, never an old one.
        assert stored.working_fingerprint in ("", document_fingerprint(profile_document(stored)))
        assert_vectors_in_step(stored)


# What each search vector is made of (migration 0018's trigger keeps them).
VECTORS = {
    "search_vector": ("title", "summary", "search_text"),
    "search_rank_vector": ("title", "summary", None),
    "published_vector": ("published_title", "published_summary", "published_text"),
    "published_rank_vector": ("published_title", "published_summary", None),
}


def assert_vectors_in_step(profile):
    """On PostgreSQL, each stored vector is what its texts make now."""
    if connection.vendor != "postgresql":
        return
    for column, (title, summary, text) in VECTORS.items():
        made = (
            f"setweight(to_tsvector('english', {title}), 'A') || "
            f"setweight(to_tsvector('english', {summary}), 'B')"
        )
        if text:
            made += f" || to_tsvector('english', {text})"
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {column} IS NOT DISTINCT FROM ({made}), {column} IS NOT NULL "
                "FROM profiles_roleprofile WHERE id = %s",
                [profile.pk],
            )
            assert cursor.fetchone() == (True, True), (profile.slug, column)


@pytest.fixture
def lead(ddat):
    run("import_profile", str(LEAD_DATA), "--publish")
    return RoleProfile.objects.get(slug="lead-data-engineer-technical")


@pytest.fixture
def opened(lead):
    lifecycle.start_draft(profile=lead)
    return RoleProfile.objects.get(pk=lead.pk)


def link_ids(profile, key):
    return list(BY_KEY[key].ordered_links(profile).values_list("pk", flat=True))


def test_an_import_writes_it_for_a_new_and_a_changed_profile(lead):
    assert_in_step(lead)
    text = LEAD_DATA.read_text(encoding="utf-8").replace("data pipelines", "provenance pipelines")
    import_profiles([read_profile(text.encode(), "changed.txt")])
    assert_in_step(lead)
    assert "provenance" in RoleProfile.objects.get(pk=lead.pk).search_text


def test_the_sql_gives_the_same_text_as_the_document_to_the_character(lead):
    RoleProfile.objects.filter(pk=lead.pk).update(search_text="")
    refresh_search_text(RoleProfile.objects.filter(pk=lead.pk))
    assert_in_step(lead)
    stored = RoleProfile.objects.get(pk=lead.pk).search_text
    # Its own texts, then each section's items in order.
    assert stored.startswith("Lead Data Engineer – Technical\n")


def test_creating_and_editing_the_texts(db):
    profile = drafts.create_profile(title="Payroll Officer", slug="payroll-officer")
    assert_in_step(profile)
    values = drafts.field_values(profile)
    drafts.update_profile(
        profile=profile,
        values={
            **values,
            "summary": "Pays people.",
            "responsibilities": ["run the payroll", "answer questions"],
            "background": ["Ten years."],
            "prior_knowledge": ["Tax codes"],
        },
        base=values,
    )
    assert_in_step(profile)


def test_adding_changing_moving_correcting_and_removing_items(opened):
    section = BY_KEY["knowledge_skills"]
    drafts.add_new_item(
        profile=opened,
        section=section,
        title="Quantum sorting",
        details="Sorts qubits.",
        item_type="technical",
    )
    assert_in_step(opened)
    assert "Quantum sorting\nSorts qubits." in RoleProfile.objects.get(pk=opened.pk).search_text
    drafts.add_item(profile=opened, section=section, item=factories.KnowledgeItemFactory())
    assert_in_step(opened)
    first, second, *_ = link_ids(opened, "knowledge_skills")
    drafts.change_item(profile=opened, section=section, link_id=first, depth=Depth.EXPERT)
    assert_in_step(opened)
    drafts.move_item(profile=opened, section=section, link_id=first, offset=1)
    assert_in_step(opened)
    drafts.move_item_to(profile=opened, section=section, link_id=second, to=5)
    assert_in_step(opened)
    link = section.links(opened).get(pk=first)
    drafts.correct_item(
        profile=opened,
        section=section,
        link_id=first,
        seen=link.item_id,
        title="Corrected title",
        details="Corrected details.",
        item_type=link.item.kind,
    )
    assert_in_step(opened)
    drafts.remove_item(profile=opened, section=section, link_id=second)
    assert_in_step(opened)


def test_one_press_of_the_edit_form(opened):
    section = BY_KEY["work_activities"]
    values = drafts.field_values(opened)
    drafts.save_draft(
        profile=opened,
        values={**values, "title": "Lead Data Engineer – Platform"},
        base=values,
        action=drafts.ItemAction("remove", section, link_ids(opened, "work_activities")[0]),
    )
    assert_in_step(opened)


def test_restoring_a_version_and_discarding_a_draft(opened):
    values = drafts.field_values(opened)
    drafts.update_profile(profile=opened, values={**values, "summary": "Changed."}, base=values)
    lifecycle.discard_draft(profile=opened)
    assert_in_step(opened)
    assert "Changed." not in RoleProfile.objects.get(pk=opened.pk).search_text
    lifecycle.start_draft(profile=opened)
    values = drafts.field_values(RoleProfile.objects.get(pk=opened.pk))
    drafts.update_profile(profile=opened, values={**values, "summary": "Version two."}, base=values)
    lifecycle.publish_profile(profile=opened)
    assert_in_step(opened)
    lifecycle.start_draft(profile=opened, version=opened.versions.get(number=1))
    assert_in_step(opened)
    assert "Version two." not in RoleProfile.objects.get(pk=opened.pk).search_text


def matches(column, profile, word):
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {column} @@ to_tsquery('english', %s) FROM profiles_roleprofile WHERE id = %s",
            [word, profile.pk],
        )
        return cursor.fetchone()[0]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's search vectors")
def test_readers_vectors_follow_the_version_in_force_and_hrs_the_draft(opened):
    values = drafts.field_values(opened)
    drafts.update_profile(profile=opened, values={**values, "summary": "Zeppelins."}, base=values)
    assert_in_step(opened)
    assert matches("search_vector", opened, "zeppelin")
    assert not matches("published_vector", opened, "zeppelin")
    assert not matches("published_rank_vector", opened, "zeppelin")
    lifecycle.publish_profile(profile=opened)
    assert_in_step(opened)
    assert matches("published_vector", opened, "zeppelin")
    assert matches("published_rank_vector", opened, "zeppelin")
    lifecycle.archive_profile(profile=RoleProfile.objects.get(pk=opened.pk))
    assert_in_step(opened)
    assert not matches("published_vector", opened, "zeppelin")
    assert matches("search_vector", opened, "zeppelin")


def test_updating_a_shared_skill_text_everywhere_keeps_every_profile_in_step(lead, tmp_path):
    other = LEAD_DATA.read_text(encoding="utf-8").replace(
        "Lead Data Engineer – Technical", "Principal Data Engineer"
    )
    import_profiles([read_profile(other.encode(), "principal.txt")])
    changed = other.replace("You can describe data so that", "You can describe any data so that")
    import_profiles([read_profile(changed.encode(), "principal.txt")], update_shared_texts=True)
    assert_in_step(lead, RoleProfile.objects.get(slug="principal-data-engineer"))


def test_the_ddat_role_table_writes_it_for_every_profile_it_makes(db):
    table = ROOT / "tests" / "frameworks" / "data" / "ddat-roles.csv"
    run("import_framework", str(table), "--format=ddat-roles")
    profiles = list(RoleProfile.objects.all())
    assert profiles
    assert_in_step(*profiles)


def test_a_catalogue_text_renamed_in_place_changes_every_profile_that_shows_it(
    lead, django_assert_num_queries
):
    others = [factories.RoleProfileFactory() for _ in range(30)]
    activity = lead.work_activity_links.first().activity
    skill = lead.skill_links.first().skill
    for profile in others:
        factories.ProfileWorkActivityFactory(profile=profile, activity=activity)
        factories.ProfileSkillFactory(
            profile=profile, skill=skill, level=lead.skill_links.first().level
        )
    activity = WorkActivity.objects.get(pk=activity.pk)
    activity.title = "Renamed activity"
    # The item and its history, then every profile's text in one statement.
    with django_assert_num_queries(3):
        activity.save()
    skill.name = "Renamed skill"
    skill.save()
    category = Category.objects.get(pk=skill.category_id)
    category.name = "Renamed category"
    category.save()
    qualification = lead.qualification_links.first().qualification
    body = qualification.awarding_body
    body.name = "Renamed body"
    body.save()
    assert_in_step(lead, *others)
    text = RoleProfile.objects.get(pk=lead.pk).search_text
    for name in ("Renamed activity", "Renamed skill", "Renamed category", "Renamed body"):
        assert name in text


def test_a_description_saved_alone_rewrites_no_search_text(lead, django_assert_num_queries):
    skill = Skill.objects.filter(uses__profile=lead).first()
    skill.description = "A new description."
    # The skill and its history, and the fingerprints of the profiles that
    # show it (their documents do: profiles/fingerprints.py), in one statement.
    with django_assert_num_queries(3):
        skill.save(update_fields=["description"])
    level = SkillLevel.objects.filter(skill=skill).first()
    level.description = "New."
    level.save()
    assert_in_step(lead)


def test_a_catalogue_item_renamed_in_the_admin(lead, client):
    admin = factories.UserFactory(username="root", is_staff=True, is_superuser=True)
    admin.groups.add(Group.objects.get(name="HR"))
    client.force_login(admin)
    activity = lead.work_activity_links.first().activity
    response = client.post(
        reverse("admin:competency_workactivity_change", args=[activity.pk]),
        {"title": "Renamed in the admin", "details": activity.details},
    )
    assert response.status_code == 302
    assert_in_step(lead)
    assert "Renamed in the admin" in RoleProfile.objects.get(pk=lead.pk).search_text


def test_a_full_save_of_an_old_instance_keeps_the_stored_text(lead):
    stale = RoleProfile.objects.get(pk=lead.pk)
    stale.search_text = "stale"
    stale.save()
    assert_in_step(lead)


def test_the_migration_fills_it_in_for_profiles_that_exist(lead):
    import importlib

    from django.db import connection

    migration = importlib.import_module("profiles.migrations.0012_working_search_text")

    class Editor:
        # What fill_in uses of a schema editor (SQLite's refuses to open
        # inside a test's transaction).
        def __init__(self):
            self.connection = connection

        def execute(self, sql):
            with connection.cursor() as cursor:
                cursor.execute(sql)

    RoleProfile.objects.update(search_text="")
    migration.fill_in(None, Editor())
    assert_in_step(lead)
