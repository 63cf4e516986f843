from django.apps import AppConfig


class EngagementsConfig(AppConfig):
    name = "sourcewise.engagements"
    label = "engagements"
    verbose_name = "Engagements"

    def ready(self) -> None:
        # SOPs of an engagement's task apply to its freelancer (portal, emails, who has not read).
        from sourcewise.engagements import wiring

        wiring.connect()
