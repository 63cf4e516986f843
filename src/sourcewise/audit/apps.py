from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "sourcewise.audit"
    label = "audit"
    verbose_name = "Audit log"

    def ready(self) -> None:
        from sourcewise.audit import signals  # noqa: F401  (login/logout/failed login)
