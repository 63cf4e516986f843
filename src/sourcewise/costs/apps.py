from django.apps import AppConfig


class CostsConfig(AppConfig):
    name = "sourcewise.costs"
    label = "costs"
    verbose_name = "Costs"

    def ready(self) -> None:
        # Approving hours or accepting a milestone posts the fee in the same transaction.
        from sourcewise.costs import wiring

        wiring.connect()
