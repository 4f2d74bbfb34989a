"""The whole API against its own schema, with schemathesis: every operation
of /api/v1/schema/ (so endpoints added later are covered without a line
here), as HR, as a line manager and as staff, each with a token, with every
check schemathesis has on: no 5xx, every status, content type, header and
body as the schema says, invalid input refused, valid input accepted, auth
not ignored.

It runs in-process against the WSGI application, inside the test's
transaction (rolled back after each operation), with a bounded, derandomized
number of examples so that `make test` stays quick and every run sends the
same requests. Failures print the request as a curl line to replay.

Random path values would only ever meet 404, so the cases are steered onto a
small organisation's real rows half of the time (`real_rows`), and a write's
If-Match is sometimes `*` so that writes run past the precondition."""

import pytest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections

from competency.api import throttling
from competency.wsgi import application
from profiles import lifecycle
from profiles.models import RoleProfile
from tests import factories
from tests.cast import account, issue

# The API's shape, the same on both databases: `make test` runs it on
# PostgreSQL, `make test-sqlite` leaves it out.
pytestmark = pytest.mark.contract

# A dev dependency (pyproject.toml); a virtual environment made before it was
# added skips this module until `make install` brings it.
schemathesis = pytest.importorskip("schemathesis")
hypothesis = pytest.importorskip("hypothesis")
st = pytest.importorskip("hypothesis.strategies")
from schemathesis.core.transforms import to_wire_text  # noqa: E402
from schemathesis.transport.serialization import Binary  # noqa: E402

schema = schemathesis.openapi.from_wsgi(
    "/api/v1/schema/",
    application,
    config=schemathesis.config.SchemathesisConfig.from_dict(
        {
            # DRF refuses NUL in every text field (PostgreSQL cannot store
            # it); JSON Schema has no words for "no NUL" short of a pattern
            # on every string.
            "generation": {"allow-x00": False},
            "checks": {
                # Well-formed data is accepted, or refused as the schema says
                # it may be whatever the data: 412 is the answer to an If-Match
                # that is well formed but not the current ETag, which no
                # schema can tell apart; 422 the answer to an Idempotency-Key
                # an earlier example used with another body (the examples
                # share the database).
                "positive_data_acceptance": {
                    "expected-statuses": ["2xx", "3xx", 401, 403, 404, 409, 412, 422, 429]
                }
            },
        }
    ),
)


@schemathesis.serializer("text/csv", "text/plain")
def file_bytes(ctx, value):
    """The imports' CSV and page text are `format: binary` bodies (so that a
    generated client sends them as bytes): schemathesis draws those as its
    Binary wrapper, which its own text serializer sends as an empty body."""
    if isinstance(value, Binary):
        return value.data
    return to_wire_text(value).encode()


# The rows of the current test's organisation, by path parameter; filled by
# the `organisation` fixture and read when hypothesis draws a case.
REAL = {}


def real_value(path, name):
    """A row of the organisation for a path parameter: the parameter's name
    says the kind of row, the path which of them (a slug of a framework, a
    job family or a profile)."""
    if name in ("slug", "profile_slug"):
        for prefix, key in (
            ("/api/v1/frameworks/", "framework"),
            ("/api/v1/job-families/", "family"),
        ):
            if path.startswith(prefix):
                return st.just(REAL[key])
        return st.sampled_from(REAL["profiles"])
    if name == "number":
        return st.sampled_from([1, 2])
    if name == "id":
        if "/items/" in path:
            return st.sampled_from(REAL["links"])
        kind = path.split("/")[3]
        return st.just(REAL["ids"].get(kind, 1))
    return None


@schema.hook
def flatmap_case(context, case):
    """Half of the well-formed cases go to real rows (an invalid case keeps
    its paths, whichever part of it is the thing made invalid). A write's If-Match is
    sometimes `*` (any version will do)."""
    choices = {}
    if case.path_parameters and case.meta.generation.mode.is_positive:
        choices["path"] = st.one_of(
            st.just(dict(case.path_parameters)),
            st.fixed_dictionaries(
                {
                    name: real if real is not None else st.just(value)
                    for name, value in case.path_parameters.items()
                    for real in [real_value(case.operation.path, name)]
                }
            ),
        )
    if case.headers and "If-Match" in case.headers:
        choices["if_match"] = st.sampled_from([case.headers["If-Match"], "*"])
    if not choices:
        return st.just(case)

    def steered(chosen):
        if "path" in chosen:
            case.path_parameters = chosen["path"]
        if "if_match" in chosen:
            case.headers["If-Match"] = chosen["if_match"]
        return case

    return st.fixed_dictionaries(choices).map(steered)


# Checks that cannot apply as they stand, each narrowed to the one kind of
# answer it cannot judge (a failure kept is one that is not listed here).
NAMES_A_MISSING_ROW = (
    "does not exist",  # DRF's related fields: a slug or id of no row
    "Select a valid choice",  # django-filter: a filter naming no row
    "No such catalogue item",
    "There is no version",
    "unknown framework",  # role-profile/1: a framework this site has not loaded
    "unknown level",
    "No person has the employee id",  # a line manager or a new manager
    "No such skill or knowledge item",
    "No such job family",
    "No such check-in",  # a probation decision's check-in
    "No such person",
    "Choose one of the item's levels",  # a rank the item's scale does not have
)
# Values the schema allows one by one but not together, or not while
# another row holds them: a date before another field's, a name or an email
# already taken (the examples share the database). JSON Schema can compare
# neither two fields nor a value with the rows.
NOT_FOR_A_SCHEMA = (
    "already exists",
    "already has this",
    "before the start date",
    "cannot close before it opens",
    # A cursor is opaque: the schema says "a string" and cannot say which
    # strings a list gave (they hold the values of a row of it).
    "not a cursor this list gave",
)


