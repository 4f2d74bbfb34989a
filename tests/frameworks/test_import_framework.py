"""Whole frameworks in and out: the DDaT role table, an organisation's own
skills table (CSV and XLSX) and the framework/1 JSON round trip."""

import csv
import io
import json

import pytest
from openpyxl import Workbook

from competency.models import Category, Framework, Level, Skill, SkillLevel
from profiles.models import JobFamily, RoleProfile
from tests.paths import DDAT_ROLES, SKILLS
from tests.profiles.helpers import run

pytestmark = pytest.mark.django_db


def import_file(path, *args):
    return run("import_framework", str(path), *args)


def export(name):
    return json.loads(run("export_framework", name))


def test_the_ddat_role_table_makes_skills_families_and_draft_profiles():
    output = import_file(DDAT_ROLES, "--format", "ddat-roles")
    assert "Framework DDaT: created" in output
    assert "skills: 6 added" in output
    assert "draft role profiles: 5 added" in output

    ddat = Framework.objects.get(name="DDaT")
    assert list(ddat.levels.values_list("name", flat=True)) == [
        "Awareness",
        "Working",
        "Practitioner",
        "Expert",
    ]
    assert "Open Government Licence v3.0" in ddat.attribution
    assert set(Category.objects.values_list("name", flat=True)) == {
        "Data",
        "Software development",
    }
    assert set(JobFamily.objects.values_list("name", flat=True)) == {
        "Data engineer",
        "DevOps engineer",
    }
    lead = RoleProfile.objects.get(slug="lead-devops-engineer")
    assert (lead.status, lead.role_level, lead.job_family.name) == (
        "draft",
        "Lead",
        "DevOps engineer",
    )
    assert lead.summary == "A lead DevOps engineer sets direction for delivery tooling."
    assert [(link.skill.name, link.level.name) for link in lead.skill_links.all()] == [
        ("Programming and build (software engineering)", "Expert"),
        ("Systems integration", "Expert"),
        ("Data engineering", "Expert"),
    ]
    expert = SkillLevel.objects.get(skill__name="Systems integration", level__rank=4)
    assert expert.description == "You can lead integration across many systems."


def test_headers_match_in_any_case_and_extra_columns_are_ignored(tmp_path):
    text = DDAT_ROLES.read_text(encoding="utf-8")
    header, rest = text.split("\n", 1)
    shouting = tmp_path / "roles.csv"
    shouting.write_text(
        "Download date,"
        + header.upper()
        + "\n"
        + "".join(f"2026-11-01,{line}\n" for line in rest.splitlines()),
        encoding="utf-8",
    )
    import_file(shouting, "--format", "ddat-roles")
    assert Skill.objects.count() == 6
    assert RoleProfile.objects.count() == 5


def test_importing_the_same_table_twice_changes_nothing():
    import_file(DDAT_ROLES, "--format", "ddat-roles")
    before = export("DDaT")
    output = import_file(DDAT_ROLES, "--format", "ddat-roles")
    assert "skills: 0 added, 0 changed, 6 unchanged" in output
    assert "draft role profiles: 0 added, 0 changed, 5 unchanged" in output
    assert export("DDaT") == before


def test_a_dry_run_reports_and_writes_nothing():
    output = import_file(DDAT_ROLES, "--format", "ddat-roles", "--dry-run")
    assert "skills: 6 added" in output
    assert "Preview only: nothing was written." in output
    assert not Framework.objects.exists()
    assert not RoleProfile.objects.exists()


def test_an_organisations_own_framework_from_csv():
    output = import_file(SKILLS, "--format", "skills")
    assert "Framework Acme Engineering: created" in output
    acme = Framework.objects.get(name="Acme Engineering")
    assert [str(level) for level in acme.levels.all()] == [
        "1 – Learning",
        "2 – Doing",
        "3 – Leading",
    ]
    quality = Category.objects.get(name="Quality")
    assert quality.parent.name == "Delivery"
    assert Skill.objects.get(name="Test automation").category == quality
    assert Skill.objects.get(name="Mentoring").description.endswith("review and conversation.")
    assert acme.attribution == ""


