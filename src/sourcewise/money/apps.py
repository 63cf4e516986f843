from django.apps import AppConfig


class MoneyConfig(AppConfig):
    name = "sourcewise.money"
    label = "money"
    verbose_name = "Money"
