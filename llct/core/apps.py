from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "llct.core"
    label = "core"
    verbose_name = "Core"
