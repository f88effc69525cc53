"""Send the webhook deliveries whose retry time has come. For task backends that cannot wait
(run it every minute from cron); harmless alongside the database worker."""

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from llct.api.webhooks import deliver_due


class Command(BaseCommand):
    help = "Retry the webhook deliveries that are due."

    def handle(self, *args: Any, **options: Any) -> None:
        sent = deliver_due(now=timezone.now())
        self.stdout.write(f"{sent} delivery(ies) attempted")
