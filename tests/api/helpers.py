"""What the API tests share: the shape of a refusal, the committed schema,
the rows every table holds, a profile document to import."""

import yaml
from django.apps import apps

from tests.paths import ROOT

PROBLEM = "application/problem+json"
# The API's schema as committed (openapi.yaml), which every route test walks.
SCHEMA = yaml.safe_load((ROOT / "openapi.yaml").read_text(encoding="utf-8"))


def assert_problem(response, status):
    """The response is a problem details answer (RFC 9457) with `status`;
    returns its body."""
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    assert body["status"] == status
    assert set(body) >= {"type", "title", "status", "detail"}
    assert body["title"] and body["detail"]
    return body


def rows():
    """How many rows each table holds, to show that a refused request wrote
    nothing (sessions and the API's tokens aside: signing in and using a
    token write them)."""
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if not model._meta.label.startswith(("sessions.", "api."))
    }


def document(slug="imported-role", title="Imported Role"):
    """A role-profile/1 document with nothing in its sections."""
    return {
        "schema": "role-profile/1",
        "title": title,
        "slug": slug,
        "summary": "From the HR system.",
        "responsibilities": ["do things"],
        "background": [],
        "prior_knowledge": [],
        "work_activities": [],
        "knowledge_skills": [],
        "training": [],
        "pdas": [],
        "qualifications": [],
        "organisation_skills": [],
    }
