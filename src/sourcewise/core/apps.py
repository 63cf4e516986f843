from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "sourcewise.core"
    label = "core"
    verbose_name = "Sourcewise core"

    def ready(self) -> None:
        from sourcewise.core import lookups  # registers the lookup lists once the apps are loaded

        lookups.register()
