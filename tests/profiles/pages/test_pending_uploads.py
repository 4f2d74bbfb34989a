"""Uploads waiting for confirmation live in the database, not the session:
capped in size, expiring, a few per person, and only for their uploader."""

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from profiles.models import PendingUpload, RoleProfile
from profiles.uploads import MAX_UPLOAD
from tests.cast import account
from tests.paths import DATA, DDAT_ROLES

pytestmark = pytest.mark.django_db

LEAD_DATA = DATA / "lead-data-engineer-technical.txt"


def preview(client, data=None):
    data = data if data is not None else LEAD_DATA.read_bytes()
    response = client.post(
        reverse("imports:profile"), {"file": SimpleUploadedFile("lead.txt", data)}
    )
    assert response.status_code == 200
    return response


def confirm(client, token, **extra):
    return client.post(reverse("imports:profile"), {"token": token, **extra}, follow=True)


def test_the_session_does_not_grow_with_uploads(hr, ddat):
    # A big but valid page: the lead page with a long background paragraph.
    text = LEAD_DATA.read_text(encoding="utf-8")
    big = text.replace("\nBackground\n", "\nBackground\n\n" + "Context. " * 100_000 + "\n", 1)
    for _ in range(5):
        preview(hr, big.encode())
    session = Session.objects.get(session_key=hr.session.session_key)
    assert len(session.session_data) < 1_000


def test_a_person_keeps_only_their_newest_few(hr, hr_user, ddat):
    tokens = [preview(hr).context["token"] for _ in range(PendingUpload.KEEP + 2)]
    kept = set(PendingUpload.objects.filter(owner=hr_user).values_list("token", flat=True))
    assert kept == set(tokens[-PendingUpload.KEEP :])
    assert "That upload has expired" in confirm(hr, tokens[0]).content.decode()


def test_confirming_deletes_the_upload(hr, ddat):
    token = preview(hr).context["token"]
    confirm(hr, token)
    assert not PendingUpload.objects.filter(token=token).exists()
    assert RoleProfile.objects.filter(slug="lead-data-engineer-technical").exists()


def test_another_hr_officers_token_reads_as_expired(hr, client, ddat):
    token = preview(hr).context["token"]
    client.force_login(account("henry", "HR"))
    response = confirm(client, token)
    assert "That upload has expired" in response.content.decode()
    assert not RoleProfile.objects.exists()
    assert PendingUpload.objects.filter(token=token).exists(), "it is still its owner's"


def test_a_token_for_the_other_page_reads_as_expired(hr, ddat):
    framework = hr.post(
        reverse("imports:framework"),
        {"file": SimpleUploadedFile("roles.csv", DDAT_ROLES.read_bytes()), "format": "ddat-roles"},
    )
    response = confirm(hr, framework.context["token"])
    assert "That upload has expired" in response.content.decode()


def test_an_expired_upload_is_refused_and_cleared_on_the_next_upload(hr, ddat):
    token = preview(hr).context["token"]
    PendingUpload.objects.update(created_at=timezone.now() - timedelta(hours=1, minutes=1))
    response = confirm(hr, token)
    assert "That upload has expired" in response.content.decode()
    assert not RoleProfile.objects.exists()
    preview(hr)
    assert not PendingUpload.objects.filter(token=token).exists()
    assert PendingUpload.objects.count() == 1


def test_a_file_over_the_cap_is_refused_before_its_body_is_read(hr, ddat, monkeypatch):
    from django.http import multipartparser

    def never(self):
        raise AssertionError("the body of an oversized upload was parsed")

    monkeypatch.setattr(multipartparser.MultiPartParser, "parse", never)
    response = hr.post(
        reverse("imports:profile"),
        {"file": SimpleUploadedFile("big.txt", b"x" * (MAX_UPLOAD + 100_000))},
    )
    assert response.status_code == 413
    assert "The file is larger than 5 MB" in response.content.decode()
    assert not PendingUpload.objects.exists()


def test_a_file_just_over_the_cap_is_refused_too(hr, ddat):
    response = hr.post(
        reverse("imports:profile"),
        {"file": SimpleUploadedFile("big.txt", b"x" * (MAX_UPLOAD + 1))},
    )
    assert "The file is larger than 5 MB" in response.content.decode()
    assert not PendingUpload.objects.exists()


def test_the_upload_pages_still_check_csrf(hr_user, ddat):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(hr_user)
    response = client.post(
        reverse("imports:profile"), {"file": SimpleUploadedFile("lead.txt", b"x")}
    )
    assert response.status_code == 403
    assert not PendingUpload.objects.exists()


@pytest.mark.parametrize("who", ["staff", "manager"])
def test_people_who_are_not_hr_cannot_upload_or_confirm(request, who, hr, ddat):
    token = preview(hr).context["token"]
    client = request.getfixturevalue(who)
    for data in (
        {"file": SimpleUploadedFile("lead.txt", LEAD_DATA.read_bytes())},
        {"token": token},
    ):
        assert client.post(reverse("imports:profile"), data).status_code == 403
    assert not RoleProfile.objects.exists()
