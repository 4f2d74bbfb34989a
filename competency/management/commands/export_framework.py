import json

from django.core.management.base import BaseCommand, CommandError

from competency.frameworks import export_framework
from competency.models import Framework


class Command(BaseCommand):
    help = (
        "Write a framework as framework/1 JSON to standard output: its scale with level "
        "names and descriptions, its category tree, and its skills with their "
        "descriptions and level descriptions."
    )

    def add_arguments(self, parser):
        parser.add_argument("name", metavar="NAME", help="The framework's name or slug.")

    def handle(self, *args, name, **options):
        framework = (
            Framework.objects.filter(name=name).first()
            or Framework.objects.filter(slug=name).first()
        )
        if framework is None:
            known = ", ".join(Framework.objects.values_list("name", flat=True)) or "none"
            raise CommandError(f"No framework is called '{name}'; known frameworks: {known}.")
        document = export_framework(framework)
        self.stdout.write(json.dumps(document, ensure_ascii=False, indent=2))
