"""`manage.py backup [--dir DIR] [--keep N]`: the database and the uploaded files in one tar."""

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from llct.core.backups import BackupError, backup_create, backup_prune


class Command(BaseCommand):
    help = "Back up the database and the uploaded files (MEDIA_ROOT) into one tar file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dir", default=settings.BACKUP_DIR, help="where to write")
        parser.add_argument(
            "--keep", type=int, default=0, help="then keep only the newest N backups there"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        directory = Path(options["dir"])
        try:
            info = backup_create(directory=directory)
        except BackupError as error:
            raise CommandError(str(error)) from error
        rows = sum(info.tables.values())
        self.stdout.write(
            f"{info.path} ({info.path.stat().st_size:,} bytes): {len(info.tables)} tables, "
            f"{rows:,} rows, {len(info.files)} files"
        )
        for old in backup_prune(directory=directory, keep=options["keep"]):
            self.stdout.write(f"removed {old}")
