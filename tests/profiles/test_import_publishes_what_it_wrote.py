"""An import publishes the document it built from what it wrote, without
reading the profile back: that document, and the search text saved with
it, must be exactly what reading the profile back gives, in every case
where the profile shows something else than the file (a shared skill text
kept, a job family the file leaves out) as much as where it shows the
file."""

import pytest

from profiles.documents import ProfileInput, profile_document, search_text
from profiles.importing.batch import import_profiles
from profiles.importing.parsing import read_profile
from profiles.models import RoleProfile
from tests.paths import DATA

pytestmark = pytest.mark.django_db

LEAD_DATA = DATA / "lead-data-engineer-technical.txt"
SLUG = "lead-data-engineer-technical"
DESCRIPTION = "You can describe data so that"


def lead_text(*replacements):
    text = LEAD_DATA.read_text(encoding="utf-8")
    for old, new in replacements:
        assert old in text
        text = text.replace(old, new)
    return text


def imported(text, name="lead.txt", **options):
    (result,) = import_profiles([read_profile(text.encode(), name)], publish=True, **options)
    return result


def assert_published_as_read_back(result):
    """The version published, the result's document and the stored search
    texts are what the profile reads back as now."""
    profile = RoleProfile.objects.select_related("job_family").get(pk=result.profile.pk)
    read_back = profile_document(profile)
    assert result.document == read_back
    assert result.version is not None
    assert result.version.document == {**read_back, "version": result.version.number}
    assert profile.published_version_id == result.version.pk
    assert profile.search_text == search_text(read_back)
    assert profile.published_text == search_text(read_back)


def test_a_new_profile(ddat):
    result = imported(lead_text())
    assert result.action == "created"
    assert_published_as_read_back(result)
    assert result.version.number == 1


def test_a_changed_profile(ddat):
    imported(lead_text())
    result = imported(lead_text(("data pipelines", "provenance pipelines")))
    assert result.action == "updated"
    assert_published_as_read_back(result)
    assert result.version.number == 2
    assert "provenance" in RoleProfile.objects.get(slug=SLUG).search_text


def test_a_shared_skill_text_kept_shows_the_catalogues_text(ddat):
    imported(lead_text())
    other = lead_text(
        ("Lead Data Engineer – Technical", "Principal Data Engineer"),
        (DESCRIPTION, "You can describe any data so that"),
    )
    result = imported(other, "principal.txt")
    assert result.shared and not result.shared[0].updated
    assert_published_as_read_back(result)
    # The catalogue's text, not the file's.
    assert result.version.document["organisation_skills"][1]["description"].startswith(DESCRIPTION)


def test_a_shared_skill_text_updated_everywhere(ddat):
    imported(lead_text())
    other = lead_text(
        ("Lead Data Engineer – Technical", "Principal Data Engineer"),
        (DESCRIPTION, "You can describe any data so that"),
    )
    result = imported(other, "principal.txt", update_shared_texts=True)
    assert result.shared and result.shared[0].updated
    assert_published_as_read_back(result)
    assert result.version.document["organisation_skills"][1]["description"].startswith(
        "You can describe any data"
    )


def test_a_file_without_a_job_family_keeps_the_profiles(ddat):
    document = {**read_profile(lead_text().encode(), "lead.txt").document, "job_family": "Data"}
    import_profiles([ProfileInput("lead.json", document, "json")], publish=True)
    document = {**document, "job_family": None, "summary": document["summary"] + " Changed."}
    (result,) = import_profiles([ProfileInput("lead.json", document, "json")], publish=True)
    assert_published_as_read_back(result)
    assert result.version.document["job_family"] == "Data"


def test_a_batch_publishes_each_new_profile_as_read_back_with_its_audit_trail(ddat, as_user):
    texts = [lead_text(("data pipelines", f"pipelines of kind {n}")) for n in range(3)]
    sources = [
        read_profile(text.replace("Lead Data Engineer", f"Lead Data Engineer {n}").encode(), "a")
        for n, text in enumerate(texts)
    ]
    results = import_profiles(sources, publish=True, user=as_user)
    assert len({result.profile.pk for result in results}) == 3
    for result in results:
        assert result.action == "created"
        assert result.version.number == 1 and result.version.published_by == as_user
        assert_published_as_read_back(result)
        profile = RoleProfile.objects.get(pk=result.profile.pk)
        assert profile.published_version == result.version
        assert profile.published_title == result.version.document["title"]
        # Created as a draft, then put in force: both recorded.
        records = profile.history.order_by("history_id")
        assert list(records.values_list("history_type", "status", "history_user")) == [
            ("+", "draft", as_user.pk),
            ("~", "published", as_user.pk),
        ]


def test_the_same_slug_twice_in_one_batch(ddat):
    changed = lead_text(("data pipelines", "provenance pipelines"))
    sources = [read_profile(lead_text().encode(), "a.txt"), read_profile(changed.encode(), "b.txt")]
    first, second = import_profiles(sources, publish=True)
    assert (first.action, second.action) == ("created", "updated")
    assert (first.version.number, second.version.number) == (1, 2)
    assert_published_as_read_back(second)


def test_a_draft_that_says_what_its_version_says_is_not_published_again(ddat):
    first = imported(lead_text())
    result = imported(lead_text())
    assert result.action == "unchanged"
    assert result.version is None
    assert RoleProfile.objects.get(pk=first.profile.pk).versions.count() == 1
