"""What changed, in words a person can read: HR correct a work activity's
text and see the old and new wording, the changed words marked in text as
well as colour, on the publish confirmation, the versions page and "What
changed"; the audit trail shows one row per edit, each naming its fields
with their values before and after."""

import pytest
from django.urls import reverse

from profiles import lifecycle
from tests.cast import client_as
from tests.markup import parse, text
from tests.profiles.pages.edit_form import form_fields, press

pytestmark = pytest.mark.django_db

OLD = "the team has to"


@pytest.fixture
def corrected(hr, lead):
    """Version 1 in force and a draft whose 'Data pipeline design' says
    'the people have to recover' where it said 'the team has to'."""
    lifecycle.start_draft(profile=lead)
    link = lead.work_activity_links.get(activity__title="Data pipeline design")
    url = reverse("profiles:correct", args=[lead.slug, "work-activities", link.pk])
    data = form_fields(hr.get(url))
    assert data["details"].endswith(OLD)
    data["details"] = data["details"].removesuffix(OLD) + "the people have to recover."
    hr.post(url, data)
    return lead


def publish(hr, profile):
    page = hr.get(reverse("profiles:publish", args=[profile.slug]))
    data = {**form_fields(page), "change_note": "Corrects the pipeline design text."}
    hr.post(reverse("profiles:publish", args=[profile.slug]), data)


def marked(response, element):
    """The words inside each <del> or <ins> of the page, as read aloud."""
    return [text(mark) for mark in parse(response).iter(element)]


def assert_shows_the_correction(response):
    content = response.content.decode()
    assert "(details changed)" in content
    assert "(details changed) – –" not in text(parse(response))
    # The old wording with the removed words marked, the new with the added.
    assert marked(response, "del") == ["(removed: team has)"]
    assert marked(response, "ins") == ["(added: people have)", "(added: recover.)"]
    visible = text(parse(response), visible_only=True)
    assert "Details: Designs pipelines that are observable" in visible
    assert "upstream and the team has to" in visible
    assert "upstream and the people have to recover." in visible


def test_the_publish_confirmation_shows_the_old_and_new_wording(hr, corrected):
    response = hr.get(reverse("profiles:publish", args=[corrected.slug]))
    assert_shows_the_correction(response)


def test_what_changed_and_the_versions_page_show_them_once_published(hr, staff_user, corrected):
    publish(hr, corrected)
    corrected.refresh_from_db()
    assert corrected.published_version.number == 2
    # Readers see what changed in force; HR compare versions.
    staff = client_as(staff_user)
    assert_shows_the_correction(staff.get(reverse("profiles:changes", args=[corrected.slug])))
    versions = hr.get(reverse("profiles:versions", args=[corrected.slug]), {"from": 1, "to": 2})
    assert_shows_the_correction(versions)


def test_the_audit_trail_has_one_row_per_edit_with_its_fields_before_and_after(hr, corrected):
    knowledge = corrected.knowledge_links.order_by("position")
    first, second = knowledge[0], knowledge[1]
    press(hr, corrected, summary="A shorter summary.")
    press(hr, corrected)  # nothing changed: nothing to record
    press(hr, corrected, f"down:knowledge:{first.pk}")  # swaps two: one move
    press(hr, corrected, f"remove:knowledge:{second.pk}")  # the rest shift up
    publish(hr, corrected)

    response = hr.get(reverse("profiles:audit", args=[corrected.slug]))
    entries = list(response.context["page_obj"])
    rows = [
        (
            entry["what"],
            entry["type"],
            [(c["field"], c["before"], c["after"]) for c in entry["changes"]],
        )
        for entry in entries[:6]
    ]
    activity = (
        "Data pipeline design: Designs pipelines that are observable, idempotent and "
        "cheap to re-run when something goes wrong upstream and "
    )
    assert rows[0] == (
        "Profile",
        "Changed",
        [("status", "Draft", "Published"), ("published version", "Version 1", "Version 2")],
    )
    assert rows[1] == (f"Knowledge/skills item: {second.item}", "Deleted", [])
    assert rows[2] == (f"Knowledge/skills item: {first.item}", "Changed", [("position", "1", "2")])
    assert rows[3][0:2] == ("Profile", "Changed") and rows[3][2][0][0] == "summary"
    assert rows[3][2][0][2] == "A shorter summary."
    what, kind, [(field, before, after)] = rows[4]
    assert (what, kind, field) == ("Work activity: Data pipeline design", "Changed", "activity")
    assert before.startswith(activity) and before.endswith(OLD)
    assert after.endswith("the people have to recover.")
    assert rows[5] == ("Profile", "Changed", [("status", "Published", "Draft")])
    # Then the import that made version 1 and published it.
    assert [change["after"] for change in entries[6]["changes"]] == ["Published", "Version 1"]
    assert {entry["type"] for entry in entries[7:]} == {"Created"}
    # No row is a change that names nothing.
    assert all(entry["changes"] for entry in entries if entry["type"] == "Changed")
    # On the page: each change's field, before and after, the words marked.
    visible = text(parse(response), visible_only=True)
    assert "Changed: Status Before: Draft After: Published" in visible
    assert "Position Before: 1 After: 2" in visible
    assert "(removed: team has)" in marked(response, "del")
    assert "(added: people have)" in marked(response, "ins")


def test_a_row_of_the_api_trail_names_the_fields_before_and_after(hr, hr_api, corrected):
    response = hr_api.get(f"/api/v1/profiles/{corrected.slug}/history/")
    assert response.status_code == 200
    newest = response.json()["results"][0]
    assert newest["what"] == "Work activity: Data pipeline design"
    assert newest["changed"] == ["activity"]
    (change,) = newest["changes"]
    assert change["field"] == "activity"
    assert change["before"].endswith(OLD)
    assert change["after"].endswith("the people have to recover.")
