import os
from datetime import date, timedelta
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from appraisals import cycles, people, probation, workflow
from appraisals.models import Appraisal, Cycle, Person, Stage
from competency import developing, roles
from competency.frameworks import apply_frameworks, read_framework_json
from competency.models import DevelopmentActivity, KnowledgeItem, Skill, Training
from profiles.importing.batch import import_profiles
from profiles.importing.parsing import read_profile
from profiles.models import RoleProfile

FIXTURES = settings.BASE_DIR / "fixtures"
DEMO_FAMILY = "DevOps"

# The demo organisation: (employee id, name, login, manager's employee id,
# profile slug, job title, start date). `manager` manages `staff`; Mo's own
# line manager is Priya, who has no login.
DEMO_PEOPLE = [
    ("HR001", "Harriet Rees", "hr", None, None, "HR business partner", date(2019, 9, 2)),
    (
        "DV001",
        "Priya Shah",
        None,
        None,
        "lead-devops-engineer-management",
        "Head of DevOps",
        date(2018, 1, 8),
    ),
    (
        "DV002",
        "Mo Khan",
        "manager",
        "DV001",
        "senior-devops-engineer-management",
        "DevOps team lead",
        date(2020, 5, 4),
    ),
    (
        "DV003",
        "Sam Okafor",
        "staff",
        "DV002",
        "devops-engineer",
        "DevOps engineer",
        date(2023, 2, 6),
    ),
    (
        "DV004",
        "Alex Morgan",
        None,
        "DV002",
        "junior-devops-engineer",
        "Junior DevOps engineer",
        None,
    ),
    (
        "DV005",
        "Jo Lee",
        None,
        "DV002",
        "senior-devops-engineer-technical",
        "Senior DevOps engineer",
        None,
    ),
    (
        "DV006",
        "Kim Patel",
        None,
        "DV001",
        "lead-devops-engineer-technical",
        "Lead DevOps engineer",
        None,
    ),
]

# What the demo's training items and PDAs develop, so that a development
# plan's suggestions show those aimed at a gap first: (training or PDA
# title, skill names, knowledge item titles). Matched by title, so every
# profile's wording of an item is linked.
DEMO_DEVELOPS = [
    ("Cloud Practitioner Course", ["IT infrastructure"], ["Cloud Platforms"]),
    ("Kubernetes in Practice", [], ["Containers and Orchestration"]),
    (
        "Secure Pipelines Workshop",
        ["Information security", "Modern standards approach"],
        ["Continuous Integration and Delivery"],
    ),
    ("Site Reliability Engineering", ["Incident management"], ["Observability"]),
    ("Team Rotation", [], ["Agile Delivery"]),
]

DEMO_USERS = [
    ("hr", "Harriet", "Rees", roles.HR, True),
    ("manager", "Mo", "Khan", roles.LINE_MANAGERS, False),
    ("staff", "Sam", "Okafor", roles.STAFF, False),
]


