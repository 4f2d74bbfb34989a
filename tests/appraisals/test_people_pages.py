"""HR's people pages: list, person, create and edit, import; who may see them."""

import pytest
from django.test import Client
from django.urls import reverse

from appraisals.models import Person
from profiles.models import PendingUpload
from tests import factories
from tests.appraisals.helpers import shown_data
from tests.cast import account, client_as

pytestmark = pytest.mark.django_db


def people_rows():
    return list(Person.objects.order_by("pk").values()), Person.history.count()


# --- access ----------------------------------------------------------------------------

HR_ONLY = ["person_create", "people_import", "people_template"]


@pytest.mark.parametrize("role", ["manager", "head", "person", "other_manager", "other_person"])
@pytest.mark.parametrize("name", [*HR_ONLY, "person_edit"])
def test_hr_pages_are_404_to_everyone_else_and_posts_write_nothing(cast, role, name):
    kwargs = {"pk": cast.person.pk} if name == "person_edit" else {}
    url = reverse(f"appraisals:{name}", kwargs=kwargs)
    client = cast.client(role)
    before = people_rows()
    assert client.get(url).status_code == 404
    response = client.post(url, {"employee_id": "X9", "name": "Intruder", "manager": ""})
    assert response.status_code == 404
    assert people_rows() == before


@pytest.mark.parametrize("name", [*HR_ONLY, "people", "person", "person_edit"])
def test_anonymous_people_are_sent_to_sign_in(cast, name):
    kwargs = {"pk": cast.person.pk} if name in {"person", "person_edit"} else {}
    response = Client().get(reverse(f"appraisals:{name}", kwargs=kwargs))
    assert response.status_code == 302 and response["Location"].startswith("/sign-in/")


@pytest.mark.parametrize("name", [*HR_ONLY, "people", "person", "person_edit"])
def test_hr_may_open_every_people_page(cast, name):
    kwargs = {"pk": cast.person.pk} if name in {"person", "person_edit"} else {}
    response = cast.client("hr").get(reverse(f"appraisals:{name}", kwargs=kwargs))
    assert response.status_code == 200


@pytest.mark.parametrize(
    "role, listed",
    [
        ("hr", {"Bea", "Mo", "Olu", "Sam", "Tia"}),
        # Themselves too: Person.objects.visible_to is the one rule.
        ("head", {"Bea", "Mo", "Olu", "Sam", "Tia"}),
        ("manager", {"Mo", "Sam"}),
        ("other_manager", {"Olu", "Tia"}),
    ],
)
def test_the_list_shows_each_reader_their_reporting_line(cast, role, listed):
    page = cast.client(role).get(reverse("appraisals:people"))
    assert {person.name for person in page.context["page_obj"]} == listed


@pytest.mark.parametrize("role", ["person", "other_person"])
def test_staff_who_manage_nobody_get_no_list(cast, role):
    assert cast.client(role).get(reverse("appraisals:people")).status_code == 404


@pytest.mark.parametrize(
    "role, status",
    [
        ("hr", 200),
        ("manager", 200),
        ("head", 200),
        ("other_manager", 404),
        ("other_person", 404),
    ],
)
def test_a_person_page_is_read_by_their_line_only(cast, role, status):
    url = reverse("appraisals:person", kwargs={"pk": cast.person.pk})
    assert cast.client(role).get(url).status_code == status


def test_a_person_page_shows_the_line_above_reports_and_appraisals(cast, appraisal):
    page = cast.client("hr").get(reverse("appraisals:person", kwargs={"pk": cast.manager.pk}))
    assert [person.name for person in page.context["line"]] == ["Bea"]
    assert [person.name for person in page.context["reports"]] == ["Sam"]
    page = cast.client("hr").get(reverse("appraisals:person", kwargs={"pk": cast.person.pk}))
    assert [person.name for person in page.context["line"]] == ["Bea", "Mo"]
    assert [item[0] for item in page.context["open_appraisals"]] == [appraisal]
    assert page.context["signed_off"] == []
    assert "Annual review 2025" in page.content.decode()


# --- the list ----------------------------------------------------------------------------


def test_search_and_filters(cast, client):
    client = cast.client("hr")
    url = reverse("appraisals:people")

    def names(**query):
        return {p.name for p in client.get(url, query).context["page_obj"]}

    assert names(q="sa") == {"Sam"}
    assert names(q=cast.other_person.employee_id) == {"Tia"}
    assert names(manager="Olu") == {"Tia"}
    assert names(manager=cast.other_manager.employee_id) == {"Tia"}
    family = cast.person.role_profile.job_family
    assert names(job_family=family.slug) == {"Bea", "Mo", "Olu", "Sam", "Tia"}
    Person.objects.filter(pk=cast.other_person.pk).update(leaving_date="2024-06-01")
    assert "Tia" not in names()
    assert names(status="left") == {"Tia"}


