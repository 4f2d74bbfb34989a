"""The framework import page: table templates made from the readers' own
column lists, and links to the drafts an import made."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from competency.frameworks import SKILLS_COLUMNS
from profiles.importing.framework_import import DDAT_COLUMNS
from profiles.models import RoleProfile
from tests.paths import DDAT_ROLES

pytestmark = pytest.mark.django_db


def test_the_page_lists_each_tables_columns_with_a_template(hr):
    content = hr.get(reverse("imports:framework")).content.decode()
    for layout, columns in (("ddat-roles", DDAT_COLUMNS), ("skills", SKILLS_COLUMNS)):
        assert reverse("imports:table_template", args=[layout]) in content
        for column in columns:
            assert f"<li>{column}</li>" in content


@pytest.mark.parametrize(
    ("layout", "columns"), [("ddat-roles", DDAT_COLUMNS), ("skills", SKILLS_COLUMNS)]
)
def test_a_template_is_a_csv_of_the_columns_the_reader_expects(hr, layout, columns):
    response = hr.get(reverse("imports:table_template", args=[layout]))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert f'filename="{layout}-template.csv"' in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows == [columns]


def test_a_filled_in_template_reads_with_no_missing_column(hr):
    from competency.tables import read_table

    header = hr.get(reverse("imports:table_template", args=["ddat-roles"])).content
    row = ",".join(f"value {n}" for n in range(len(DDAT_COLUMNS)))
    ((_, cells),) = read_table(header + row.encode() + b"\r\n", "t.csv", DDAT_COLUMNS)
    assert list(cells) == DDAT_COLUMNS


def test_an_unknown_layout_has_no_template(hr):
    assert hr.get(reverse("imports:table_template", args=["sfia"])).status_code == 404


@pytest.mark.parametrize("who", ["staff", "manager"])
def test_templates_are_for_hr(request, who):
    client = request.getfixturevalue(who)
    assert client.get(reverse("imports:table_template", args=["skills"])).status_code == 403


def test_after_the_import_the_page_links_to_the_drafts_it_made(hr):
    preview = hr.post(
        reverse("imports:framework"),
        {"file": SimpleUploadedFile("roles.csv", DDAT_ROLES.read_bytes()), "format": "ddat-roles"},
    )
    response = hr.post(reverse("imports:framework"), {"token": preview.context["token"]})
    content = response.content.decode()
    assert "Framework imported" in content
    made = RoleProfile.objects.all()
    assert made.exists()
    for profile in made:
        link = f'<a class="govuk-link" href="{reverse("profiles:detail", args=[profile.slug])}">'
        assert f"{link}{profile.title}</a>" in content
