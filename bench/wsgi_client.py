"""Requests through Django's WSGI handler itself, as gunicorn calls it (bench/peers.py, api_pages.py).

Django's test `Client` keeps the database connection open between requests (it unhooks
`close_old_connections`); production keeps it by its own rules (DB_CONN_MAX_AGE, 60 s by
default, with a health check at the start of each request). This client builds a WSGI
environ and calls `WSGIHandler` the way a WSGI server does, closing the response at the
end, so `request_started`/`request_finished` keep or close connections as in production.
"""

from __future__ import annotations

import io
import json
import sys
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode


@dataclass
class Answer:
    status_code: int
    content: bytes
    headers: list[tuple[str, str]]

    def json(self) -> Any:
        return json.loads(self.content)


class WsgiClient:
    def __init__(self, **headers: str) -> None:
        from django.core.handlers.wsgi import WSGIHandler

        self.app = WSGIHandler()
        self.headers = headers  # e.g. HTTP_AUTHORIZATION="Bearer …"

    def get(self, path: str, params: dict[str, Any] | None = None) -> Answer:
        environ = {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": path,
            "QUERY_STRING": urlencode(params or {}),
            "SCRIPT_NAME": "",
            "SERVER_NAME": "localhost",
            "SERVER_PORT": "8000",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "127.0.0.1",
            "HTTP_HOST": "localhost:8000",
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(b""),
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": False,
            "wsgi.multiprocess": True,
            "wsgi.run_once": False,
            **self.headers,
        }
        started: dict[str, Any] = {}

        def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
            started["status"], started["headers"] = status, headers

        response = self.app(environ, start_response)
        try:
            content = b"".join(response)
        finally:
            response.close()  # request_finished: the connection is closed or kept as production does
        return Answer(int(started["status"].split(" ", 1)[0]), content, started["headers"])
