"""The server's own date, for work that belongs to no workspace.

A date that is "today" for a workspace's data (a rule, a finding, a page of that workspace) is
`Workspace.today()`, in the workspace's time zone (`Workspace.zone`). `server_today()` is the
date where the server runs (`settings.TIME_ZONE`): for operator commands, the whole-server cron,
the demo's synthetic data and the places listed in docs that still use it. Nothing else in
`src/` may call `date.today()`, `datetime.now()`, `timezone.localdate()` and the like
(tests/core/test_one_today.py).
"""

from __future__ import annotations

import datetime

from django.utils import timezone


def server_today() -> datetime.date:
    """Today in the server's time zone (`settings.TIME_ZONE`), not in any workspace's."""
    return timezone.localdate()
