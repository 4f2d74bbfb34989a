"""Every request body is read within a bound: a body larger than the
endpoint takes is a 413 before anything reads it (whoever sends it, signed
in by session or by token), and JSON nested without end or holding endless
numbers is a 400 that says so. Nothing is written either way."""

import io
import json

import pytest
from django.conf import settings
from django.test import RequestFactory

from appraisals.models import Person
from competency.api.parsers import BodyTooLarge, FileBody, JSONParser, refuse_oversized
from profiles.importing.parsing import MAX_PROFILE_FILE
from profiles.models import RoleProfile
from profiles.uploads import MAX_REQUEST, MAX_UPLOAD
from tests.api.helpers import assert_problem

LIMIT = settings.DATA_UPLOAD_MAX_MEMORY_SIZE


def padded_profile(size):
    """A new profile's JSON body of about `size` bytes (a long title)."""
    return json.dumps({"title": "T" * size, "slug": "padded"}).encode()


@pytest.mark.parametrize("who", ["hr_api", "hr_token_api"])
def test_a_json_body_over_the_limit_is_a_413_and_writes_nothing(request, db, who):
    client = request.getfixturevalue(who)
    response = client.post(
        "/api/v1/profiles/", padded_profile(LIMIT + 10), content_type="application/json"
    )
    body = assert_problem(response, 413)
    assert body["detail"] == (
        f"The request body is {(LIMIT + 47) / 1024 / 1024:,.1f} MB; this endpoint reads at "
        "most 2.5 MB."
    )
    assert not RoleProfile.objects.exists()


def test_a_json_body_within_the_limit_is_read(hr_api):
    # The same endpoint answers the body on its merits: a title too long.
    response = hr_api.post(
        "/api/v1/profiles/", padded_profile(LIMIT - 100), content_type="application/json"
    )
    body = assert_problem(response, 400)
    assert body["errors"][0]["pointer"] == "#/title"


def test_an_anonymous_caller_is_refused_a_large_body_before_signing_in(anonymous_api, db):
    # Not a 401 after reading 3 MB: the size is known from the header.
    response = anonymous_api.post(
        "/api/v1/profiles/", padded_profile(LIMIT + 10), content_type="application/json"
    )
    assert_problem(response, 413)


def test_a_large_multipart_form_is_refused_before_the_csrf_check_reads_it(hr_user):
    from rest_framework.test import APIClient

    client = APIClient(enforce_csrf_checks=True)
    client.force_login(hr_user)
    upload = io.BytesIO(b"x" * (LIMIT + 10))
    upload.name = "big.bin"
    response = client.post("/api/v1/profiles/", {"file": upload}, format="multipart")
    # Without the check the CSRF middleware would first spool the file to
    # disk and answer 403.
    assert_problem(response, 413)


@pytest.mark.parametrize(
    "body, words",
    [
        (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
        (b'{"title": ' + b"9" * 5_000 + b"}", "number is too long"),
        (b'{"title": NaN, "slug": "x"}', "JSON parse error"),
        (b'{"title": "\xff"}', "JSON parse error"),
        (b'{"title": ', "JSON parse error"),
    ],
    ids=["deep", "long number", "NaN", "not UTF-8", "cut short"],
)
def test_hostile_json_is_a_400_that_says_why(hr_api, body, words):
    response = hr_api.post("/api/v1/profiles/", body, content_type="application/json")
    assert words in assert_problem(response, 400)["detail"]
    assert not RoleProfile.objects.exists()


def test_a_profile_file_over_the_importers_limit_is_a_413(hr_api):
    body = b'{"schema": "role-profile/1", "title": "' + b"x" * MAX_PROFILE_FILE + b'"}'
    for path in ("/api/v1/profiles/import/preview/", "/api/v1/profiles/import/"):
        response = hr_api.post(path, body, content_type="application/json")
        assert "this endpoint reads at most 5 MB" in assert_problem(response, 413)["detail"]
    assert not RoleProfile.objects.exists()


def test_a_people_table_over_the_limit_is_a_413_as_a_body_or_a_form(cast):
    hr = cast.api("hr")
    before = Person.objects.count()
    big = b"employee id,name\n" + b"E1,x\n" * (MAX_UPLOAD // 5)
    response = hr.post(
        "/api/v1/people/import/?mode=whole_organisation", big, content_type="text/csv"
    )
    assert "5 MB" in assert_problem(response, 413)["detail"]
    upload = io.BytesIO(b"x" * MAX_REQUEST)
    upload.name = "people.csv"
    response = hr.post(
        "/api/v1/people/import/?mode=whole_organisation", {"file": upload}, format="multipart"
    )
    assert_problem(response, 413)
    assert Person.objects.count() == before


def test_each_parser_reads_no_more_than_its_limit():
    # A stream longer than its stated length (or with none) still costs at
    # most the limit and one byte.
    class Table(FileBody):
        limit = 10

    stream = io.BytesIO(b"y" * 1_000)
    with pytest.raises(BodyTooLarge):
        Table().parse(stream)
    assert stream.tell() == 11
    stream = io.BytesIO(b"[" + b"1," * LIMIT + b"1]")
    with pytest.raises(BodyTooLarge):
        JSONParser().parse(stream, parser_context={})
    assert stream.tell() == LIMIT + 1


def test_a_request_without_a_body_or_with_a_nonsense_length_passes_the_check():
    parsers = [JSONParser()]
    for length in ("", "0", "-5", "lots"):
        refuse_oversized(RequestFactory().get("/", CONTENT_LENGTH=length), parsers)
    with pytest.raises(BodyTooLarge):
        refuse_oversized(RequestFactory().get("/", CONTENT_LENGTH=str(LIMIT + 1)), parsers)
