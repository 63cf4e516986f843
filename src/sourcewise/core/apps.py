from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "sourcewise.core"
    label = "core"
    verbose_name = "Sourcewise core"
