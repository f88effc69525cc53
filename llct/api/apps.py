from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "llct.api"
    label = "api"
    verbose_name = _("Connections with other systems")

    def ready(self) -> None:
        # Webhooks listen to the domain events the services emit (llct.core.events).
        from llct.api import webhooks
        from llct.core import events

        events.subscribe(webhooks.on_events)
