"""A text progress bar for commands: `bar(done, total)` redraws one line on stderr."""

from __future__ import annotations

import time
from typing import Any


class ProgressBar:
    def __init__(self, stream: Any, *, label: str, width: int = 30, every: float = 0.2) -> None:
        self.stream = stream
        self.label = label
        self.width = width
        self.every = every
        self._last = 0.0
        self._drawn = False

    def __call__(self, done: int, total: int | None = None, message: str | None = None) -> None:
        now = time.monotonic()
        last_one = bool(total) and done >= (total or 0)
        if not last_one and now - self._last < self.every:
            return
        self._last = now
        filled = int(self.width * done / total) if total else 0
        bar = "#" * filled + "-" * (self.width - filled)
        figures = f"{done:>9}/{total}" if total else f"{done:>9}"
        self.stream.write(f"\r{self.label:<8} [{bar}] {figures}", ending="")
        self.stream.flush()
        self._drawn = True

    def close(self) -> None:
        if self._drawn:
            self.stream.write("")
            self._drawn = False
