"""The one batched insert the generators share: rows in chunks, progress told after each."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import models

BATCH = 5000

# (what, done, total): `sourcewise generate` prints it as a progress line.
Progress = Callable[[str, int, int], None]


def insert_in_batches(
    model: type[models.Model], rows: list[Any], progress: Progress | None, label: str, *, batch: int = BATCH
) -> None:
    """`bulk_create` in chunks of `batch` (memory stays flat; the progress line moves)."""
    for start in range(0, len(rows), batch):
        # The base manager: a model's default manager may filter rows out (it never adds any here).
        model._base_manager.bulk_create(rows[start : start + batch], batch_size=batch)
        if progress:
            progress(label, min(start + batch, len(rows)), len(rows))
