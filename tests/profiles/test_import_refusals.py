"""When the database refuses an import's write: "try again" is never said
for what a retry cannot mend. A unique key that another import took
meanwhile (a race) is found by the import's second run and used; a
refusal that is the file's (a CHECK, or two rows the database counts as
the same key) is named, and nothing is written.

The database rules the import does not check in Python are added here by
the test (an index, a constraint), as a later migration or a DBA might:
the import cannot know them, so the database is the one to refuse."""

import json
import threading

import pytest
from django.core.management.base import CommandError
from django.db import connection, connections

from competency.models import WorkActivity, fingerprint
from profiles.importing.parsing import read_profile
from profiles.models import RoleProfile
from tests.paths import DATA
from tests.profiles.helpers import run, written_rows
from tests.threads import wait_until_someone_waits_for_a_lock

LEAD = DATA / "lead-data-engineer-technical.txt"


def lead_document(title="Lead Data Engineer – Technical"):
    text = LEAD.read_text(encoding="utf-8").replace("Lead Data Engineer – Technical", title)
    return read_profile(text.encode(), "lead.txt").document


def file_with(tmp_path, document, name="profile.json"):
    path = tmp_path / name
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def execute(sql):
    with connection.cursor() as cursor:
        cursor.execute(sql)


@pytest.mark.django_db
def test_two_items_the_database_counts_as_one_are_named_not_try_again(ddat, tmp_path, hr_api):
    # Activities unique whatever their case, a rule the import does not know.
    execute(
        "CREATE UNIQUE INDEX test_activity_title_any_case ON competency_workactivity (lower(title))"
    )
    document = lead_document()
    document["work_activities"] += [
        {"title": "Deploy the services", "details": "By hand."},
        {"title": "deploy the services", "details": "With a pipeline."},
    ]
    before = written_rows()
    with pytest.raises(CommandError) as refused:
        run("import_profile", str(file_with(tmp_path, document)))
    message = str(refused.value)
    assert "try again" not in message
    assert "the database refused" in message and "would have the same" in message
    assert "Nothing was imported." in message
    assert written_rows() == before
    # The API says the same, as a 400 naming the file's fault.
    answer = hr_api.post(
        "/api/v1/profiles/import/", json.dumps(document), content_type="application/json"
    )
    assert answer.status_code in (400, 422), answer.content
    assert "try again" not in answer.content.decode()
    assert "would have the same" in answer.content.decode()
    assert written_rows() == before


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite adds no CHECK to a table")
def test_a_check_the_database_holds_is_named_not_try_again(ddat, tmp_path):
    execute(
        "ALTER TABLE competency_workactivity ADD CONSTRAINT test_details_known "
        "CHECK (details <> 'TBD')"
    )
    document = lead_document()
    document["work_activities"].append({"title": "Something new", "details": "TBD"})
    with pytest.raises(CommandError) as refused:
        run("import_profile", str(file_with(tmp_path, document)))
    message = str(refused.value)
    assert "try again" not in message
    assert "test_details_known" in message
    assert not RoleProfile.objects.exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row-lock races need PostgreSQL")
def test_an_item_committed_by_another_import_meanwhile_is_found_on_the_second_run(ddat, tmp_path):
    """A real race: the item is inserted and committed by another connection
    while this import waits on the unique key; its first run is refused,
    its second finds the item and uses it."""
    document = lead_document()
    document["work_activities"].append({"title": "Brand new activity", "details": "Shared."})
    path = file_with(tmp_path, document)
    other = threading.Event()
    failed = []

    def colleague():
        # Another import's transaction: it inserts the same item and holds
        # it uncommitted until this import is waiting on the unique key.
        try:
            with connections["default"].cursor() as cursor:
                cursor.execute("BEGIN")
                cursor.execute(
                    "INSERT INTO competency_workactivity (title, details, key, updated_at) "
                    "VALUES (%s, %s, %s, now())",
                    ["Brand new activity", "Shared.", fingerprint("Brand new activity", "Shared.")],
                )
                other.set()
                # The import waits on the key: it saw no such item.
                wait_until_someone_waits_for_a_lock()
                cursor.execute("COMMIT")
        except Exception as error:
            failed.append(error)
        finally:
            connections.close_all()

    thread = threading.Thread(target=colleague)
    thread.start()
    other.wait(10)
    out = run("import_profile", str(path))
    thread.join(10)
    assert not failed, failed
    assert "Created" in out or "created" in out
    assert WorkActivity.objects.filter(title="Brand new activity").count() == 1
    assert RoleProfile.objects.filter(slug=document["slug"]).exists()


@pytest.mark.django_db
def test_a_framework_whose_skills_the_database_counts_as_one_is_named(ddat, hr_api):
    execute("CREATE UNIQUE INDEX test_skill_name_any_case ON competency_skill (lower(name))")
    document = hr_api.get(f"/api/v1/frameworks/{ddat.slug}/export/").json()
    document["categories"].append(
        {
            "name": "Twins",
            "skills": [{"name": "Zeta skill"}, {"name": "zeta skill"}],
        }
    )
    before = written_rows()
    answer = hr_api.post(
        "/api/v1/frameworks/import/?format=json",
        json.dumps(document),
        content_type="application/json",
    )
    assert answer.status_code in (400, 422), answer.content
    text = answer.content.decode()
    assert "try again" not in text
    assert "the database refused the file" in text
    assert written_rows() == before
