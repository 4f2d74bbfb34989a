"""The catalogue pages HR read: who may see them, what they show, and that
each runs the same number of queries whatever the size of the data."""

import re
from html import unescape

import pytest
from django.urls import reverse

from competency.catalogue import COMPONENT_KINDS
from competency.models import KnowledgeItem
from tests import factories
from tests.competency.helpers import OGL

pytestmark = pytest.mark.django_db

# The factory of each kind's items and of the rows that link them to profiles.
ITEM_FACTORIES = {
    "knowledge": (factories.KnowledgeItemFactory, factories.ProfileKnowledgeFactory, "item"),
    "work-activities": (
        factories.WorkActivityFactory,
        factories.ProfileWorkActivityFactory,
        "activity",
    ),
    "training": (factories.TrainingFactory, factories.ProfileTrainingFactory, "training"),
    "pdas": (
        factories.DevelopmentActivityFactory,
        factories.ProfileDevelopmentActivityFactory,
        "activity",
    ),
    "qualifications": (
        factories.QualificationFactory,
        factories.ProfileQualificationFactory,
        "qualification",
    ),
}


def text(response):
    """What a reader sees: the page's words without markup, spaces collapsed."""
    html = response.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def every_page(skill, items):
    """One address of each kind of catalogue page."""
    return [
        reverse("catalogue:index"),
        reverse("catalogue:framework", args=[skill.category.framework.slug]),
        reverse("catalogue:skill", args=[skill.pk]),
        *(reverse("catalogue:components", args=[kind]) for kind in COMPONENT_KINDS),
        *(reverse("catalogue:component", args=[kind, item.pk]) for kind, item in items.items()),
    ]


@pytest.fixture
def items(db):
    return {kind: make() for kind, (make, _, _) in ITEM_FACTORIES.items()}


# Who may see the pages


def test_anonymous_visitors_are_sent_to_sign_in_from_every_page(client, ddat_skill, items):
    for path in every_page(ddat_skill, items):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"] == f"{reverse('login')}?next={path}", path


def test_staff_are_refused_every_page(staff, ddat_skill, items):
    for path in every_page(ddat_skill, items):
        assert staff.get(path).status_code == 403, path


def test_a_staff_user_without_a_group_is_refused_too(client, ddat_skill, items):
    client.force_login(factories.UserFactory(username="newcomer", is_staff=True))
    for path in every_page(ddat_skill, items):
        assert client.get(path).status_code == 403, path


def test_staff_guessing_an_unknown_id_learn_nothing_from_the_answer(staff):
    assert staff.get(reverse("catalogue:framework", args=["no-such-framework"])).status_code == 403
    assert staff.get(reverse("catalogue:skill", args=[999999])).status_code == 403
    assert staff.get(reverse("catalogue:component", args=["training", 999999])).status_code == 403


def test_hr_read_every_page(hr, ddat_skill, items):
    for path in every_page(ddat_skill, items):
        assert hr.get(path).status_code == 200, path


def test_a_superuser_reads_the_pages_without_a_group(client, ddat_skill, items):
    client.force_login(factories.UserFactory(username="root", is_superuser=True))
    for path in every_page(ddat_skill, items):
        assert client.get(path).status_code == 200, path


def test_unknown_frameworks_skills_and_components_are_not_found(hr, items):
    assert hr.get(reverse("catalogue:framework", args=["no-such-framework"])).status_code == 404
    assert hr.get(reverse("catalogue:skill", args=[999999])).status_code == 404
    for kind in COMPONENT_KINDS:
        assert hr.get(reverse("catalogue:component", args=[kind, 999999])).status_code == 404


def test_an_item_is_found_only_under_its_own_kind(hr):
    training = factories.TrainingFactory()
    assert hr.get(reverse("catalogue:component", args=["training", training.pk])).status_code == 200
    assert hr.get(reverse("catalogue:component", args=["pdas", training.pk])).status_code == 404


