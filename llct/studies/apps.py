from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StudiesConfig(AppConfig):
    name = "llct.studies"
    label = "studies"
    verbose_name = _("Resolution study, online tests and study records")

    def ready(self) -> None:
        # Participation joins the monitoring registry, so a project's target can measure it.
        # (The registry sits below this app; this app adds itself to it, never the reverse.)
        from llct.monitoring.indicators import REGISTRY
        from llct.studies.indicators import StudyParticipation

        REGISTRY.setdefault(StudyParticipation.code, StudyParticipation())
