from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "sourcewise.ops"
    label = "ops"
    verbose_name = "Operator commands"
