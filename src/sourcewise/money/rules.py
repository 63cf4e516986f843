"""Guardrail G4 checks: every draft or active engagement's agreed rate against the fair band.

The decisions (which skills, which date, a missing exchange rate) are in
`money/agreed_rates.py` and docs/money.md. The RateBook and the engagements load once per
evaluation (`ctx.memo`): three queries whatever the number of engagements.
"""

from __future__ import annotations

from collections.abc import Iterator

from sourcewise.engagements.models import Engagement
from sourcewise.findings.registry import CheckContext, Finding, check
from sourcewise.money.agreed_rates import engagement_findings, open_engagements
from sourcewise.money.fairband import RateBook, load_rate_book


def rate_book(ctx: CheckContext) -> RateBook:
    """The workspace's rate book, shared by every check of one evaluation."""
    return ctx.memo("money.rate_book", lambda: load_rate_book(ctx.workspace))


def _engagements(ctx: CheckContext) -> list[Engagement]:
    """Draft and active engagements: only the scope's in a scoped run."""
    ids = None if ctx.scope is None else ctx.scope.ids("engagement")
    return ctx.memo("money.open_engagements", lambda: open_engagements(ctx.workspace, ids))


@check("RATE_BELOW_MARKET", "RATE_UNDER_FAIR_FLOOR", "RATE_ABOVE_HOME", "NO_RATE_BENCHMARK")
def agreed_rates_outside_the_fair_band(ctx: CheckContext) -> Iterator[Finding]:
    """Subject: each draft or active engagement (a draft on its start date, an active one
    today), one finding per skill its task needs. Ended engagements are never judged."""
    engagements = _engagements(ctx)
    if not engagements:
        return
    book = rate_book(ctx)
    for engagement in engagements:
        yield from engagement_findings(book, engagement, ctx.today)
