"""Absolute links for emails: which address a recipient's browser should open.

In order: the `SITE_URL` setting when the operator set one; else the address the current
request came in on (so a server started on 0.0.0.0:8123 and reached as http://host:8123
mails links to http://host:8123, never to a default port nobody listens on); else, for work
without a request (jobs, cron, commands), the address `serve` was started on, which it
exports as `SOURCEWISE_SERVE_URL`; and finally http://127.0.0.1:8000.
"""

from __future__ import annotations

import os

from django.conf import settings
from django.http import HttpRequest

SERVE_URL_ENV = "SOURCEWISE_SERVE_URL"
FALLBACK = "http://127.0.0.1:8000"


def site_url(request: HttpRequest | None = None) -> str:
    """The scheme and host emailed links start with, without a trailing slash."""
    configured = (getattr(settings, "SITE_URL", "") or "").rstrip("/")
    if configured:
        return configured
    if request is not None:
        return request.build_absolute_uri("/").rstrip("/")
    return (os.environ.get(SERVE_URL_ENV) or "").rstrip("/") or FALLBACK


def serve_url(bind: str) -> str:
    """The address `serve --bind` is reached on (a wildcard bind is reached on the loopback)."""
    host, _, port = bind.rpartition(":")
    if not host or host.startswith("unix"):
        return FALLBACK
    if host in ("0.0.0.0", "[::]", "::"):  # noqa: S104 (naming the wildcard, not binding to it)
        host = "127.0.0.1"
    return f"http://{host}:{port}"
