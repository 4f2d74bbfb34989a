from django.core.management.base import BaseCommand, CommandError

from profiles.documents import dumps, profile_document
from profiles.models import RoleProfile


class Command(BaseCommand):
    help = (
        "Write a role profile as a role-profile/1 JSON document to standard output: "
        "its current content, or with --version N that published version."
    )

    def create_parser(self, prog_name, subcommand, **kwargs):
        # --version here names a profile version; it replaces Django's own
        # --version (the program's version), which this command has no use for.
        return super().create_parser(prog_name, subcommand, conflict_handler="resolve", **kwargs)

    def add_arguments(self, parser):
        parser.add_argument("slug", metavar="SLUG")
        parser.add_argument("--version", type=int, dest="number", metavar="N")

    def handle(self, *args, slug, number=None, **options):
        profile = RoleProfile.objects.filter(slug=slug).first()
        if profile is None:
            raise CommandError(f"No role profile has the slug '{slug}'.")
        if number is None:
            document = profile_document(profile)
        else:
            version = profile.versions.filter(number=number).first()
            if version is None:
                published = ", ".join(
                    str(n) for n in profile.versions.values_list("number", flat=True)
                )
                raise CommandError(
                    f"'{slug}' has no version {number}; published versions: {published or 'none'}."
                )
            document = version.document
        self.stdout.write(dumps(document), ending="")
