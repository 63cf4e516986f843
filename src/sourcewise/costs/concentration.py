"""Spend concentration (SPEC G8): each freelancer's share of the spend over a period, and its HHI."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from sourcewise.costs import formulas
from sourcewise.costs.converted_ledger import Ledger
from sourcewise.costs.models import SPEND_CATEGORIES
from sourcewise.talent.models import Freelancer


@dataclass(frozen=True)
class Share:
    freelancer_id: int
    name: str
    spend: Decimal
    share: Decimal  # 0–1

    @property
    def pct(self) -> Decimal:
        return formulas.percent(self.share)


@dataclass(frozen=True)
class Concentration:
    start: datetime.date
    end: datetime.date
    total: Decimal
    hhi: Decimal
    shares: list[Share]  # the costliest first; all of them, or the top of `count`
    count: int = -1  # freelancers with spend; -1: len(shares)

    @property
    def freelancers(self) -> int:
        return len(self.shares) if self.count < 0 else self.count

    @property
    def top(self) -> Share | None:
        return self.shares[0] if self.shares else None


def concentration_of(
    ledger: Ledger, freelancer_of: dict[int, int], names: dict[int, str], start: datetime.date, end: datetime.date
) -> Concentration:
    """Spend (fees and platform fees of engagements) per freelancer over [start, end], and its HHI."""
    spend: dict[int, Decimal] = defaultdict(Decimal)
    for s in ledger.within(start, end):
        if s.engagement_id is not None and s.category in SPEND_CATEGORIES and s.engagement_id in freelancer_of:
            spend[freelancer_of[s.engagement_id]] += s.converted
    shares = formulas.shares(spend)
    rows = sorted(
        (Share(fid, names.get(fid, f"#{fid}"), spend[fid], share) for fid, share in shares.items()),
        key=lambda r: (-r.spend, r.name, r.freelancer_id),
    )
    return Concentration(start, end, formulas.tco(spend.values()), formulas.hhi(spend), rows)


def freelancers_named(ids: Iterable[int]) -> dict[int, str]:
    return dict(Freelancer.objects.filter(pk__in=list(ids)).values_list("pk", "name"))
