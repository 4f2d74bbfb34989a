import json

import pytest
from django.core.management.base import CommandError
from jsonschema import Draft202012Validator

from competency.models import (
    Category,
    DevelopmentActivity,
    KnowledgeItem,
    Qualification,
    Skill,
    Training,
    WorkActivity,
)
from profiles.documents import SCHEMA_PATH
from profiles.models import RoleProfile
from tests.paths import DATA, OWN_PAGE, SAMPLE, SHARED, needs_shared
from tests.profiles.helpers import run

pytestmark = pytest.mark.django_db

SLUG = "senior-devops-engineer-management"


def shared_schema():
    return json.loads((SHARED / "schema" / "role-profile.schema.json").read_text())


@needs_shared
def test_the_projects_schema_is_the_shared_one():
    assert json.loads(SCHEMA_PATH.read_text()) == shared_schema()


@pytest.mark.parametrize(
    "source",
    [pytest.param(SAMPLE, marks=needs_shared), OWN_PAGE, DATA / "lead-data-engineer-technical.txt"],
)
def test_an_export_is_valid_against_the_schema(ddat, source):
    run("import_profile", str(source))
    slug = RoleProfile.objects.get().slug
    document = json.loads(run("export_profile", slug))
    # The project's copy of the schema, which the test above keeps identical
    # to the shared one wherever that is at hand.
    errors = list(Draft202012Validator(json.loads(SCHEMA_PATH.read_text())).iter_errors(document))
    assert errors == []
    assert document["version"] is None


def forget_everything_but_the_frameworks():
    RoleProfile.objects.all().delete()
    for model in (
        WorkActivity,
        KnowledgeItem,
        Training,
        DevelopmentActivity,
        Qualification,
        Skill,
        Category,
    ):
        model.objects.all().delete()


def test_importing_an_export_and_exporting_again_gives_the_same_document(ddat, tmp_path):
    run("import_profile", str(OWN_PAGE))
    exported = run("export_profile", SLUG)
    forget_everything_but_the_frameworks()

    path = tmp_path / "export.json"
    path.write_text(exported, encoding="utf-8")
    assert "Created draft" in run("import_profile", str(path))
    assert run("export_profile", SLUG) == exported


def test_a_published_version_exports_with_its_number(ddat):
    run("import_profile", str(OWN_PAGE), "--publish")
    version_one = run("export_profile", SLUG, "--version", "1")
    assert json.loads(version_one)["version"] == 1
    # The keys come out in the schema's order whatever the database kept.
    assert list(json.loads(version_one))[:3] == ["schema", "title", "slug"]
    draft = json.loads(run("export_profile", SLUG))
    assert {**draft, "version": 1} == json.loads(version_one)


def test_exporting_an_unknown_profile_or_version_is_an_error(ddat):
    with pytest.raises(CommandError, match="No role profile has the slug 'nobody'"):
        run("export_profile", "nobody")
    run("import_profile", str(OWN_PAGE))
    with pytest.raises(CommandError, match="has no version 2; published versions: none"):
        run("export_profile", SLUG, "--version", "2")
