from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StudiesConfig(AppConfig):
    name = "llct.studies"
    label = "studies"
    verbose_name = _("Resolution study, online tests and study records")
