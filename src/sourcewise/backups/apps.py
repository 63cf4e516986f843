from django.apps import AppConfig


class BackupsConfig(AppConfig):
    name = "sourcewise.backups"
    label = "backups"
    verbose_name = "Backup and restore"
