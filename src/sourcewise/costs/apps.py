from django.apps import AppConfig


class CostsConfig(AppConfig):
    name = "sourcewise.costs"
    label = "costs"
    verbose_name = "Costs"

    def ready(self) -> None:
        from sourcewise.costs import receivers  # noqa: F401  (connects the receivers)