class Command(BaseCommand):
    help = (
        "Load the demo data: the DDaT framework and its scale, the demo DevOps role "
        "profiles (published), the HR, line manager and staff groups, and the demo "
        "users hr, manager and staff with the password from DEMO_PASSWORD (default "
        "'demo'). Refuses to run when DEBUG is off. Running it again changes nothing."
    )

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError(
                "seed_demo creates logins with a known password; it runs only with DEBUG on."
            )
        password = os.environ.get("DEMO_PASSWORD") or "demo"
        with transaction.atomic():
            for path in sorted((FIXTURES / "frameworks").glob("*.json")):
                self.load_framework(path)
            self.load_profiles(sorted((FIXTURES / "profiles").glob("*.txt")))
            self.load_develops()
            self.load_users(password)
            self.load_organisation()

    def load_framework(self, path: Path):
        name = str(path.relative_to(settings.BASE_DIR))
        for report in apply_frameworks(read_framework_json(path.read_bytes(), name), name=name):
            self.stdout.write(report.lines()[0])

    def load_profiles(self, paths):
        inputs = []
        for path in paths:
            source = read_profile(path.read_bytes(), str(path.relative_to(settings.BASE_DIR)))
            source.document["job_family"] = DEMO_FAMILY
            inputs.append(source)
        for result in import_profiles(inputs, publish=True):
            line = result.summary().splitlines()[0]
            if result.version:
                line += f", published as version {result.version.number}"
            self.stdout.write(line)

    def load_develops(self):
        """Link the demo's training and PDAs to what they develop (adding
        only what is missing)."""
        linked = 0
        for title, skill_names, knowledge_titles in DEMO_DEVELOPS:
            items = [*Training.objects.filter(title=title)]
            items += DevelopmentActivity.objects.filter(title=title)
            skills = Skill.objects.filter(name__in=skill_names)
            knowledge = KnowledgeItem.objects.filter(title__in=knowledge_titles)
            for item in items:
                for skill in skills:
                    developing.add_developed(item=item, skill=skill)
                for knowledge_item in knowledge:
                    developing.add_developed(item=item, knowledge_item=knowledge_item)
                linked += 1
        self.stdout.write(f"{linked} training items and PDAs say what they develop")

    def load_users(self, password):
        # The groups and HR's rights come with the migrations.
        User = get_user_model()
        for username, first, last, group_name, is_staff in DEMO_USERS:
            user, created = User.objects.get_or_create(
                username=username,
                defaults={
                    "first_name": first,
                    "last_name": last,
                    "email": f"{username}@example.org",
                    "is_staff": is_staff,
                },
            )
            if created or not user.check_password(password):
                user.set_password(password)
                user.save(update_fields=["password"])
            user.groups.add(Group.objects.get(name=group_name))
        self.stdout.write(
            f"Demo logins: {', '.join(u[0] for u in DEMO_USERS)} (password: {password})"
        )

    def load_organisation(self):
        """A small organisation and one open cycle, so that appraisals show at
        once: staff's appraisal waits for their self-assessment, manager's
        own (with Priya, their line manager) for Priya's review. Only what is
        missing is added, and an appraisal moves on only from its draft."""
        User = get_user_model()
        profiles = dict(RoleProfile.objects.values_list("slug", "pk"))
        by_id = {}
        for employee_id, name, login, manager, slug, title, started in DEMO_PEOPLE:
            person, _ = Person.objects.get_or_create(
                employee_id=employee_id,
                defaults={
                    "name": name,
                    "email": f"{login}@example.org"
                    if login
                    else f"{employee_id.lower()}@example.org",
                    "job_title": title,
                    "role_profile_id": profiles.get(slug),
                    "start_date": started or date(2024, 1, 15),
                    "account": User.objects.filter(username=login).first() if login else None,
                },
            )
            by_id[employee_id] = person
            wanted = by_id.get(manager)
            if person.line_manager_id != (wanted.pk if wanted else None):
                people.set_manager(person=person, manager=wanted)
        self.load_probation(by_id["DV004"])
        year = timezone.localdate().year
        cycle, _ = Cycle.objects.get_or_create(
            name=f"Annual review {year}",
            defaults={"opens_on": date(year, 1, 1), "closes_on": date(year, 12, 31)},
        )
        if cycle.status != Cycle.Status.CLOSED:
            # Last year's review may still be open: the demo adds everyone
            # to this year's beside it, as HR usually would.
            opening = cycles.open_cycle(
                cycle=cycle, scope=cycles.Scope.everyone(), overlapping=cycles.ADD
            )
            self.stdout.write(f"{cycle}: {len(opening.created)} appraisals created")
        hr = User.objects.get(username="hr")
        staff = Appraisal.objects.filter(cycle=cycle, person=by_id["DV003"]).first()
        if staff and staff.stage == Stage.DRAFT:
            workflow.start_self_assessment(appraisal=staff, by=hr, confirmed_stage=Stage.DRAFT)
        own = Appraisal.objects.filter(cycle=cycle, person=by_id["DV002"]).first()
        if own and own.stage == Stage.DRAFT:
            workflow.start_self_assessment(appraisal=own, by=hr, confirmed_stage=Stage.DRAFT)
            workflow.submit_self_assessment(
                appraisal=own,
                by=User.objects.get(username="manager"),
                confirmed_stage=Stage.SELF_ASSESSMENT,
                # The demo's manager review starts from an untouched self-assessment.
                confirm_unrated=True,
            )

    def load_probation(self, person):
        """Alex (reporting to `manager`) on probation, started about two and
        a half months ago: the 1-month checkpoint is overdue and the 3-month
        one due within a month, so the manager's home shows both. Set once:
        a second run finds the probation end date and changes nothing."""
        if person.probation_end_date is None:
            today = timezone.localdate()
            person.start_date = probation.months_after(today, -3) + timedelta(days=15)
            person.probation_end_date = probation.months_after(person.start_date, 6)
            person.save(update_fields=["start_date", "probation_end_date"])
            probation.schedule_checkpoints(Person.objects.filter(pk=person.pk))
