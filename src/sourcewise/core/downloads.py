"""Serving files people uploaded: always a download, never a page of our origin.

An uploaded (or restored) "document" could be HTML or SVG with a script; served inline
from our own origin it would run with the viewer's session. So every stored file goes out
as an attachment, with `nosniff` (the browser keeps our content type) and a sandbox CSP
(even if it is opened, it has no origin and may run nothing).
"""

from __future__ import annotations

from typing import IO

from django.http import FileResponse

# The only content types an uploaded document may be served with; anything else is bytes.
SERVED_TYPES = {"application/pdf", "image/png", "image/jpeg"}
UPLOAD_CSP = "sandbox; default-src 'none'; frame-ancestors 'none'"


def uploaded_file_response(handle: IO[bytes], *, content_type: str, filename: str) -> FileResponse:
    served_type = content_type if content_type in SERVED_TYPES else "application/octet-stream"
    response = FileResponse(handle, content_type=served_type, as_attachment=True, filename=filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = UPLOAD_CSP
    response["Cache-Control"] = "private, no-store"
    return response
