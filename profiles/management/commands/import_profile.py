from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from profiles.documents import ProfileImportError
from profiles.importing.batch import import_profiles
from profiles.importing.parsing import MAX_PROFILE_FILE, read_profile


class Command(BaseCommand):
    help = (
        "Import role profiles from published page text or role-profile/1 JSON. "
        "Creates or updates the draft of the profile with each file's slug; with "
        "--publish, publishes each as a new version. All files are checked first: "
        "if any is bad, nothing is written. A skill text that other profiles show "
        "keeps its current wording (the summary says which) unless "
        "--update-shared-texts is given."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH", help="Files to import.")
        parser.add_argument(
            "--publish", action="store_true", help="Publish each imported profile as a version."
        )
        parser.add_argument(
            "--update-shared-texts",
            action="store_true",
            help="Where the file words a skill's description or level description differently "
            "and other profiles show that text, change it for them too (default: keep the "
            "catalogue's text, and this profile shows it).",
        )

    def handle(self, *args, paths, publish=False, update_shared_texts=False, **options):
        inputs = []
        for name in paths:
            path = Path(name)
            try:
                with path.open("rb") as file:
                    # One byte more than fits, so a larger file is refused unread.
                    data = file.read(MAX_PROFILE_FILE + 1)
            except OSError as exc:
                raise CommandError(f"{name}: cannot read the file: {exc.strerror}") from exc
            try:
                inputs.append(read_profile(data, name))
            except ProfileImportError as exc:
                raise CommandError(str(exc)) from exc
        try:
            results = import_profiles(
                inputs, publish=publish, update_shared_texts=update_shared_texts
            )
        except ProfileImportError as exc:
            raise CommandError(f"{exc}\nNothing was imported.") from exc
        except ValidationError as exc:
            raise CommandError(f"{' '.join(exc.messages)}\nNothing was imported.") from exc
        for result in results:
            self.stdout.write(result.summary())