def test_an_unknown_kind_of_component_is_not_found(hr):
    assert hr.get("/catalogue/gadgets/").status_code == 404
    assert hr.get("/catalogue/gadgets/1/").status_code == 404


# The index


def test_the_index_lists_frameworks_with_their_levels_and_skills(hr, ddat_skill):
    response = hr.get(reverse("catalogue:index"))
    page = text(response)
    assert "DDaT 4 1" in page
    assert f'href="{reverse("catalogue:framework", args=["ddat"])}"' in response.content.decode()
    assert f'href="{reverse("imports:framework")}"' in response.content.decode()
    assert "Import a framework" in page


def test_the_index_counts_each_kind_of_component_and_links_to_its_list(hr, items):
    factories.TrainingFactory()
    response = hr.get(reverse("catalogue:index"))
    page = text(response)
    assert "Knowledge and skills 1" in page
    assert "Work activities 1" in page
    assert "Training 2" in page
    assert "Personal development activities 1" in page
    assert "Qualifications 1" in page
    for kind in COMPONENT_KINDS:
        assert f'href="{reverse("catalogue:components", args=[kind])}"' in (
            response.content.decode()
        )


def test_the_index_says_when_there_are_no_frameworks(hr):
    assert "No frameworks yet." in text(hr.get(reverse("catalogue:index")))


# A framework


def test_a_framework_page_shows_its_description_levels_and_skills(hr, ddat_skill):
    ddat_skill.category.framework.levels.filter(rank=2).update(description="Works with help.")
    response = hr.get(reverse("catalogue:framework", args=["ddat"]))
    page = text(response)
    assert "Skills for digital, data and technology jobs." in page
    assert "1 Awareness" in page
    assert "2 Working Works with help." in page
    assert "4 Expert" in page
    # The tree: the family, then the role within it, then its skill and the
    # number of profiles that use it (the table's caption for screen readers
    # between them).
    assert (
        "Software development Software developer Skills in Software developer "
        "Skill Profiles using it Systems design 1"
    ) in page
    html = response.content.decode()
    assert f'href="{reverse("catalogue:skill", args=[ddat_skill.pk])}"' in html
    assert '<h3 class="govuk-heading-m" id="category-' in html
    assert '<h4 class="govuk-heading-s" id="category-' in html


def test_a_framework_page_shows_the_attribution_statement_prominently(hr, ddat_skill):
    response = hr.get(reverse("catalogue:framework", args=["ddat"]))
    html = response.content.decode()
    inset = html[html.index('id="attribution"') :]
    assert OGL in unescape(inset[: inset.index("</div>")])


def test_a_framework_without_an_attribution_shows_no_empty_statement(hr):
    framework = factories.FrameworkFactory(name="Our own", slug="our-own")
    response = hr.get(reverse("catalogue:framework", args=[framework.slug]))
    page = text(response)
    assert "Source and licence" not in page
    assert "This framework has no levels yet." in page
    assert "This framework has no categories or skills yet." in page


def test_a_framework_page_counts_only_the_profiles_using_each_skill(hr, ddat_skill):
    unused = factories.SkillFactory(category=ddat_skill.category, name="Testing")
    page = text(hr.get(reverse("catalogue:framework", args=["ddat"])))
    assert "Systems design 1 Testing 0" in page
    assert unused.pk


