from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "sourcewise.api"
    label = "api"
    verbose_name = "REST API"

    def ready(self) -> None:
        from sourcewise.api import signals  # noqa: F401  (connects the receivers)
