"""Run calls at the same moment on PostgreSQL (real parallel connections), one after the other on SQLite.

SQLite serialises every writer (IMMEDIATE transactions) and an in-memory test database
cannot be shared by threads, so there the same test runs the calls in sequence and checks
the same outcome. `pause` builds a hook that holds each thread inside the critical section
until the other arrives (or a short timeout passes because the other waits on a lock):
without a lock both threads get in, which is how the tests reproduce a race for certain.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from typing import Any

from django.db import connection, connections

ON_POSTGRES = connection.vendor == "postgresql"
IN_PARALLEL_REASON = "real parallel connections need PostgreSQL; on SQLite the calls run one after the other"


class Outcome:
    def __init__(self, value: Any = None, error: BaseException | None = None) -> None:
        self.value, self.error = value, error

    def __repr__(self) -> str:
        return f"Outcome(value={self.value!r}, error={self.error!r})"


def race(*calls: Callable[[], Any], timeout: float = 30) -> list[Outcome]:
    """Each call's outcome, in the order given."""
    outcomes: list[Outcome | None] = [None] * len(calls)

    def run(i: int) -> None:
        try:
            outcomes[i] = Outcome(value=calls[i]())
        except BaseException as exc:
            outcomes[i] = Outcome(error=exc)
        finally:
            if ON_POSTGRES:
                connections.close_all()

    if not ON_POSTGRES:
        for i in range(len(calls)):
            run(i)
        return [o for o in outcomes if o is not None]
    start = threading.Barrier(len(calls))

    def threaded(i: int) -> None:
        start.wait(timeout=timeout)
        run(i)

    threads = [threading.Thread(target=threaded, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=timeout)
    assert all(o is not None for o in outcomes), "a racing call did not finish in time"
    return [o for o in outcomes if o is not None]


def pause(parties: int, wait: float = 1.5) -> Callable[..., None]:
    """A hook that waits (at most `wait` seconds) until `parties` threads reached it (PostgreSQL only)."""
    barrier = threading.Barrier(parties)

    def hook(*args: Any, **kwargs: Any) -> None:
        if not ON_POSTGRES:
            return
        # A broken barrier means the other party is blocked on a lock: that is the fix working.
        with contextlib.suppress(threading.BrokenBarrierError):
            barrier.wait(timeout=wait)

    return hook
