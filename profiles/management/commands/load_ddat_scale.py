from django.core.management.base import BaseCommand, CommandError

from competency.frameworks import OGL_ATTRIBUTION, FrameworkData, apply_frameworks
from competency.models import Framework
from competency.tables import FileImportError
from profiles.importing.framework_import import DDAT, DDAT_LEVELS


class Command(BaseCommand):
    # In the profiles app beside the DDaT role table's reader, which owns the
    # scale's names.
    help = (
        "Create the DDaT framework with its scale of levels (1 Awareness, 2 Working, "
        "3 Practitioner, 4 Expert) and the Open Government Licence attribution, so that a "
        "fresh installation can import published role profiles. Changes nothing that is "
        "already there: running it again, or after seed_demo or a DDaT import, is safe."
    )

    def handle(self, *args, **options):
        known = Framework.objects.filter(name=DDAT).first()
        data = FrameworkData(
            name=DDAT,
            # Keep an attribution someone already wrote; give one where there is none.
            attribution="" if known and known.attribution else OGL_ATTRIBUTION,
            # None leaves any level descriptions already written as they are.
            levels={rank: (name, None) for rank, name in enumerate(DDAT_LEVELS, start=1)},
        )
        try:
            (report,) = apply_frameworks([data], name="DDaT scale")
        except FileImportError as exc:
            raise CommandError(f"{exc.message}\nNothing was changed.") from exc
        if report.created or report.levels.added:
            added = ", ".join(report.levels.added)
            self.stdout.write(
                f"{'Created' if report.created else 'Completed'} the DDaT framework: "
                f"levels {added} added."
            )
        else:
            self.stdout.write("The DDaT framework and its four levels are already there.")
