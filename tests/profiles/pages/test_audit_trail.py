"""The audit trail: every change to a profile and its items, newest first,
a page at a time from the database, saying the same as reading every record
would."""

import pytest
from django.urls import reverse

from profiles import drafts, lifecycle
from profiles.sections import BY_SLUG
from tests.profiles.helpers import every_entry, make_changes

pytestmark = pytest.mark.django_db


def page(hr, profile, number):
    response = hr.get(reverse("profiles:audit", args=[profile.slug]), {"page": number})
    assert response.status_code == 200
    return response


def test_each_page_says_what_reading_every_record_says(hr, lead):
    make_changes(lead, 45)
    expected = every_entry(lead)
    assert len(expected) > 100  # three pages
    shown = []
    for number in (1, 2, 3):
        shown += list(page(hr, lead, number).context["page_obj"])
    assert shown == expected
    # What changed, and to what: the newest first.
    depth = next(entry for entry in shown if entry["changed"] == ["depth"])
    assert depth["what"].startswith("Knowledge/skills item: ") and depth["type"] == "Changed"
    assert [entry["when"] for entry in shown] == sorted(
        (entry["when"] for entry in shown), reverse=True
    )


def test_page_two_shows_the_older_entries(hr, lead):
    make_changes(lead, 45)
    first = list(page(hr, lead, 1).context["page_obj"])
    second = list(page(hr, lead, 2).context["page_obj"])
    assert len(first) == 50 and len(second) == 50
    assert first[-1]["when"] >= second[0]["when"]
    assert second == every_entry(lead)[50:100]
    summaries = [entry for entry in second if entry["changed"] == ["summary"]]
    assert summaries and all(entry["what"] == "Profile" for entry in summaries)


def test_an_item_since_deleted_is_named_so(hr, lead):
    from competency.models import Training

    link = lead.training_links.get()
    lifecycle.start_draft(profile=lead)
    drafts.remove_item(profile=lead, section=BY_SLUG["training"], link_id=link.pk)
    Training.objects.filter(pk=link.training_id).delete()
    content = page(hr, lead, 1).content.decode()
    assert "Training item: an item since deleted" in content


@pytest.mark.parametrize("rounds", [0, 100])
def test_a_page_costs_the_same_queries_for_1_or_200_changes(
    hr, lead, rounds, django_assert_num_queries
):
    make_changes(lead, rounds)
    for number in (1, 2):
        with django_assert_num_queries(13):
            page(hr, lead, number)


def test_the_migration_drops_only_the_records_that_name_nothing(hr, lead):
    """Records written before the fix (a save that changed nothing) are
    removed by profiles/migrations/0019; every change stays."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module("profiles.migrations.0019_audit_records_that_name_nothing")
    make_changes(lead, 2)
    lead.refresh_from_db()
    for _ in range(3):
        lead.save()  # as every press of the edit page did: a record naming nothing
    before = every_entry(lead)
    assert sum(1 for entry in before if entry["type"] == "Changed" and not entry["changes"]) == 3
    migration.drop_records_that_name_nothing(apps, None)
    after = every_entry(lead)
    assert after == [entry for entry in before if entry["type"] != "Changed" or entry["changes"]]
    assert [entry for entry in page(hr, lead, 1).context["page_obj"]] == after[:50]
