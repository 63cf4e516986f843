from django.apps import AppConfig


class TalentConfig(AppConfig):
    name = "sourcewise.talent"
    label = "talent"
    verbose_name = "Talent network"