def test_a_large_framework_shows_its_skills_a_page_at_a_time_under_their_categories(
    hr, ddat, monkeypatch
):
    monkeypatch.setattr("competency.views.SKILLS_PAGE_SIZE", 3)
    family = factories.CategoryFactory(framework=ddat, name="Family")
    first = factories.CategoryFactory(framework=ddat, parent=family, name="A role")
    second = factories.CategoryFactory(framework=ddat, parent=family, name="B role")
    empty = factories.CategoryFactory(framework=ddat, name="Z empty")
    level = ddat.levels.first()
    for name in ("Alpha", "Beta"):
        skill = factories.SkillFactory(category=first, name=name)
        factories.ProfileSkillFactory(skill=skill, level=level)
    for name in ("Gamma", "Delta", "Epsilon"):
        factories.SkillFactory(category=second, name=name)
    url = reverse("catalogue:framework", args=["ddat"])

    def shown(page):
        response = hr.get(url, {"page": page})
        return [
            (node["category"].name, [(s.name, s.profile_total) for s in node["skills"]])
            for node in response.context["tree"]
        ], text(response)

    tree, page = shown(1)
    assert tree == [
        ("Family", []),
        ("A role", [("Alpha", 1), ("Beta", 1)]),
        ("B role", [("Delta", 0)]),
    ]
    assert "5 skills; showing 1 to 3." in page
    tree, page = shown(2)
    # The rest of B role under its family's heading, then the empty category.
    assert tree == [("Family", []), ("B role", [("Epsilon", 0), ("Gamma", 0)]), ("Z empty", [])]
    assert empty.pk


def test_a_component_list_counts_the_profiles_of_the_items_on_later_pages_too(hr):
    for number in range(25):
        item = factories.TrainingFactory(title=f"Course {number:02}")
        for _ in range(number % 3):
            factories.ProfileTrainingFactory(training=item)
    response = hr.get(reverse("catalogue:components", args=["training"]), {"page": 2})
    rows = [(item.title, item.profile_total) for item, _ in response.context["rows"]]
    assert rows == [(f"Course {number:02}", number % 3) for number in range(20, 25)]


# A skill


def test_a_skill_page_shows_where_it_sits_and_what_it_means_at_each_level(hr, ddat_skill):
    response = hr.get(reverse("catalogue:skill", args=[ddat_skill.pk]))
    page = text(response)
    assert "DDaT » Software development » Software developer" in page
    assert "Designing systems that work." in page
    assert "1 – Awareness You can explain it." in page
    assert "2 – Working No description at this level." in page
    assert "3 – Practitioner You can design it." in page
    assert OGL in page


def test_a_skill_page_lists_the_profiles_that_use_it_with_the_level_each_requires(hr, ddat_skill):
    response = hr.get(reverse("catalogue:skill", args=[ddat_skill.pk]))
    assert "Senior Developer Family" in text(response)
    assert "Draft 3 – Practitioner" in text(response)
    assert f'href="{reverse("profiles:detail", args=["senior-developer"])}"' in (
        response.content.decode()
    )


def test_a_skill_no_profile_uses_says_so(hr):
    skill = factories.SkillFactory(name="Unused skill")
    page = text(hr.get(reverse("catalogue:skill", args=[skill.pk])))
    assert "No profile uses this skill yet." in page


def test_a_skill_page_breadcrumb_leads_back_to_its_framework(hr, ddat_skill):
    html = hr.get(reverse("catalogue:skill", args=[ddat_skill.pk])).content.decode()
    start = html.index('class="govuk-breadcrumbs"')
    breadcrumbs = html[start : html.index("</nav>", start)]
    assert f'href="{reverse("catalogue:index")}"' in breadcrumbs
    assert f'href="{reverse("catalogue:framework", args=["ddat"])}"' in breadcrumbs


# Component lists


@pytest.mark.parametrize("kind", COMPONENT_KINDS)
def test_a_component_list_shows_each_item_with_the_number_of_profiles_using_it(hr, kind):
    make, link, field = ITEM_FACTORIES[kind]
    used = make(title="Coaching")
    make(title="Deputising")
    for _ in range(2):
        link(**{field: used})
    response = hr.get(reverse("catalogue:components", args=[kind]))
    page = text(response)
    assert f"2 {COMPONENT_KINDS[kind].plural}" in page
    assert re.search(r"Coaching .*?2 Deputising .*?0", page)
    assert f'href="{reverse("catalogue:component", args=[kind, used.pk])}"' in (
        response.content.decode()
    )


