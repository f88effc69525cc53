"""`manage.py roster_sweep`: delete the files of roster imports left in preview longer than
LLCT_ROSTER_PREVIEW_HOURS (they hold dates of birth and card numbers), and of any import that
ended with its file still there. Run hourly in production (docs/DEPLOYMENT.md)."""

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from llct.organizations.roster.uploads import roster_sweep


class Command(BaseCommand):
    help = "Delete the uploaded files of abandoned or finished roster imports."

    def handle(self, *args: Any, **options: Any) -> None:
        swept = roster_sweep(now=timezone.now())
        self.stdout.write(f"{swept} roster files deleted")
