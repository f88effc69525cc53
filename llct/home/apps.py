from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HomeConfig(AppConfig):
    """Each role's home page and the navigation menu. It reads every app, so it sits on top."""

    name = "llct.home"
    label = "home"
    verbose_name = _("Home")
