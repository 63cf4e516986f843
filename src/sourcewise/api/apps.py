from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "sourcewise.api"
    label = "api"
    verbose_name = "REST API"