@pytest.mark.parametrize("size", [1, 50])
def test_the_list_takes_the_same_queries_for_1_or_50_people(hr, size, django_assert_num_queries):
    boss = factories.PersonFactory(role_profile=factories.RoleProfileFactory())
    for _ in range(size):
        factories.PersonFactory(line_manager=boss, role_profile=boss.role_profile)
    # 6: the job families' menu is one query (includes/field.html asks no
    # COUNT); the line manager is chosen by name, no menu; one is the
    # header's count of what waits for HR.
    with django_assert_num_queries(6):
        hr.get(reverse("appraisals:people"))


# --- create and edit ---------------------------------------------------------------------


def form(**changes):
    data = {
        "employee_id": "E777",
        "name": "Nia New",
        "email": "nia@example.org",
        "job_title": "Engineer",
        "manager": "",
        "role_profile": "",
        "start_date": "2025-04-01",
        "probation_end_date": "",
        "leaving_date": "",
    }
    return {**data, **changes}


def test_hr_add_a_person_under_a_manager(cast):
    client = cast.client("hr")
    response = client.post(
        reverse("appraisals:person_create"), form(manager=cast.manager.employee_id)
    )
    nia = Person.objects.get(employee_id="E777")
    assert response.status_code == 302 and response["Location"] == reverse(
        "appraisals:person", kwargs={"pk": nia.pk}
    )
    assert nia.line_manager == cast.manager


def test_a_loop_is_refused_with_a_message_and_the_typed_input_kept(cast):
    client = cast.client("hr")
    before = people_rows()
    url = reverse("appraisals:person_edit", kwargs={"pk": cast.head.pk})
    data = form(
        employee_id=cast.head.employee_id,
        name="Bea Renamed",
        email=cast.head.email,
        manager=cast.person.employee_id,
    )
    response = client.post(url, data)
    assert response.status_code == 200
    errors = response.context["form"].errors["manager"]
    assert "Sam cannot be Bea Renamed's line manager" in errors[0]
    assert "which would make a loop" in errors[0]
    html = response.content.decode()
    assert 'value="Bea Renamed"' in html and f'value="Sam ({cast.person.employee_id})"' in html
    assert html.startswith("<!DOCTYPE html>") and "<title>Error: " in html
    assert people_rows() == before


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"manager": "NOPE"}, "manager", "No one matches “NOPE”: enter their name or employee id"),
        (
            {"start_date-day": "31", "start_date-month": "2", "start_date-year": "2025"},
            "start_date",
            "Start date must be a real date",
        ),
        ({"leaving_date": "2020-01-01"}, "leaving_date", "cannot be before the start date"),
        ({"email": "SAM@example.org"}, "email", "Another person already has this email"),
        ({"employee_id": ""}, "employee_id", "Enter the employee id"),
    ],
)
def test_bad_input_is_named_at_its_field_and_nothing_written(cast, changes, field, message):
    before = people_rows()
    response = cast.client("hr").post(reverse("appraisals:person_create"), form(**changes))
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert people_rows() == before


def test_an_existing_employee_id_is_refused(cast):
    response = cast.client("hr").post(
        reverse("appraisals:person_create"), form(employee_id=cast.person.employee_id)
    )
    assert "employee_id" in response.context["form"].errors


def test_hr_edit_a_person_and_move_them(cast):
    url = reverse("appraisals:person_edit", kwargs={"pk": cast.person.pk})
    client = cast.client("hr")
    shown = client.get(url).context["form"]["manager"].value()
    assert shown == f"Mo ({cast.manager.employee_id})"
    data = form(
        employee_id=cast.person.employee_id,
        name="Sam",
        email=cast.person.email,
        manager=cast.other_manager.employee_id,
        job_title="Senior engineer",
    )
    assert client.post(url, data).status_code == 302
    cast.person.refresh_from_db()
    assert (cast.person.line_manager, cast.person.job_title) == (
        cast.other_manager,
        "Senior engineer",
    )


# --- the import page ---------------------------------------------------------------------

HEADER = (
    "employee id,name,email,manager's employee id,profile slug,job title,start date,"
    "probation end date\n"
)


