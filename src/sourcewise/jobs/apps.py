from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "sourcewise.jobs"
    label = "jobs"
    verbose_name = "Background jobs"

    def ready(self) -> None:
        # Each app that runs work in the background registers its job kinds in `<app>/jobs.py`.
        from importlib import import_module
        from importlib.util import find_spec

        from django.apps import apps

        for config in apps.get_app_configs():
            if config.name.startswith("sourcewise.") and config.name != self.name:
                module = f"{config.name}.jobs"
                if find_spec(module) is not None:
                    import_module(module)
