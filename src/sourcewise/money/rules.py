"""What guardrail checks of agreed rates share: the workspace's RateBook, loaded once per evaluation.

The G4 check itself judges engagements: `engagements/rules.py` (`agreed_rates_outside_the_fair_band`).
"""

from __future__ import annotations

from sourcewise.findings.registry import CheckContext
from sourcewise.money.fairband import RateBook, load_rate_book


def rate_book(ctx: CheckContext) -> RateBook:
    """The workspace's rate book, shared by every check of one evaluation."""
    return ctx.memo("money.rate_book", lambda: load_rate_book(ctx.workspace))
