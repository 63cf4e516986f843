"""Reading a backup file: JSON that is safe to load (size, depth, duplicate keys, numbers) and of a backup's shape."""

from __future__ import annotations

import json
import math
from typing import TYPE_CHECKING, Any

from sourcewise.backups.document import FORMAT, MAX_DEPTH, VERSION, BackupError, BackupTooLarge
from sourcewise.backups.tables import EXCLUDED, backup_models
from sourcewise.core.limits import MAX_BACKUP_BYTES

if TYPE_CHECKING:
    pass


def _refuse_constant(name: str) -> Any:
    raise BackupError(f"The file holds {name}, which is not a number a backup can contain.")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise BackupError(f"The file holds the number {text[:40]}, which is too large.")
    return value


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    document: dict[str, Any] = {}
    for key, value in pairs:
        if key in document:
            raise BackupError(f"The file names the key “{key[:60]}” twice in one object; a backup never does.")
        document[key] = value
    return document


def _check_depth(document: Any) -> None:
    stack: list[tuple[Any, int]] = [(document, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise BackupError(f"The file nests values more than {MAX_DEPTH} levels deep; a backup never does.")
        if isinstance(value, dict):
            stack.extend((v, depth + 1) for v in value.values() if isinstance(v, dict | list))
        elif isinstance(value, list):
            stack.extend((v, depth + 1) for v in value if isinstance(v, dict | list))


def parse_backup(data: bytes | str, *, limit: int | None = MAX_BACKUP_BYTES) -> Any:
    """The JSON document in `data`, or a BackupError a person can act on (never a traceback).

    Strict where `json.loads` is lenient: no NaN/Infinity, no duplicate keys, no absurd nesting.
    """
    if limit is not None and len(data) > limit:
        raise BackupTooLarge(f"The file is larger than {limit // (1024 * 1024)} MB, the limit for a restore.")
    try:
        text = data.decode("utf-8") if isinstance(data, bytes) else data
        document = json.loads(
            text, parse_constant=_refuse_constant, parse_float=_finite_float, object_pairs_hook=_no_duplicate_keys
        )
    except BackupError:
        raise
    except RecursionError:
        raise BackupError(f"The file nests values more than {MAX_DEPTH} levels deep; a backup never does.") from None
    except UnicodeDecodeError:
        raise BackupError("This file is not a JSON backup (it is not UTF-8 text).") from None
    except ValueError as exc:  # JSONDecodeError, and integers too long to read
        raise BackupError(f"This file is not a JSON backup ({str(exc)[:120]}).") from None
    _check_depth(document)
    return document


def check_shape(document: Any) -> None:
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise BackupError("This is not a Sourcewise backup file (its “format” is missing or different).")
    if document.get("version") != VERSION:
        version = document.get("version")
        shown = repr(version)[:40] if isinstance(version, str | int | float | bool) or version is None else "unreadable"
        raise BackupError(f"This backup has version {shown}; this Sourcewise reads version {VERSION}.")
    for key, kind in (("workspace", dict), ("users", list), ("tables", dict)):
        if not isinstance(document.get(key), kind):
            raise BackupError(f"The backup's “{key}” is missing or malformed.")
    known = {spec.label for spec in backup_models()}
    unknown = sorted(set(document["tables"]) - known - EXCLUDED)
    if unknown:
        shown = ", ".join(label[:60] for label in unknown[:10])
        raise BackupError(f"The backup holds tables this version does not know: {shown}.")
    for label in known & set(document["tables"]):
        if not isinstance(document["tables"][label], list):
            raise BackupError(f"{label}: a list of rows is expected.")
