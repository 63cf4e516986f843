from django.apps import AppConfig


class TasksConfig(AppConfig):
    name = "sourcewise.tasks"
    label = "tasks"
    verbose_name = "Tasks"
