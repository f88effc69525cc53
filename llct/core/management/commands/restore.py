"""`manage.py restore FILE [--noinput]`: replace the database and the uploaded files with a
backup's, then check row counts and file checksums against the backup's manifest."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from llct.core.backups import BackupError, backup_describe, backup_restore


class Command(BaseCommand):
    help = "Restore a backup made by `manage.py backup` (replaces the database and MEDIA_ROOT)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file")
        parser.add_argument("--noinput", "--no-input", action="store_false", dest="interactive")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"no such file: {path}")
        try:
            manifest = backup_describe(path=path)
        except (BackupError, KeyError, ValueError) as error:
            raise CommandError(f"{path} is not an LLCT backup") from error
        rows = sum(manifest["tables"].values())
        self.stdout.write(
            f"Backup of {manifest['created_at']} ({manifest['vendor']}): {rows:,} rows, "
            f"{len(manifest['files'])} files."
        )
        if options["interactive"]:
            answer = input("This replaces the whole database and MEDIA_ROOT. Type 'yes': ")
            if answer.strip() != "yes":
                raise CommandError("restore cancelled")
        try:
            info = backup_restore(path=path)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Restored {sum(info.tables.values()):,} rows in {len(info.tables)} tables and "
            f"{len(info.files)} files; counts and checksums match the backup."
        )
