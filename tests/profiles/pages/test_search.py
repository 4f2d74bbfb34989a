"""Searching the profile list: values only, for readers and HR alike; on
PostgreSQL full-text, by prefix, ranked, with highlighted snippets."""

import pytest
from django.db import connection
from django.urls import reverse

from profiles import drafts, lifecycle
from profiles.models import RoleProfile
from tests import factories
from tests.cast import account, client_as

pytestmark = pytest.mark.django_db
postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="full-text search is PostgreSQL's"
)


def titles(response):
    return [entry["title"] for entry in response.context["entries"]]


def published(title, summary="Builds things.", **texts):
    profile = factories.RoleProfileFactory(title=title, summary=summary, **texts)
    lifecycle.publish_profile(profile=profile)
    return profile


@pytest.mark.parametrize(
    "key", ["level_description", "awarding_body", "schema", "organisation_skills", "depth"]
)
def test_hr_searching_a_key_of_the_json_finds_nothing(hr, lead, draft, key):
    assert titles(hr.get(reverse("profiles:list"), {"q": key})) == []


def test_hr_find_a_key_name_only_where_a_value_says_it(hr, lead, draft):
    values = drafts.field_values(draft)
    drafts.update_profile(
        profile=draft, values={**values, "summary": "Knows what an awarding_body is."}, base=values
    )
    assert titles(hr.get(reverse("profiles:list"), {"q": "awarding_body"})) == [draft.title]


def test_hr_search_the_working_copy_and_readers_the_version_in_force(hr, lead):
    lifecycle.start_draft(profile=lead)
    values = drafts.field_values(lead)
    drafts.update_profile(
        profile=lead, values={**values, "summary": "zzdraftword only here."}, base=values
    )
    assert titles(hr.get(reverse("profiles:list"), {"q": "zzdraftword"})) == [lead.title]
    reader = client_as(account("sam", "Staff"))
    assert titles(reader.get(reverse("profiles:list"), {"q": "zzdraftword"})) == []
    assert titles(reader.get(reverse("profiles:list"), {"q": "lead data"})) == [lead.title]


def test_a_search_finds_every_word_in_any_part(hr, lead, draft):
    # A component's details, a skill's category, a responsibility.
    for words in ("Stream Processing", "technical direction", "Software Development"):
        assert titles(hr.get(reverse("profiles:list"), {"q": words})) == [lead.title], words


@postgres_only
def test_each_word_is_a_prefix(staff, db):
    published("Platform Engineer", summary="Runs Kubernetes clusters.")
    published("Payroll Officer")
    assert titles(staff.get(reverse("profiles:list"), {"q": "kube"})) == ["Platform Engineer"]
    assert titles(staff.get(reverse("profiles:list"), {"q": "plat kub"})) == ["Platform Engineer"]


@postgres_only
def test_the_best_matches_come_first_unless_another_order_is_chosen(staff, db):
    published("Alpha Analyst", summary="Sometimes looks at cloud costs.")
    published("Cloud Architect", summary="Designs cloud systems for the cloud.")
    response = staff.get(reverse("profiles:list"), {"q": "cloud"})
    assert titles(response) == ["Cloud Architect", "Alpha Analyst"]
    assert 'value="relevance" selected' in response.content.decode()
    by_title = staff.get(reverse("profiles:list"), {"q": "cloud", "sort": "title"})
    assert titles(by_title) == ["Alpha Analyst", "Cloud Architect"]


def test_without_a_search_the_list_is_by_title(staff, db):
    published("Bravo")
    published("Alpha")
    response = staff.get(reverse("profiles:list"), {"sort": "relevance"})
    assert titles(response) == ["Alpha", "Bravo"]


@postgres_only
def test_the_results_show_where_the_words_were_found_highlighted(staff, db):
    published(
        "Platform Engineer",
        summary="Runs Kubernetes clusters.",
        background=['Wrote <script>alert("x")</script> & <b>bold</b> a < b kubectl notes.'],
    )
    content = staff.get(reverse("profiles:list"), {"q": "kube"}).content.decode()
    assert "<mark>Kubernetes</mark>" in content
    assert "<mark>kubectl</mark>" in content
    assert "<script>alert" not in content
    assert "<b>bold" not in content
    assert "&amp;" in content


