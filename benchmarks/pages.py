"""Print the median server time of the main HR pages (a benchmark, not a
test): the profile list, a profile, a version diff and a comparison, with
500 profiles built from a catalogue of 2,000 items.

Runs in-process with Django's test client against a scratch database
(SQLite in a temporary folder unless DATABASE_URL is set).

    .venv/bin/python benchmarks/pages.py
"""

import random
import statistics
import time

from django_setup import setup

SCRATCH = setup()

import django  # noqa: E402
from django.contrib.auth.models import Group, User  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import override_settings, setup_test_environment  # noqa: E402

from competency.models import Framework, Level  # noqa: E402
from profiles.documents import ProfileInput  # noqa: E402
from profiles.importing.batch import import_profiles  # noqa: E402
from profiles.lifecycle import start_draft  # noqa: E402
from profiles.models import RoleProfile  # noqa: E402

PROFILES, ITEMS, RUNS = 500, 2000, 25
DEPTHS = ["aware", "familiar", "proficient", "expert"]


def pools():
    """2,000 catalogue items split over the kinds a profile uses."""
    share = ITEMS // 6
    return {
        "work_activities": [(f"Activity {n}", f"Does activity {n} well.") for n in range(share)],
        "knowledge": [(f"Knowledge {n}", f"Knows subject {n}.") for n in range(share)],
        "training": [(f"Course {n}", f"Course {n} teaches it.") for n in range(share)],
        "pdas": [(f"Development {n}", f"Grow through {n}.") for n in range(share)],
        "qualifications": [(f"Certificate {n}", f"Body {n % 20}") for n in range(share)],
        "skills": [(f"Category {n % 10}", f"Skill {n}") for n in range(ITEMS - 5 * share)],
    }


def document(number, rng, pool):
    def pick(kind, count):
        return rng.sample(pool[kind], count)

    return {
        "schema": "role-profile/1",
        "title": f"Engineer {number}",
        "slug": f"engineer-{number}",
        "job_family": f"Family {number % 12}",
        "role_level": rng.choice(["Junior", "Senior", "Lead", "Principal", None]),
        "variant": None,
        "version": None,
        "summary": f"Engineer {number} builds things that matter.",
        "responsibilities": [f"responsibility {n}" for n in range(4)],
        "background": ["A background paragraph.", "Another one."],
        "prior_knowledge": ["Some experience."],
        "work_activities": [{"title": t, "details": d} for t, d in pick("work_activities", 12)],
        "knowledge_skills": [
            {"title": t, "details": d, "depth": rng.choice(DEPTHS), "type": "technical"}
            for t, d in pick("knowledge", 20)
        ],
        "training": [{"title": t, "details": d} for t, d in pick("training", 6)],
        "pdas": [{"title": t, "details": d} for t, d in pick("pdas", 6)],
        "qualifications": [{"title": t, "awarding_body": b} for t, b in pick("qualifications", 2)],
        "organisation_skills": [
            {
                "framework": "DDaT",
                "category": category,
                "skill": skill,
                "description": f"What {skill} is.",
                "level": level,
                "level_name": ["Awareness", "Working", "Practitioner", "Expert"][level - 1],
                "level_description": f"{skill} at level {level}.",
            }
            for (category, skill), level in zip(
                pick("skills", 10), (rng.randint(1, 4) for _ in range(10)), strict=True
            )
        ],
        "source": None,
    }


def build():
    framework = Framework.objects.create(name="DDaT", slug="ddat")
    for rank, name in enumerate(["Awareness", "Working", "Practitioner", "Expert"], start=1):
        Level.objects.create(framework=framework, rank=rank, name=name)
    rng = random.Random(7)
    pool = pools()
    start = time.perf_counter()
    for number in range(PROFILES):
        doc = document(number, rng, pool)
        import_profiles([ProfileInput(f"engineer-{number}", doc, "json")], publish=True)
    # The first profile gets a second version, so its diff has something to say.
    first = RoleProfile.objects.get(slug="engineer-0")
    start_draft(profile=first)
    doc = document(0, random.Random(8), pool)
    import_profiles([ProfileInput("engineer-0", doc, "json")], publish=True)
    print(f"built {PROFILES} profiles in {time.perf_counter() - start:.1f} s")
    hr = User.objects.create_user("bench-hr", password="x")
    hr.groups.add(Group.objects.get(name="HR"))
    return hr


def median_ms(client, url):
    client.get(url, secure=True)  # warm up
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        response = client.get(url, secure=True)
        times.append(time.perf_counter() - start)
        assert response.status_code == 200, (url, response.status_code)
    return statistics.median(times) * 1000


def main():
    setup_test_environment()
    # No collected static files in a scratch run: serve their plain names.
    override_settings(
        STORAGES={
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        },
        WHITENOISE_AUTOREFRESH=True,
    ).enable()
    hr = build()
    client = Client()
    client.force_login(hr)
    print(f"database: {django.db.connection.vendor}; median of {RUNS} requests")
    for label, url in [
        ("profile list", "/profiles/"),
        ("profile list, searched", "/profiles/?q=skill+12&sort=updated"),
        ("profile", "/profiles/engineer-0/"),
        ("version diff", "/profiles/engineer-0/versions/?from=1&to=2"),
        ("compare", "/profiles/compare/?a=engineer-1&b=engineer-2"),
    ]:
        print(f"{label:24} {median_ms(client, url):7.1f} ms")


if __name__ == "__main__":
    main()
