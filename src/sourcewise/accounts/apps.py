from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "sourcewise.accounts"
    label = "accounts"
    verbose_name = "Accounts"
