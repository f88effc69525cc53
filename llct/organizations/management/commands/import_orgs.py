"""Import the organization tree from .xlsx or .csv with columns Mã, Tên, Loại, Mã cấp trên."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from llct.organizations.tree_import import organizations_import


class Command(BaseCommand):
    help = "Import organizations: columns Mã, Tên, Loại, Mã cấp trên (.xlsx or .csv)"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file")
        parser.add_argument("--founded-on", help="dd/mm/yyyy; default today")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.exists():
            raise CommandError(f"Không tìm thấy tệp {path}")
        founded_on = timezone.localdate()
        if options["founded_on"]:
            day, month, year = (int(x) for x in options["founded_on"].split("/"))
            founded_on = founded_on.replace(year=year, month=month, day=day)
        result = organizations_import(path=path, founded_on=founded_on, actor=None)
        for row in result.rejected:
            self.stdout.write(f"dòng {row.row}: {row.reason}")
        self.stdout.write(
            f"created {result.created}, updated {result.updated}, "
            f"unchanged {result.unchanged}, rejected {len(result.rejected)}"
        )
        if result.rejected:
            raise CommandError("Không nhập gì: hãy sửa các dòng bị từ chối rồi chạy lại.")
