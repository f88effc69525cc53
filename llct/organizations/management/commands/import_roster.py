from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _

from llct.organizations.models import Organization
from llct.organizations.roster.imports import person_import_roster
from llct.organizations.roster.reader import RosterFileError
from llct.organizations.roster.uploads import rejected_rows_xlsx


class Command(BaseCommand):
    help = (
        "Import people from an .xlsx roster into an organization. Every row is checked first; "
        "valid rows are written in one transaction. The last line is the summary."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="the .xlsx roster")
        parser.add_argument("--org", required=True, help="code of the importing organization")
        parser.add_argument("--dry-run", action="store_true", help="check only, write nothing")
        parser.add_argument(
            "--report", type=Path, help="write the rejected rows, with reasons, to this .xlsx"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        try:
            organization = Organization.objects.get(
                code__iexact=options["org"], dissolved_on__isnull=True
            )
        except Organization.DoesNotExist:
            raise CommandError(f"No current organization has the code {options['org']}") from None
        try:
            result = person_import_roster(
                file=path,
                organization=organization,
                actor=None,
                today=timezone.localdate(),
                dry_run=options["dry_run"],
            )
        except RosterFileError as error:
            raise CommandError(str(error)) from error
        for row in result.rejected:
            self.stdout.write(
                _("Row %(row)s (%(name)s): %(reason)s")
                % {"row": row.row, "name": row.name or "—", "reason": row.reason}
            )
        if options["report"]:
            options["report"].write_bytes(
                rejected_rows_xlsx(path_or_file=path, rejected=result.rejected)
            )
        if options["dry_run"]:
            self.stdout.write(_("Dry run: nothing has been written."))
        self.stdout.write(
            f"imported {result.created}, updated {result.updated}, "
            f"unchanged {result.unchanged}, rejected {len(result.rejected)}"
        )