def test_a_search_finds_items_by_title_or_details(hr):
    factories.WorkActivityFactory(title="Formal appraisals", details="Runs reviews.")
    factories.WorkActivityFactory(title="Budgets", details="Plans formal spending.")
    factories.WorkActivityFactory(title="Coffee", details="Makes it.")
    response = hr.get(reverse("catalogue:components", args=["work-activities"]), {"q": "formal"})
    titles = [item.title for item in response.context["page_obj"]]
    assert titles == ["Budgets", "Formal appraisals"]
    assert "2 work activities" in text(response)


def test_a_search_of_several_words_needs_them_all(hr):
    factories.TrainingFactory(title="Coaching", details="For new managers.")
    factories.TrainingFactory(title="Coaching basics", details="For everyone.")
    response = hr.get(
        reverse("catalogue:components", args=["training"]), {"q": "coaching managers"}
    )
    assert [item.title for item in response.context["page_obj"]] == ["Coaching"]


def test_qualifications_are_found_by_their_awarding_body(hr):
    exin = factories.AwardingBodyFactory(name="Exin")
    factories.QualificationFactory(title="DevOps Professional", awarding_body=exin)
    factories.QualificationFactory(title="Prince2 Practitioner")
    response = hr.get(reverse("catalogue:components", args=["qualifications"]), {"q": "exin"})
    assert [item.title for item in response.context["page_obj"]] == ["DevOps Professional"]
    assert "DevOps Professional Exin 0" in text(response)


def test_a_search_that_finds_nothing_says_so_and_offers_to_clear_it(hr, items):
    response = hr.get(reverse("catalogue:components", args=["pdas"]), {"q": "zebra"})
    page = text(response)
    assert "0 personal development activities" in page
    assert "No personal development activities match. Try other words." in page
    assert "Clear search" in page


def test_a_search_too_long_to_be_a_title_is_an_error_the_page_explains(hr, items):
    response = hr.get(reverse("catalogue:components", args=["training"]), {"q": "x" * 201})
    page = text(response)
    assert page.startswith("Error: Training")
    assert "There is a problem" in page
    assert "Ensure this value has at most 200 characters" in page
    assert '<a href="#id_q">' in response.content.decode()


def test_an_empty_kind_says_the_catalogue_has_none_yet(hr):
    page = text(hr.get(reverse("catalogue:components", args=["training"])))
    assert "The catalogue has no training items yet." in page
    assert "Clear search" not in page


def test_the_search_box_is_labelled(hr):
    html = hr.get(reverse("catalogue:components", args=["knowledge"])).content.decode()
    assert '<label class="govuk-label govuk-label--m" for="id_q">Search</label>' in html
    assert '<div id="id_q-hint" class="govuk-hint">Words from the title or details</div>' in html
    assert 'aria-describedby="id_q-hint"' in html
    assert 'id="id_q" name="q" type="search"' in html


def test_a_component_list_shows_twenty_items_a_page_and_keeps_the_search(hr):
    for number in range(45):
        factories.TrainingFactory(title=f"Course {number:02}", details="A course.")
    url = reverse("catalogue:components", args=["training"])
    first = hr.get(url, {"q": "course"})
    assert len(first.context["page_obj"]) == 20
    assert "?q=course&amp;page=2" in first.content.decode()
    last = hr.get(url, {"q": "course", "page": 3})
    assert [item.title for item in last.context["page_obj"]] == [
        f"Course {number}" for number in range(40, 45)
    ]


def test_a_page_number_out_of_range_shows_the_last_page(hr):
    factories.TrainingFactory(title="Only course")
    response = hr.get(reverse("catalogue:components", args=["training"]), {"page": 99})
    assert [item.title for item in response.context["page_obj"]] == ["Only course"]


# A component


