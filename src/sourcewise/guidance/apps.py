from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class GuidanceConfig(AppConfig):
    name = "sourcewise.guidance"
    label = "guidance"
    verbose_name = "Guidance, people and notifications"

    def ready(self) -> None:
        # Built-in notification kinds, then any app's `notifications.py` (engagements add
        # "milestone due" and "checkpoint overdue" there with @notification_source).
        from sourcewise.guidance import notifications  # noqa: F401

        autodiscover_modules("notifications")