def refused_for_what_no_schema_says(response):
    """A 400 whose every error is that a value names no row (the schema says
    "an id" or "a slug", and cannot say which exist) or is one of
    NOT_FOR_A_SCHEMA."""
    if response.status_code != 400:
        return False
    body = response.json()
    errors = body.get("errors") or [{"detail": body["detail"]}]
    reasons = (*NAMES_A_MISSING_ROW, *NOT_FOR_A_SCHEMA)
    return all(any(words in error["detail"] for words in reasons) for error in errors)


@schema.hook
def filter_failure(context, failure, case, response):
    if failure.title == "Schema-valid request rejected":
        if refused_for_what_no_schema_says(response):
            return False
        # A CSV or XLSX table must say its layout in ?format= (JSON is
        # framework/1): a requirement that depends on the body's media
        # type, which OpenAPI cannot state.
        body = response.json() if response.status_code == 400 else {}
        if [error["pointer"] for error in body.get("errors", [])] == ["#/format"]:
            return False
        # A published page's text, a CSV or XLSX table, or a JSON body named
        # as a table by ?format=: the schema says "a string" (or "a
        # framework/1 document") and cannot say "a page in the published
        # layout" or "a table with these columns"; the importer's refusal
        # names what it could not read.
        layout = (case.query or {}).get("format")
        if (
            ((case.media_type or "") != "application/json" or layout not in (None, "json"))
            and response.status_code == 400
            and response.json().get("title") == "The file cannot be imported"
        ):
            return False
    return True


@pytest.fixture
def organisation(db, monkeypatch):
    """HR, a line manager and a member of staff with a token each; profiles
    published (twice), draft-only and archived; a framework with a skill; an
    item of each kind of the component library in use."""
    # Django's WSGI handler closes the connection at each request's end when
    # it is not in autocommit; here the request runs inside the test's
    # transaction, so it must not (Django's test client does the same).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    # Thousands of requests a minute: rates are tested in test_plumbing.
    rates = {"caller": "1000000/min", "anonymous": "1000000/min"}
    monkeypatch.setattr(throttling.CallerThrottle, "THROTTLE_RATES", rates)
    monkeypatch.setattr(throttling.AnonymousThrottle, "THROTTLE_RATES", rates)

    people = {
        "hr": account("harriet", "HR"),
        "manager": account("mo", "Line managers"),
        "staff": account("sam", "Staff"),
    }
    tokens = {who: issue(user)[1] for who, user in people.items()}

    family = factories.JobFamilyFactory(name="Data", slug="data")
    framework = factories.FrameworkFactory()
    level = factories.LevelFactory(framework=framework, rank=1)
    skill = factories.SkillFactory(category=factories.CategoryFactory(framework=framework))
    factories.SkillLevelFactory(skill=skill, level=level)
    published = factories.RoleProfileFactory(slug="data-engineer", job_family=family)
    activity = factories.ProfileWorkActivityFactory(profile=published)
    links = [
        activity.pk,
        factories.ProfileKnowledgeFactory(profile=published).pk,
        factories.ProfileTrainingFactory(profile=published).pk,
        factories.ProfileDevelopmentActivityFactory(profile=published).pk,
        factories.ProfileQualificationFactory(profile=published).pk,
    ]
    skill_link = factories.ProfileSkillFactory(profile=published, skill=skill, level=level)
    links.append(skill_link.pk)
    lifecycle.publish_profile(profile=published, change_note="First")
    published.refresh_from_db()
    lifecycle.start_draft(profile=published)
    RoleProfile.objects.filter(pk=published.pk).update(summary="Now with pipelines.")
    lifecycle.publish_profile(profile=published, change_note="Second")
    draft = factories.RoleProfileFactory(slug="payroll-officer", job_family=family)
    archived = factories.RoleProfileFactory(slug="old-role")
    lifecycle.publish_profile(profile=archived)
    lifecycle.archive_profile(profile=archived)

    REAL.clear()
    REAL.update(
        framework=framework.slug,
        family=family.slug,
        profiles=["data-engineer", "payroll-officer", "old-role"],
        links=links,
        ids={
            "skills": skill.pk,
            "work-activities": activity.activity_id,
            "awarding-bodies": factories.AwardingBodyFactory().pk,
            "knowledge": factories.KnowledgeItemFactory().pk,
            "training": factories.TrainingFactory().pk,
            "pdas": factories.DevelopmentActivityFactory().pk,
            "qualifications": factories.QualificationFactory().pk,
        },
    )
    assert draft.pk and archived.pk
    yield tokens
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@schema.parametrize()
@hypothesis.settings(
    max_examples=5,
    derandomize=True,
    # Nothing kept between runs: the same cases every time, and no
    # .hypothesis/ folder written beside the code.
    database=None,
    deadline=None,
    suppress_health_check=list(hypothesis.HealthCheck),
)
def test_the_api_keeps_its_schema(case, organisation):
    # Each case as each person, in one test per operation: the organisation
    # is built once per operation, not once per person.
    for who, token in organisation.items():
        try:
            case.call_and_validate(headers={"Authorization": f"Token {token}"})
        except Exception as failure:
            failure.add_note(f"(as {who})")
            raise