def test_a_knowledge_item_page_shows_its_text_and_the_depth_each_profile_asks_for(hr):
    item = factories.KnowledgeItemFactory(
        title="Team dynamics",
        details="Understands how teams work.",
        kind=KnowledgeItem.Kind.BEHAVIOURAL,
    )
    lead = factories.RoleProfileFactory(title="Lead Engineer", slug="lead-engineer")
    junior = factories.RoleProfileFactory(title="Junior Engineer", slug="junior-engineer")
    factories.ProfileKnowledgeFactory(profile=lead, item=item, depth="proficient")
    factories.ProfileKnowledgeFactory(profile=junior, item=item, depth="")
    response = hr.get(reverse("catalogue:component", args=["knowledge", item.pk]))
    page = text(response)
    assert "Team dynamics" in page
    assert "Type Behavioural" in page
    assert "Details Understands how teams work." in page
    assert "Profiles that use this knowledge/skills item" in page
    assert "Depth" in page
    assert re.search(r"Junior Engineer .*? Not given Lead Engineer .*? Proficient in", page)
    html = response.content.decode()
    assert f'href="{reverse("profiles:detail", args=["lead-engineer"])}"' in html
    assert f'href="{reverse("profiles:detail", args=["junior-engineer"])}"' in html


def test_a_qualification_page_shows_its_awarding_body_and_no_details(hr):
    link = factories.ProfileQualificationFactory(
        qualification__title="DevOps Professional",
        qualification__awarding_body__name="Exin",
        profile__title="Senior DevOps Engineer",
    )
    response = hr.get(
        reverse("catalogue:component", args=["qualifications", link.qualification_id])
    )
    page = text(response)
    assert "Awarding body Exin" in page
    assert "Details" not in page
    assert "Senior DevOps Engineer" in page
    assert "Depth" not in page


def test_an_unused_component_says_no_profile_uses_it(hr):
    activity = factories.DevelopmentActivityFactory(title="Deputising")
    page = text(hr.get(reverse("catalogue:component", args=["pdas", activity.pk])))
    assert "No profile uses this personal development activity yet." in page


def test_a_component_page_shows_who_changed_it_when_and_how(hr, hr_user):
    hr_user.first_name, hr_user.last_name = "Harriet", "Jones"
    hr_user.save()
    item = factories.KnowledgeItemFactory(title="Security awareness")
    item._history_user = hr_user
    item.kind = KnowledgeItem.Kind.OTHER
    item.details = "Keeps data safe."
    item.save()
    response = hr.get(reverse("catalogue:component", args=["knowledge", item.pk]))
    history = response.context["history"]
    assert [entry["type"] for entry in history] == ["Changed", "Created"]
    page = text(response)
    # Each field it changed, with its value before and after.
    assert (
        "Harriet Jones Changed: Details Before: (removed: Knows the thing. ) "
        "After: (added: Keeps data safe. ) Type Before: (removed: Technical ) Knowledge and "
        "Skills After: (added: Other ) Knowledge and Skills"
    ) in page
    assert "An import or command Created" in page


# Accessibility basics on every page


def test_every_page_has_one_h1_and_tables_with_scoped_headers(hr, ddat_skill, items):
    for path in every_page(ddat_skill, items):
        html = hr.get(path).content.decode()
        assert html.count("<h1") == 1, path
        assert "<th>" not in html and "<th " in html, path
        assert all('scope="' in header for header in re.findall(r"<th [^>]*>", html)), path
        assert not re.search(r"<a [^>]*>\s*</a>", html), path


# A fixed number of queries whatever the size of the data. Each request also
# reads the session and the user (with whether they are HR), and for HR the
# header's count of what waits for them (appraisals/waiting.py).


@pytest.mark.parametrize("size", [1, 50])
def test_the_index_runs_the_same_queries_for_1_or_50_frameworks(
    hr, size, django_assert_num_queries
):
    for _ in range(size):
        skill = factories.SkillFactory()
        factories.LevelFactory(framework=skill.category.framework)
        factories.TrainingFactory()
    with django_assert_num_queries(9):
        response = hr.get(reverse("catalogue:index"))
    assert len(response.context["frameworks"]) == size


