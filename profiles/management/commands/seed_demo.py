import os
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from competency import roles
from competency.frameworks import apply_frameworks, read_framework_json
from profiles.importing.reading import read_profile
from profiles.importing.writing import import_profiles

FIXTURES = settings.BASE_DIR / "fixtures"
DEMO_FAMILY = "DevOps"

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
            self.load_users(password)

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
