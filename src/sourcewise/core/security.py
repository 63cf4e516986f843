"""Content-Security-Policy on every response: only our own scripts, styles and frames.

There is no inline script or style in the templates (keep it so: the browser test fails
on any CSP violation); htmx is served from our origin, and its indicator styles live in
app.css instead of a <style> element htmx would add (`includeIndicatorStyles: false` in the
`htmx-config` meta tag of base.html). A response that sets its own policy keeps it: uploaded
documents are sandboxed more strictly (core.downloads).
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = POLICY
        return response