def skills_workbook(path):
    workbook = Workbook()
    sheet = workbook.active
    for row in csv.reader(io.StringIO(SKILLS.read_text(encoding="utf-8"))):
        sheet.append([int(cell) if cell.isdigit() else cell for cell in row])
    workbook.save(path)
    return path


def test_the_same_framework_from_xlsx(tmp_path):
    import_file(SKILLS, "--format", "skills")
    from_csv = export("Acme Engineering")
    Skill.objects.all().delete()
    Category.objects.all().delete()
    Framework.objects.all().delete()

    output = import_file(skills_workbook(tmp_path / "skills.xlsx"))
    assert "Framework Acme Engineering: created" in output
    assert export("Acme Engineering") == from_csv


def test_levels_the_scale_lacks_are_added_from_a_later_file(tmp_path):
    import_file(SKILLS, "--format", "skills")
    more = tmp_path / "more.csv"
    more.write_text(
        SKILLS.read_text(encoding="utf-8")
        + 'Acme Engineering,People,,Mentoring,"Helping colleagues grow — through pairing, '
        'review and conversation.",4,Shaping,"Shapes mentoring across the company."\n',
        encoding="utf-8",
    )
    output = import_file(more, "--format", "skills")
    assert "levels: 1 added, 0 changed, 3 unchanged" in output
    assert Level.objects.get(rank=4).name == "Shaping"


def test_an_exported_framework_imports_as_the_same_framework(tmp_path):
    import_file(DDAT_ROLES, "--format", "ddat-roles")
    import_file(SKILLS, "--format", "skills")
    for name in ("DDaT", "Acme Engineering"):
        document = export(name)
        RoleProfile.objects.all().delete()
        SkillLevel.objects.filter(skill__category__framework__name=name).delete()
        Skill.objects.filter(category__framework__name=name).delete()
        Category.objects.filter(framework__name=name).delete()
        Framework.objects.filter(name=name).delete()

        path = tmp_path / f"{name}.json"
        path.write_text(json.dumps(document), encoding="utf-8")
        assert f"Framework {name}: created" in import_file(path)
        assert export(name) == document


def test_a_new_edition_updates_the_catalogue_and_published_versions_keep_their_text(tmp_path):
    from profiles.lifecycle import publish_profile

    import_file(DDAT_ROLES, "--format", "ddat-roles")
    lead = RoleProfile.objects.get(slug="lead-devops-engineer")
    version = publish_profile(profile=lead)
    old = "You can connect systems through well-defined interfaces."
    assert version.document["organisation_skills"][1]["description"] == old

    text = DDAT_ROLES.read_text(encoding="utf-8")
    edition = tmp_path / "edition-2.csv"
    new = "You can join systems together through contracts that both sides test."
    lines = [line for line in text.splitlines() if "Metadata management" not in line]
    edition.write_text("\n".join(lines).replace(old, new) + "\n", encoding="utf-8")

    output = import_file(edition, "--format", "ddat-roles")
    assert "skills: 0 added, 1 changed, 4 unchanged, 1 not in the new file" in output
    assert "not in the new file: Data – Metadata management" in output
    assert "1 changed skill(s) are in published profile versions" in output

    assert Skill.objects.get(name="Systems integration").description == new
    version.refresh_from_db()
    assert version.document["organisation_skills"][1]["description"] == old
    # A skill missing from the new file stays: profiles may still use it.
    assert Skill.objects.filter(name="Metadata management").exists()


def test_the_demo_scale_keeps_its_level_descriptions(settings):
    settings.DEBUG = True
    run("seed_demo")
    before = list(Level.objects.values_list("rank", "name", "description"))
    import_file(DDAT_ROLES, "--format", "ddat-roles")
    assert list(Level.objects.values_list("rank", "name", "description")) == before
