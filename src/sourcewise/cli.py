"""The `sourcewise` command: Django's management commands with Sourcewise's own on top.

`sourcewise serve`, `sourcewise demo`, `sourcewise health --json`, ... are management
commands of the domain apps; this entry point only picks the settings module.
"""

from __future__ import annotations

import os
import sys

CONFIG_ERROR_EXIT = 2


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sourcewise.config.settings.base")
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    args = list(sys.argv if argv is None else ["sourcewise", *argv])
    if len(args) == 1:
        args.append("help")
    try:
        # Load the settings first: a missing configuration is one clear line, not a traceback.
        settings.INSTALLED_APPS  # noqa: B018
        execute_from_command_line(args)
    except ImproperlyConfigured as exc:
        message = " ".join(str(exc).split())
        sys.stderr.write(f"sourcewise: configuration error: {message}\n")
        sys.exit(CONFIG_ERROR_EXIT)


if __name__ == "__main__":
    main()
