"""`manage.py refresh_people_counts`: recount every organization's stored people counts (after
data were loaded by hand, or as a nightly safety net)."""

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from llct.organizations.counts import people_counts_rebuild


class Command(BaseCommand):
    help = "Recount the people of every organization and subtree (the tree's stored counts)."

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic():
            changed = people_counts_rebuild()
        self.stdout.write(f"{changed} organizations corrected")
