from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "sourcewise.demo"
    label = "demo"
    verbose_name = "Demo business"
