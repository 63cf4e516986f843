from django.apps import AppConfig


class CostsConfig(AppConfig):
    name = "sourcewise.costs"
    label = "costs"
    verbose_name = "Costs"
