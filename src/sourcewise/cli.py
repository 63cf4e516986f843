"""The `sourcewise` command: Django's management commands with Sourcewise's own on top.

`sourcewise serve`, `sourcewise demo`, `sourcewise health --json`, ... are management
commands of the domain apps; this entry point only picks the settings module.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sourcewise.config.settings.base")
    from django.core.management import execute_from_command_line

    args = list(sys.argv if argv is None else ["sourcewise", *argv])
    if len(args) == 1:
        args.append("help")
    execute_from_command_line(args)


if __name__ == "__main__":
    main()
