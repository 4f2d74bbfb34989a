"""Hostile role-profile/1 JSON gets one message naming the file, and nothing
is written, from the command and from the upload page alike."""

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from profiles.models import RoleProfile
from tests import hostile
from tests.profiles.helpers import run, written_rows

pytestmark = pytest.mark.django_db


def profile_document(level=3):
    """A small role-profile/1 document with one DDaT skill at `level`."""
    return {
        "schema": "role-profile/1",
        "title": "Senior Tester",
        "slug": "senior-tester",
        "summary": "Tests things.",
        "responsibilities": ["Test things"],
        "background": [],
        "prior_knowledge": [],
        "work_activities": [],
        "knowledge_skills": [],
        "training": [],
        "pdas": [],
        "qualifications": [],
        "organisation_skills": [
            {
                "framework": "DDaT",
                "category": "Testing",
                "skill": "Test design",
                "description": "Designing tests.",
                "level": level,
                "level_name": "Practitioner",
                "level_description": "You can design tests.",
            }
        ],
    }


def refused_by_command(tmp_path, data):
    path = tmp_path / "profile.json"
    path.write_bytes(data)
    before = written_rows()
    with pytest.raises(CommandError) as error:
        run("import_profile", str(path))
    assert written_rows() == before, "a refused file must write nothing"
    message = str(error.value)
    assert message.startswith((f"{path}: ", f"{path}, "))
    assert "Traceback" not in message
    return message


def refused_by_page(client, data):
    before = written_rows()
    response = client.post(
        reverse("imports:profile"), {"file": SimpleUploadedFile("profile.json", data)}
    )
    assert response.status_code == 200
    assert written_rows() == before, "a refused file must write nothing"
    (message,) = response.context["form"].errors["file"]
    return message


HOSTILE = [
    (
        "nested 10,000 deep",
        lambda: hostile.deep_json(profile=True),
        "the JSON is nested too deeply: more than 8 levels of brackets",
    ),
    (
        "an integer of 5,000 digits",
        lambda: hostile.long_number(profile=True),
        "a number is too long: more than 100 digits",
    ),
    (
        "a skill at level 40000",
        lambda: json.dumps(profile_document(level=40_000)).encode(),
        "unknown level '40000 – Practitioner' for 'Test design'",
    ),
    (
        "a skill at a level of 100 digits",
        lambda: json.dumps(profile_document(level=10**99)).encode(),
        "unknown level '1000000000",
    ),
]


@pytest.mark.parametrize(
    ("build", "expected"), [case[1:] for case in HOSTILE], ids=[case[0] for case in HOSTILE]
)
def test_the_command_refuses_hostile_json_with_one_message(ddat, tmp_path, build, expected):
    assert expected in refused_by_command(tmp_path, build())


@pytest.mark.parametrize(
    ("build", "expected"), [case[1:] for case in HOSTILE], ids=[case[0] for case in HOSTILE]
)
def test_the_upload_page_refuses_hostile_json_with_one_message(hr, ddat, build, expected):
    assert expected in refused_by_page(hr, build())


def test_the_document_imports_at_a_level_the_scale_has(ddat, tmp_path):
    # So that each refusal above is the hostility's doing, not a broken document.
    path = tmp_path / "profile.json"
    path.write_text(json.dumps(profile_document(level=3)))
    run("import_profile", str(path))
    assert RoleProfile.objects.filter(slug="senior-tester").exists()


def test_json_as_deep_as_the_limit_allows_gets_the_schema_message(ddat, tmp_path):
    # Eight levels of brackets (the document's own, then seven) pass the
    # limit and reach schema validation, which answers with the schema's
    # message; one more is refused before parsing.
    document = profile_document()
    document["responsibilities"] = [[[[[[["Test"]]]]]]]
    message = refused_by_command(tmp_path, json.dumps(document).encode())
    assert "$.responsibilities[0]: does not match role-profile/1" in message
    document["responsibilities"] = [document["responsibilities"]]
    message = refused_by_command(tmp_path, json.dumps(document).encode())
    assert "nested too deeply" in message


def test_json_larger_than_the_upload_page_takes_is_refused_by_the_command_too(ddat, tmp_path):
    document = profile_document()
    document["summary"] = "x" * (6 * 1024 * 1024)
    message = refused_by_command(tmp_path, json.dumps(document).encode())
    assert "the file is larger than 5 MB" in message


def test_a_page_text_larger_than_any_profile_is_refused_unread(ddat, tmp_path):
    path = tmp_path / "huge.txt"
    with path.open("wb") as file:
        file.truncate(6 * 1024 * 1024)  # sparse: six megabytes of nothing
        file.seek(0)
        file.write(b"Huge profile\n\nSummary\n")
    with pytest.raises(CommandError) as error:
        call_command("import_profile", str(path), stdout=io.StringIO())
    assert "huge.txt: the file is larger than 5 MB" in str(error.value)
