from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CorpsConfig(AppConfig):
    name = "llct.corps"
    label = "corps"
    verbose_name = _("Lecturer corps")

    def ready(self) -> None:
        # The effect of training joins the monitoring registry (which sits below this app).
        from llct.corps.indicators import TrainingEffect
        from llct.monitoring.indicators import REGISTRY

        REGISTRY.setdefault(TrainingEffect.code, TrainingEffect())
