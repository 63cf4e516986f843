from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class GuidanceConfig(AppConfig):
    name = "sourcewise.guidance"
    label = "guidance"
    verbose_name = "Guidance, people and notifications"

    def ready(self) -> None:
        # Built-in notification kinds and the weekly health email, then any app's
        # `notifications.py` (engagements add "milestone due" and "checkpoint overdue" there
        # with @notification_source).
        from sourcewise.guidance import notifications, weekly_health, wiring  # noqa: F401

        autodiscover_modules("notifications")
        # The tasks advisor asks guidance whether an SOP covers a task.
        wiring.connect()