def upload(client, text, name="people.csv", mode="whole_organisation"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    file = SimpleUploadedFile(name, text.encode(), content_type="text/csv")
    data = {"file": file} if mode is None else {"file": file, "mode": mode}
    return client.post(reverse("appraisals:people_import"), data)


def org_file(cast, **moves):
    rows = []
    for person in Person.objects.select_related("line_manager", "role_profile"):
        manager = moves.get(person.employee_id, person.line_manager)
        rows.append(
            ",".join(
                [
                    person.employee_id,
                    person.name,
                    person.email,
                    manager.employee_id if manager else "",
                    person.role_profile.slug if person.role_profile else "",
                    person.job_title,
                    "2024-01-15",
                    "",
                ]
            )
        )
    return HEADER + "\n".join(rows) + "\n"


def test_upload_preview_confirm(cast):
    client = cast.client("hr")
    text = org_file(cast, **{cast.person.employee_id: cast.other_manager}) + (
        "E900,Una New,una@example.org,E00000,,Engineer,2025-01-01,\n".replace(
            "E00000", cast.head.employee_id
        )
    )
    before = people_rows()
    preview = upload(client, text)
    assert preview.status_code == 200
    plan = preview.context["plan"]
    assert [change.person for change in plan.moved] == [cast.person]
    assert len(plan.created) == 1 and not plan.leavers
    html = preview.content.decode()
    assert "Check the people import" in html and "Sam" in html
    assert people_rows() == before  # a preview writes nothing
    token = preview.context["token"]
    done = client.post(reverse("appraisals:people_import"), {"token": token})
    assert done.status_code == 302
    cast.person.refresh_from_db()
    assert cast.person.line_manager == cast.other_manager
    assert Person.objects.filter(employee_id="E900").exists()
    assert not PendingUpload.objects.exists()


def test_a_confirmation_after_a_change_writes_nothing(cast):
    client = cast.client("hr")
    preview = upload(client, org_file(cast, **{cast.person.employee_id: cast.other_manager}))
    Person.objects.filter(pk=cast.other_person.pk).update(job_title="Changed meanwhile")
    before = people_rows()
    done = client.post(
        reverse("appraisals:people_import"), {"token": preview.context["token"]}, follow=True
    )
    assert "People changed since the preview" in done.content.decode()
    assert people_rows() == before


def test_a_bad_file_lists_its_problems_and_writes_nothing(cast):
    before = people_rows()
    page = upload(cast.client("hr"), HEADER + "E1,Bea,,E999,,,,\n")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Row 2, column D (manager): no person with employee id E999 in the file" in html
    assert "<title>Error: " in html
    assert people_rows() == before and not PendingUpload.objects.exists()


def test_someone_elses_token_reads_as_expired(cast):
    preview = upload(cast.client("hr"), org_file(cast))
    client = client_as(account("hazel", "HR"))
    response = client.post(
        reverse("appraisals:people_import"), {"token": preview.context["token"]}, follow=True
    )
    assert "That upload has expired" in response.content.decode()


def test_the_template_names_the_columns(cast):
    response = cast.client("hr").get(reverse("appraisals:people_template"))
    assert response.content.decode().startswith("employee id,name,email,manager's employee id")


def test_an_unchanged_edit_form_saves_as_it_was_shown(cast):
    """Dates are shown as the form reads them, so saving what was shown works."""
    client = cast.client("hr")
    url = reverse("appraisals:person_edit", kwargs={"pk": cast.person.pk})
    form = client.get(url).context["form"]
    data = shown_data(form)
    assert [data[f"start_date-{part}"] for part in ("day", "month", "year")] == ["15", "1", "2024"]
    assert client.post(url, data).status_code == 302


def test_the_admin_people_list_links_to_the_import(admin_client, cast):
    response = admin_client.get(reverse("admin:appraisals_person_changelist"))
    assert response.status_code == 200
    assert reverse("appraisals:people_import") in response.content.decode()
    assert "Sam" in response.content.decode()


def test_the_import_asks_what_the_file_is_and_keeps_nothing_until_told(cast):
    before = people_rows()
    page = upload(cast.client("hr"), org_file(cast), mode=None)
    assert page.status_code == 200
    assert page.context["form"].errors["mode"] == [
        "Choose whether the file is the whole organisation"
    ]
    assert "<title>Error: " in page.content.decode()
    assert people_rows() == before and not PendingUpload.objects.exists()


def test_new_starters_under_a_manager_here_are_added_and_nobody_leaves(cast):
    client = cast.client("hr")
    starters = HEADER + f"E900,Una New,una@example.org,{cast.manager.employee_id},,,,\n"
    # As the whole organisation, the file would mark everyone else as left:
    # it is refused, and the page says which mode would take it.
    whole = upload(client, starters)
    assert "import in the mode &#x27;add and update only&#x27;" in whole.content.decode()
    preview = upload(client, starters, mode="add_and_update")
    assert preview.status_code == 200
    html = preview.content.decode()
    assert "Add and update only." in html and "mark nobody as having left" in html
    client.post(reverse("appraisals:people_import"), {"token": preview.context["token"]})
    una = Person.objects.get(employee_id="E900")
    assert una.line_manager == cast.manager
    assert not Person.objects.filter(leaving_date__isnull=False).exists()


def test_the_whole_organisation_preview_says_who_leaves(cast):
    text = org_file(cast).replace(
        next(line for line in org_file(cast).splitlines() if "Tia" in line) + "\n", ""
    )
    html = upload(cast.client("hr"), text).content.decode()
    assert "The whole organisation." in html and "mark 1 as having left today" in html
