"""How a server process sets up the Python runtime it answers requests in (SPEC §6 P5, P7).

CPython's cycle collector starts a young collection every 700 new container objects and an
older one every tenth of those (its defaults: 700, 10, 10). One page of 50 engagements makes
about that many dicts and model objects, freed with the response and none in a cycle, so
nearly every request paid for a collection and about one in twenty for an older one that
walks everything the process keeps: that older one was the slowest twentieth of API answers,
twice the median. A server raises the thresholds (collections stay, less often), and moves
what it loaded at start (Django, the URLs, the models) out of the collector's way for good
with `gc.freeze()`, as large Django deployments do.
"""

from __future__ import annotations

import gc

# Young objects before a collection; young collections before a middle one; middle ones
# before a full one. At most some 20,000 objects (a few MB) wait for the collector.
SERVER_GC_THRESHOLDS = (20_000, 50, 100)


def tune_garbage_collector() -> None:
    """The collector as a long-running server wants it: what exists now frozen, thresholds raised."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*SERVER_GC_THRESHOLDS)
