from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class FindingsConfig(AppConfig):
    name = "sourcewise.findings"
    label = "findings"
    verbose_name = "Findings"

    def ready(self) -> None:
        # Each domain app registers its guardrail checks in its own `rules.py`, and in
        # `findings_hooks.py` its one-action fixes and (engagements) the findings domain.
        autodiscover_modules("rules", "findings_hooks")
        # Here, not at the top: an app module is imported before the models are loaded.
        from sourcewise.findings import tracking

        # Writes to what the rules read leave markers; reads refresh the stored findings.
        tracking.connect()