@pytest.mark.parametrize("size", [1, 50])
def test_a_framework_page_runs_the_same_queries_for_1_or_50_skills(
    hr, ddat, size, django_assert_num_queries
):
    parent = factories.CategoryFactory(framework=ddat)
    level = ddat.levels.first()
    for _ in range(size):
        category = factories.CategoryFactory(framework=ddat, parent=parent)
        skill = factories.SkillFactory(category=category)
        factories.ProfileSkillFactory(skill=skill, level=level)
    # The page of skills, their count, and their profiles counted.
    with django_assert_num_queries(9):
        response = hr.get(reverse("catalogue:framework", args=["ddat"]))
    assert sum(len(node["skills"]) for node in response.context["tree"]) == size


@pytest.mark.parametrize("size", [1, 50])
def test_a_skill_page_runs_the_same_queries_for_1_or_50_profiles(
    hr, ddat_skill, size, django_assert_num_queries
):
    level = ddat_skill.category.framework.levels.last()
    for _ in range(size - 1):
        factories.ProfileSkillFactory(skill=ddat_skill, level=level)
    for _ in range(size - 1):  # history grows too
        ddat_skill.save()
    # 8, and two for the history of the skill and of its level descriptions.
    with django_assert_num_queries(11):
        response = hr.get(reverse("catalogue:skill", args=[ddat_skill.pk]))
    assert len(response.context["uses"]) == size


def test_a_skill_page_shows_who_changed_its_texts(hr, hr_user, ddat_skill):
    from competency.models import SkillLevel

    ddat_skill.description = "A newer description."
    ddat_skill.save()
    row = SkillLevel.objects.filter(skill=ddat_skill).order_by("level__rank").last()
    row.description = "A newer level description."
    row.save()
    history = hr.get(reverse("catalogue:skill", args=[ddat_skill.pk])).context["history"]
    assert history[0]["what"] == f"Description at {row.level}"
    assert history[0]["changed"] == ["description"]
    assert any(
        entry["what"] == "Skill" and entry["changed"] == ["description"] for entry in history
    )


@pytest.mark.parametrize("kind", COMPONENT_KINDS)
@pytest.mark.parametrize("size", [1, 50])
def test_a_component_list_runs_the_same_queries_for_1_or_50_items(
    hr, kind, size, django_assert_num_queries
):
    make, link, field = ITEM_FACTORIES[kind]
    for _ in range(size):
        link(**{field: make()})
    # The page, its count, and the profiles using the page's items.
    with django_assert_num_queries(6):
        response = hr.get(reverse("catalogue:components", args=[kind]))
    assert response.context["page_obj"].paginator.count == size


@pytest.mark.parametrize("kind", COMPONENT_KINDS)
@pytest.mark.parametrize("size", [1, 50])
def test_a_component_page_runs_the_same_queries_for_1_or_50_profiles(
    hr, kind, size, django_assert_num_queries
):
    make, link, field = ITEM_FACTORIES[kind]
    item = make()
    develops = kind in ("training", "pdas")
    for number in range(size):
        link(**{field: item})
        item.title = f"{item.title[:40]} {number}"
        item.save()
        if develops:
            item.develops_skills.add(factories.SkillFactory())
            item.develops_knowledge.add(factories.KnowledgeItemFactory())
    # Training and PDAs: two more, for the skills and knowledge they develop.
    with django_assert_num_queries(9 if develops else 7):
        response = hr.get(reverse("catalogue:component", args=[kind, item.pk]))
    assert len(response.context["uses"]) == size
    assert len(response.context["history"]) == size + 1


def test_a_widely_used_item_lists_its_profiles_a_page_at_a_time(hr):
    """A shared item may be in thousands of profiles: fifty at a time, with a
    count of them all."""
    item = factories.WorkActivityFactory()
    for _ in range(60):
        factories.ProfileWorkActivityFactory(activity=item)
    url = reverse("catalogue:component", args=["work-activities", item.pk])
    first = hr.get(url)
    assert len(first.context["uses"]) == 50
    content = first.content.decode()
    assert "60 profiles use it; showing 1 to 50." in content
    assert "page=2" in content
    second = hr.get(url, {"page": 2})
    assert len(second.context["uses"]) == 10
