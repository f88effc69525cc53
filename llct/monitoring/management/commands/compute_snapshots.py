"""Store the indicator values of every organization for some years (cron: nightly for the
current year; once after a year ends for that year)."""

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from llct.monitoring.services import snapshots_compute


class Command(BaseCommand):
    help = "Compute and store indicator snapshots (IndicatorSnapshot) for the given years"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("years", nargs="*", type=int, help="default: the current year")
        parser.add_argument("--as-of", type=dt.date.fromisoformat, default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        today = timezone.localdate()
        for year in options["years"] or [today.year]:
            as_of = options["as_of"] or (today if year == today.year else None)
            rows = snapshots_compute(year=year, as_of=as_of)
            self.stdout.write(f"{year}: {rows} snapshots")
