"""Send the weekly watchlist digest to each organization officer (cron: Monday morning)."""

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from llct.monitoring.digest import digest_send


class Command(BaseCommand):
    help = "Email each organization officer the watchlists of their subtree"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", type=dt.date.fromisoformat, default=None)
        parser.add_argument("--site-url", default="", help="e.g. https://llct.example.vn")
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        result = digest_send(
            today=options["date"] or timezone.localdate(),
            site_url=options["site_url"].rstrip("/"),
            dry_run=options["dry_run"],
        )
        self.stdout.write(
            f"sent {len(result.sent)}, without email {len(result.without_email)}, "
            f"nothing to report {len(result.nothing_to_report)}"
        )
