"""The profile import's preview: the profile as it will look, what
confirming does in plain words, the question about shared texts, and
files of the wrong kind."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from competency.models import Skill
from tests.paths import DATA, DDAT_ROLES, ROOT, SKILLS
from tests.profiles.helpers import run, written_rows

pytestmark = pytest.mark.django_db

LEAD_DATA = DATA / "lead-data-engineer-technical.txt"
DESCRIPTION = "You can describe data so that"


def upload(name, data):
    return SimpleUploadedFile(name, data)


def preview(client, name, data):
    return client.post(reverse("imports:profile"), {"file": upload(name, data)})


def principal_bytes():
    text = LEAD_DATA.read_text(encoding="utf-8")
    text = text.replace("Lead Data Engineer – Technical", "Principal Data Engineer")
    return text.replace(DESCRIPTION, "You can describe any data so that").encode()


def test_the_preview_shows_the_profile_as_it_will_look(hr, ddat):
    response = preview(hr, "lead.txt", LEAD_DATA.read_bytes())
    content = response.content.decode()
    assert "Nothing is saved yet. This will create the draft ‘Lead Data Engineer – Technical’." in (
        content
    )
    assert "How the profile will look" in content
    # The document's own tables, as the profile page lays them out.
    assert "Work Activities of Lead Data Engineer – Technical" in content
    assert "Data – Metadata management" in content


def test_the_preview_says_when_it_replaces_a_draft_and_loses_unpublished_changes(hr, lead):
    from profiles import drafts, lifecycle

    lifecycle.start_draft(profile=lead)
    values = drafts.field_values(lead)
    drafts.update_profile(profile=lead, values={**values, "variant": "Platform"}, base=values)
    content = preview(hr, "lead.txt", LEAD_DATA.read_bytes()).content.decode()
    assert (
        "This will replace the draft of ‘Lead Data Engineer – Technical’ "
        "(unpublished changes will be lost)."
    ) in content


def test_the_preview_says_when_it_changes_nothing(hr, lead):
    content = preview(hr, "lead.txt", LEAD_DATA.read_bytes()).content.decode()
    assert "Nothing is saved yet. This changes nothing:" in content


def test_the_preview_warns_of_a_text_that_looks_cut_off(hr, ddat):
    content = preview(hr, "lead.txt", LEAD_DATA.read_bytes()).content.decode()
    assert "warning: the details of work activity &#x27;Data pipeline design&#x27; (line 41)" in (
        content
    )


def test_the_preview_lists_the_profiles_that_share_a_changed_text_and_asks(hr, lead):
    response = preview(hr, "principal.txt", principal_bytes())
    content = response.content.decode()
    assert "Texts that other profiles share" in content
    assert (
        f'<a class="govuk-link" href="{reverse("profiles:detail", args=[lead.slug])}">'
        "Lead Data Engineer – Technical</a>"
    ) in content
    assert 'name="shared_texts" type="radio" value="update"' in content
    assert 'name="shared_texts" type="radio" value="keep"' in content
    assert "note: kept" not in content, "the summary does not answer the question for them"
    # What must be decided comes first, with a button to confirm; the long
    # preview follows, with a second button for the same form at its end.
    assert content.index('name="shared_texts"') < content.index('id="how-it-will-look"')
    assert content.index('<button type="submit" class="govuk-button"') < content.index(
        'id="how-it-will-look"'
    )
    assert content.rindex('<button type="submit" form="confirm-import"') > content.index(
        'id="how-it-will-look"'
    )
    # The changed words of the shared text are marked in its comparison.
    assert "(added: </span>any" in content
    assert "{#" not in content and "#}" not in content  # no template comment shown


def test_confirming_without_an_answer_asks_again_and_writes_nothing(hr, lead):
    token = preview(hr, "principal.txt", principal_bytes()).context["token"]
    before = written_rows()
    response = hr.post(reverse("imports:profile"), {"token": token, "publish": "on"})
    content = response.content.decode()
    assert "<title>Error: Check the import" in content
    assert "Choose whether to update the shared texts everywhere or keep the current text" in (
        content
    )
    assert 'id="publish" name="publish" type="checkbox" value="on" checked' in content
    # The error is at the question, and the question before the long preview.
    question = content.index('<p id="shared_texts-error" class="govuk-error-message">')
    assert content.index('id="shared-texts-heading"') < question
    assert question < content.index('id="how-it-will-look"')
    assert written_rows() == before
    # The same token still confirms once answered.
    hr.post(reverse("imports:profile"), {"token": token, "shared_texts": "keep"})
    assert Skill.objects.get(name="Metadata management").description.startswith(DESCRIPTION)


def test_keep_leaves_the_shared_text_and_says_so(hr, lead):
    token = preview(hr, "principal.txt", principal_bytes()).context["token"]
    response = hr.post(
        reverse("imports:profile"), {"token": token, "shared_texts": "keep"}, follow=True
    )
    assert Skill.objects.get(name="Metadata management").description.startswith(DESCRIPTION)
    assert "catalogue&#x27;s current text of 1 skill text(s)" in response.content.decode()


def test_update_changes_the_shared_text_everywhere(hr, lead):
    token = preview(hr, "principal.txt", principal_bytes()).context["token"]
    hr.post(reverse("imports:profile"), {"token": token, "shared_texts": "update"})
    assert Skill.objects.get(name="Metadata management").description.startswith(
        "You can describe any data"
    )


def test_a_shared_text_changed_after_the_preview_is_not_overwritten(hr, lead):
    token = preview(hr, "principal.txt", principal_bytes()).context["token"]
    # A colleague rewords the skill meanwhile (a new edition of the framework).
    skill = Skill.objects.get(name="Metadata management")
    skill.description = "A colleague's new wording."
    skill.save()
    before = written_rows()
    response = hr.post(
        reverse("imports:profile"), {"token": token, "shared_texts": "update"}, follow=True
    )
    assert "changed after you checked the file" in response.content.decode()
    assert Skill.objects.get(pk=skill.pk).description == "A colleague's new wording."
    assert written_rows() == before


def test_a_file_with_no_shared_text_needs_no_answer(hr, ddat):
    token = preview(hr, "lead.txt", LEAD_DATA.read_bytes()).context["token"]
    response = hr.post(reverse("imports:profile"), {"token": token})
    assert response.status_code == 302


# --- Files of the wrong kind ---------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        ("roles.csv", DDAT_ROLES.read_bytes(), "this looks like a DDaT role table"),
        ("skills.csv", SKILLS.read_bytes(), "this looks like a skills table"),
        (
            "ddat.json",
            (ROOT / "fixtures" / "frameworks" / "ddat.json").read_bytes(),
            "this looks like a framework/1 export",
        ),
        ("skills.xlsx", b"PK\x03\x04\x14\x00\x00\x00", "this is a spreadsheet (XLSX)"),
    ],
)
def test_a_framework_file_on_the_profile_page_says_where_it_goes(hr, ddat, name, data, expected):
    before = written_rows()
    content = preview(hr, name, data).content.decode()
    assert expected in content
    assert "import it on the framework page" in content
    assert written_rows() == before


def test_a_role_profile_document_on_the_framework_page_says_where_it_goes(hr, lead):
    document = run("export_profile", lead.slug).encode()
    assert json.loads(document)["schema"] == "role-profile/1"
    response = hr.post(
        reverse("imports:framework"),
        {"file": upload("lead.json", document), "format": "json"},
    )
    content = response.content.decode()
    assert "this is a role-profile/1 document, not a framework" in content
    assert "import it on the role profile page" in content


def test_page_text_on_the_framework_page_says_where_it_goes(hr, ddat):
    response = hr.post(
        reverse("imports:framework"),
        {"file": upload("lead.txt", LEAD_DATA.read_bytes()), "format": "ddat-roles"},
    )
    assert "this looks like the text of a role profile page" in response.content.decode()
