from django.apps import AppConfig


class WorkspacesConfig(AppConfig):
    name = "sourcewise.workspaces"
    label = "workspaces"
    verbose_name = "Workspaces"
