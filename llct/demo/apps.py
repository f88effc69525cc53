from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "llct.demo"
    label = "demo"
