from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class EngagementsConfig(AppConfig):
    name = "sourcewise.engagements"
    label = "engagements"
    verbose_name = "Engagements"

    def ready(self) -> None:
        # Any app may add activation requirements in its own `engagement_requirements.py`
        # (see sourcewise.engagements.requirements); ours live in the same kind of module.
        autodiscover_modules("engagement_requirements")
        # SOPs of an engagement's task apply to its freelancer (portal, emails, who has not read).
        from sourcewise.engagements import wiring

        wiring.connect()
