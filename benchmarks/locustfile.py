"""The load scenario benchmarks/load.py drives (Locust).

Each simulated person acts once every PACE seconds whatever the site's
answer time (Locust's constant_pacing), so the arrival rate is set by how
many people are active, not by how fast the site answers: an open-loop
load, as real people make it, while answers stay under PACE seconds.

The people and what they may touch come from the plan file benchmarks/load.py
writes (LOAD_PLAN): signed-in sessions made in the database (no password is
hashed under load), appraisal ids each person may rate, an integration's
token. No two simulated people write the same appraisal.
"""

import itertools
import json
import os
import random
from pathlib import Path

from locust import HttpUser, constant_pacing, task

PLAN = json.loads(Path(os.environ["LOAD_PLAN"]).read_text(encoding="utf-8"))
PACE = float(os.environ.get("LOAD_PACE", "10"))


class Person(HttpUser):
    abstract = True
    wait_time = constant_pacing(PACE)
    role = ""

    def on_start(self):
        seats = PLAN[self.role]
        counter = PLAN_COUNTERS.setdefault(self.role, itertools.count())
        self.seat = seats[next(counter) % len(seats)]
        self.rng = random.Random(id(self))
        if "session" in self.seat:
            self.client.cookies.set("sessionid", self.seat["session"])
            self.client.cookies.set("csrftoken", self.seat["csrf"])

    def page(self, path, name):
        # A page that redirects (to sign-in, say) is a failure, not a page.
        with self.client.get(
            path, name=name, allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code} for {path}")

    def rate(self, appraisal_id, side_name):
        """Read an appraisal through the API, then save one rating of it with
        If-Match, as the page's save does."""
        headers = {"Accept": "application/json", "X-CSRFToken": self.seat["csrf"]}
        url = f"/api/v1/appraisals/{appraisal_id}/"
        read = self.client.get(url, headers=headers, name="api: an appraisal")
        if read.status_code != 200:
            return
        requirements = [r for r in read.json()["requirements"] if r["scale"]]
        if not requirements:
            return
        requirement = self.rng.choice(requirements)
        rank = self.rng.choice(requirement["scale"])["rank"]
        self.client.patch(
            f"{url}ratings/",
            json={"ratings": [{"requirement": requirement["id"], "rating": rank}]},
            headers={**headers, "If-Match": read.headers["ETag"]},
            name=f"api: save {side_name} rating",
        )


PLAN_COUNTERS = {}


class Staff(Person):
    """Staff self-assessing."""

    weight = 5
    role = "staff"

    @task(3)
    def home(self):
        self.page("/", "/ (staff home)")

    @task(3)
    def appraisal(self):
        self.page(self.seat["appraisal_page"], "appraisal page (person)")

    @task(1)
    def self_assess(self):
        self.rate(self.seat["appraisal"], "self")


class Manager(Person):
    """Line managers appraising their reports."""

    weight = 3
    role = "managers"

    @task(3)
    def team(self):
        self.page("/", "/ (team page)")

    @task(3)
    def appraisal(self):
        self.page(self.rng.choice(self.seat["appraisal_pages"]), "appraisal page (manager)")

    @task(1)
    def heatmap(self):
        self.page("/team/heatmap/", "team heatmap")

    @task(2)
    def appraise(self):
        self.rate(self.rng.choice(self.seat["appraisals"]), "manager")


class HR(Person):
    """HR browsing profiles, people and cycles, and correcting people."""

    weight = 1
    role = "hr"

    @task(2)
    def profiles(self):
        self.page("/profiles/", "profile list")

    @task(2)
    def profile(self):
        self.page(self.rng.choice(PLAN["profile_pages"]), "a profile")

    @task(2)
    def people(self):
        self.page(f"/people/?q={self.rng.choice(PLAN['names'])}", "people search")

    @task(1)
    def cycle(self):
        self.page(PLAN["cycle_page"], "a cycle")

    @task(1)
    def edit_person(self):
        person = self.rng.choice(self.seat["people"])
        headers = {"Accept": "application/json", "X-CSRFToken": self.seat["csrf"]}
        url = f"/api/v1/people/{person}/"
        read = self.client.get(url, headers=headers, name="api: a person")
        if read.status_code == 200:
            self.client.patch(
                url,
                json={"job_title": f"Title {self.rng.randrange(1000)}"},
                headers={**headers, "If-Match": read.headers["ETag"]},
                name="api: change a person",
            )


class Integration(Person):
    """An HR system or learning platform polling the API with its token."""

    weight = 1
    role = "integrations"

    def on_start(self):
        super().on_start()
        self.client.headers["Authorization"] = f"Token {self.seat['token']}"

    @task
    def profiles(self):
        self.page("/api/v1/profiles/?page_size=100", "api: profiles, 100")

    @task
    def appraisals(self):
        self.page("/api/v1/appraisals/?page_size=100", "api: appraisals, 100")

    @task
    def people(self):
        self.page("/api/v1/people/?page_size=100", "api: people, 100")