@postgres_only
def test_a_snippet_escapes_what_the_text_holds(staff, db):
    from profiles.search import START, STOP, highlighted

    assert highlighted(f'<script>x</script> {START}Kube & co{STOP} "q"\nnext') == (
        "&lt;script&gt;x&lt;/script&gt; <mark>Kube &amp; co</mark> &quot;q&quot; · next"
    )


def test_words_that_hold_the_query_languages_signs_are_only_words(staff, db):
    published("Platform Engineer", summary="Runs CI/CD pipelines.")
    for text in ("CI/CD", "'", "\\", "a & b | !c", "(x", "kube:*", "<script>"):
        response = staff.get(reverse("profiles:list"), {"q": text})
        assert response.status_code == 200, text
    assert titles(staff.get(reverse("profiles:list"), {"q": "CI/CD"})) == ["Platform Engineer"]


def test_the_list_with_a_search_costs_the_same_for_1_and_30_profiles(staff, db):
    from django.db import connection as conn
    from django.test.utils import CaptureQueriesContext

    published("Engineer 0")

    def count():
        with CaptureQueriesContext(conn) as context:
            response = staff.get(reverse("profiles:list"), {"q": "engineer build"})
        assert response.status_code == 200
        return len(context), len(response.context["entries"])

    small = count()
    for number in range(1, 30):
        published(f"Engineer {number}")
    large = count()
    assert (small[1], large[1]) == (1, 20)
    assert small[0] == large[0]


def test_profiles_stay_in_step_for_readers_after_publishing(staff, db):
    profile = published("Payroll Officer")
    assert RoleProfile.objects.get(pk=profile.pk).published_text.startswith("Payroll Officer")


@postgres_only
def test_a_misspelt_search_offers_the_nearest_words_that_find_something(staff, db):
    published("Platform Engineer", summary="Runs Kubernetes clusters.")
    response = staff.get(reverse("profiles:list"), {"q": "kubernetis", "sort": "title"})
    assert titles(response) == []
    assert response.context["suggestion"] == ("kubernetes", "q=kubernetes&sort=title")
    content = response.content.decode()
    assert 'Did you mean <a class="govuk-link" href="?q=kubernetes&amp;sort=title">' in content
    assert titles(staff.get(reverse("profiles:list"), {"q": "kubernetes"})) == ["Platform Engineer"]


@postgres_only
def test_a_reader_is_never_offered_a_word_only_a_draft_holds(staff, db):
    draft = factories.RoleProfileFactory(title="Secret Project Lead", summary="Zanzibarian work.")
    assert "Zanzibarian" in RoleProfile.objects.get(pk=draft.pk).search_text
    response = staff.get(reverse("profiles:list"), {"q": "zanzibarean"})
    assert response.context["suggestion"] is None
    assert "Did you mean" not in response.content.decode()


def test_a_search_matching_more_than_the_cap_says_so_and_pages_through_the_first(
    staff, monkeypatch
):
    """Counting every match of a common word costs more than the page at
    20,000 profiles: a search counts up to a cap and says "more than"."""
    monkeypatch.setattr("profiles.views.reading.MATCHES_COUNTED", 3)
    for n in range(5):
        published(f"Capped engineer {n}", summary="Builds pipelines.")
    response = staff.get(reverse("profiles:list"), {"q": "pipelines"})
    assert "More than 3 profiles" in response.content.decode()
    assert len(titles(response)) == 3
    # Below the cap the count is exact, and the whole list counts everything.
    response = staff.get(reverse("profiles:list"), {"q": "engineer 4"})
    assert "1 profile<" in response.content.decode()
    assert "More than" not in staff.get(reverse("profiles:list")).content.decode()


@postgres_only
def test_the_rank_vectors_are_kept_in_the_row(db):
    """Ranking reads every match's rank vector: stored out of line, a common
    word's 20,000 matches cost ~80,000 page reads (migration 0016)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attname, attstorage FROM pg_attribute WHERE attrelid = "
            "'profiles_roleprofile'::regclass AND attname LIKE '%%rank_vector' ORDER BY 1"
        )
        assert cursor.fetchall() == [("published_rank_vector", "m"), ("search_rank_vector", "m")]
