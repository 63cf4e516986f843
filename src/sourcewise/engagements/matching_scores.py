"""Matching (SPEC G3), the scoring: a freelancer's explained 0–100 score for a task.

Pure functions of what `matching_queries` read: no query here (the fair-rate term reads the
ranking's RateBook, loaded once, in memory).

Terms and their weights (points out of 100):

| term       | points | full points when                                                      |
|------------|-------:|------------------------------------------------------------------------|
| skills     | 30     | every needed skill at ≥ the needed level (¾), and expert depth (¼)     |
| overlap    | 20     | average overlap ≥ twice the workspace minimum (capped at the business day) |
| language   | 10     | a working language at C2 (B2 = 6.7, C1 = 8.3 …)                        |
| vetting    | 10     | approved or active (vetting 4, inactive 5, prospect 0)                 |
| ratings    | 10     | a 5/5 track record (checkpoint reviews, completed trials); else trial task and references |
| load       | 10     | ≥ 20 hours a week available                                            |
| fair rate  | 10     | the hourly rate is inside the fair band (G4) for every needed skill    |

Fair rate per needed skill: fair 10, under the fair floor 6, above the home market 4,
below the local market 2; the term is the average over the skills with a verdict. No
hourly rate, no benchmark or a missing exchange rate → the term is excluded (0 of 0
points, the explanation says why) and the score is the share of the remaining 90.

The score is round(points × 100 / maximum), half to even. Hard failures are never
hidden: unvetted, skill gap, no shared language at the minimum level, overlap below the
minimum. Candidates without a failure are ranked first.

Each term depends on a few values shared by many people (levels, schedule, status,
availability, the fair-rate verdicts), so `quick_points` computes each distinct value once
per ranking; overlap once per distinct (zone, hours, days) schedule, cached across rankings.
`score_candidate` builds the same terms with their explanations.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from typing import Any

from sourcewise.money.conversion import MissingExchangeRate
from sourcewise.talent.models import Freelancer
from sourcewise.talent.overlap import Overlap, Schedule, overlap_for

WEIGHTS = {"skills": 30, "overlap": 20, "language": 10, "vetting": 10, "ratings": 10, "load": 10, "fair_rate": 10}
COUNTED_ALWAYS = sum(points for key, points in WEIGHTS.items() if key != "fair_rate")  # 90
VETTING_POINTS = {"approved": 10, "active": 10, "inactive": 5, "vetting": 4, "prospect": 0}
# Fair-rate points per classification (out of WEIGHTS["fair_rate"]); "unknown" has no verdict.
RATE_POINTS = {"fair": 10, "under_floor": 6, "above_home": 4, "below_market": 2}
FULL_AVAILABILITY_HOURS = 20
VETTED = ("approved", "active")
COLUMNS = (
    "id", "name", "status", "country", "timezone", "work_start", "work_end", "work_days",
    "availability_hours", "hourly_rate", "rate_currency",
)  # fmt: skip


@dataclass(frozen=True)
class Term:
    key: str
    label: str
    points: Decimal
    max_points: int
    detail: str

    @property
    def counted(self) -> bool:
        return self.max_points > 0


@dataclass
class Candidate:
    freelancer_id: int
    name: str
    status: str
    country: str
    timezone: str
    score: int
    terms: list[Term]
    failures: list[str]
    overlap: Overlap
    levels: dict[int, int] = field(default_factory=dict)

    @property
    def eligible(self) -> bool:
        return not self.failures

    @property
    def overlap_hours(self) -> Decimal:
        return self.overlap.hours.quantize(Decimal("0.1"))


@dataclass
class Ranking:
    task: Any
    eligible: list[Candidate]
    failing: list[Candidate]
    considered: int
    needs: list[tuple[int, str, int]]  # (skill id, skill name, level needed)


@dataclass(frozen=True)
class Ratings:
    """What a freelancer's past ratings add up to: the track record first, then vetting evidence."""

    reviews: int = 0
    review_average: Decimal | None = None  # scorecard overall of the checkpoint reviews
    trials: tuple[int, ...] = ()  # ratings of completed trial engagements
    trial_task: int | None = None  # the latest trial task recorded during vetting
    reference_average: Decimal | None = None


NO_RATINGS = Ratings()


@dataclass
class Context:
    """Everything a ranking loads once and every candidate shares."""

    task: Any
    today: datetime.date
    needs: list[tuple[int, str, int]]
    skills: dict[int, Any]
    business: Schedule
    min_overlap: Decimal
    full_overlap: Decimal
    min_rank: int
    languages: list[str]
    book: Any
    bands: dict[tuple[int, str, str], Band] = field(default_factory=dict)
    memo: dict[tuple[Any, ...], Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Band:
    """The fair band of one (skill, country, currency), as thresholds on the rate in that currency's units
    converted to the workspace currency; `reason` when no verdict is possible for any rate."""

    fx: Decimal = Decimal(1)
    market: Decimal | None = None
    floor: Decimal | None = None
    ceiling: Decimal | None = None
    reason: str = ""

    def classify(self, rate: Decimal) -> str:
        """The same rule as money.fairband, on exact Decimals (checked against it by the tests)."""
        if self.market is None or self.floor is None:
            return "unknown"
        converted = rate * self.fx
        if converted < self.market:
            return "below_market"
        if converted < self.floor:
            return "under_floor"
        if self.ceiling is None:
            return "unknown"
        return "fair" if converted <= self.ceiling else "above_home"


def quick_points(ctx: Context, r: tuple[Any, ...], ratings: Ratings) -> tuple[int, int]:
    """(score, number of hard failures) of one row: the same terms as `score_candidate`, each distinct
    value computed once per ranking, and no explanation built."""
    n = len(COLUMNS)
    memo = ctx.memo
    levels = r[n + 1 :]
    if None in levels:  # a near miss without one of the skills (left join)
        levels = tuple(level or 0 for level in levels)
    key: tuple[Any, ...] = ("skills", levels)
    skills = memo.get(key) or memo.setdefault(key, _skills_term(ctx, levels))
    days = r[7]  # a tuple (see _rows)
    key = ("overlap", r[4], r[5], r[6], days)
    overlap = memo.get(key) or memo.setdefault(key, _overlap_term(ctx, Schedule.of(r[4], r[5], r[6], days)))
    best = r[n]  # (rank, label) or None (matching_queries._rows)
    rank = best[0] if best else 0
    key = ("language rank", rank)
    language = memo.get(key) or memo.setdefault(key, _language_term(ctx, (rank, "") if rank else None))
    key = ("vetting", r[2])
    vetting = memo.get(key) or memo.setdefault(key, _vetting_term(r[2]))
    key = ("ratings", ratings)
    rated = memo.get(key) or memo.setdefault(key, ratings_term(ratings))
    available = int(r[8] or 0)
    key = ("load", available)
    load = memo.get(key) or memo.setdefault(key, _load_term(available))
    rate, currency, country = r[9], r[10] or "", r[3]
    key = ("fair", _verdicts(ctx, rate, currency, country))
    fair = memo.get(key) or memo.setdefault(key, fair_rate_term(ctx, rate, currency, country, explain=False))
    # The same additions in the same order as `score_candidate`, so the same Decimal result.
    total = Decimal(0) + skills[0].points + overlap[0].points + language[0].points + vetting[0].points
    total = total + rated.points + load.points + fair.points
    maximum = COUNTED_ALWAYS + fair.max_points
    score = max(0, min(100, int((total * 100 / maximum).quantize(Decimal(1)))))
    return score, (skills[1] is not None) + (overlap[1] is not None) + (language[1] is not None) + (
        vetting[1] is not None
    )


def split_ranked(candidates: list[Candidate], limit: int, near: int) -> tuple[list[Candidate], list[Candidate]]:
    eligible = sorted((c for c in candidates if not c.failures), key=candidate_order)
    failing = sorted((c for c in candidates if c.failures), key=failing_order)
    return eligible[:limit], failing[:near]


def candidate_order(c: Candidate) -> tuple[Any, ...]:
    return (-c.score, c.name, c.freelancer_id)


def failing_order(c: Candidate) -> tuple[Any, ...]:
    return (len(c.failures), -c.score, c.name, c.freelancer_id)


def ratings_term(ratings: Ratings) -> Term:
    """Past ratings on 1–5 → 0–10 points: the track record when there is one, else vetting evidence."""
    weight = WEIGHTS["ratings"]
    values: list[Decimal] = []
    sources: list[str] = []
    if ratings.review_average is not None:
        values.append(ratings.review_average)
        sources.append(f"{ratings.reviews} checkpoint review{'s' if ratings.reviews != 1 else ''}")
    if ratings.trials:
        values.append(Decimal(sum(ratings.trials)) / len(ratings.trials))
        sources.append(f"{len(ratings.trials)} completed trial{'s' if len(ratings.trials) != 1 else ''}")
    if values:
        basis = "Track record: "
    else:
        if ratings.trial_task is not None:
            values.append(Decimal(ratings.trial_task))
            sources.append("the trial task")
        if ratings.reference_average is not None:
            values.append(ratings.reference_average)
            sources.append("references")
        basis = "No engagement reviews yet, so vetting evidence: "
    if not values:
        return Term("ratings", "Past ratings", Decimal(0), weight, "No ratings yet.")
    average = sum(values, Decimal(0)) / len(values)
    return Term(
        "ratings",
        "Past ratings",
        weight * (average - 1) / 4,
        weight,
        f"{basis}{average.quantize(Decimal('0.01'))}/5 from {' and '.join(sources)}.",
    )


def _band(ctx: Context, skill_id: int, country: str, currency: str) -> Band:
    """The fair band of (skill, country) for rates in `currency`, read once per ranking from the
    RateBook: the thresholds money.fairband classifies with (the market, the floor = market plus
    the premium capped at the home market, the home market as ceiling) and the exchange rate."""
    key = (skill_id, country, currency)
    band = ctx.bands.get(key)
    if band is None:
        book = ctx.book
        try:  # in the order classify() converts: the rate first, then the markets
            fx = book.rates.rate_on(currency, ctx.today).rate
            market = book.market(skill_id, country, ctx.today)
            home = book.market(skill_id, book.workspace.home_country, ctx.today, allow_estimate=False)
        except MissingExchangeRate as missing:
            band = Band(reason=missing.messages[0])
        else:
            floor = ceiling = None
            if market is not None:
                premium = market.amount * (1 + Decimal(int(book.workspace.fair_premium_pct)) / 100)
                ceiling = home.amount if home is not None else None
                floor = premium if ceiling is None else min(premium, ceiling)
            band = Band(fx=fx, market=market.amount if market else None, floor=floor, ceiling=ceiling)
        ctx.bands[key] = band
    return band


def fair_rate_term(ctx: Context, rate: Decimal | None, currency: str, country: str, *, explain: bool = True) -> Term:
    """G4 'rate inside the fair band', averaged over the task's skills; excluded (0 of 0) without a verdict.

    The points come from each skill's band, classified once per (skill, country, currency)
    with the ranking's RateBook; `explain` adds money's own explanation of every verdict.
    """
    if rate is None or not currency:
        return _excluded("No hourly rate recorded.")
    if not ctx.needs or ctx.book is None:
        return _excluded("The task lists no skills to benchmark the rate against.")
    country, currency = country.upper(), currency.upper()
    points: list[Decimal] = []
    parts: list[str] = []
    unknown: list[str] = []
    for sid, name, _ in ctx.needs:
        band = _band(ctx, sid, country, currency)
        if band.reason:
            return _excluded(band.reason)
        if explain:  # money's own verdict and words (the quick pass reads the same band's thresholds)
            full = ctx.book.classify(
                skill=ctx.skills[sid], country=country, rate=rate, currency=currency, on_date=ctx.today
            )
            verdict = full.classification.value
        else:
            verdict = band.classify(rate)
        if verdict == "unknown":
            unknown.append(name)
            continue
        points.append(Decimal(RATE_POINTS[verdict]))
        if explain:
            parts.append(f"{name}: {full.label.lower()} — {full.explanation}")
    if not points:
        return _excluded(f"No market benchmark to judge {rate} {currency}/h for {', '.join(unknown)} in {country}.")
    if unknown and explain:
        parts.append(f"No benchmark for {', '.join(unknown)} (not counted).")
    weight = WEIGHTS["fair_rate"]
    return Term("fair_rate", "Fair rate", sum(points, Decimal(0)) / len(points), weight, " ".join(parts))


def _excluded(detail: str) -> Term:
    return Term("fair_rate", "Fair rate", Decimal(0), 0, detail + " Not counted in the score.")


Part = tuple[Term, str | None]  # a term and the hard failure it brings, if any


def _skills_term(ctx: Context, levels: tuple[int, ...]) -> Part:
    """Skills: coverage of the needed levels (¾) and depth towards expert (¼)."""
    needs = ctx.needs
    if not needs:
        return Term(
            "skills", "Skills", Decimal(WEIGHTS["skills"]), WEIGHTS["skills"], "The task lists no skills."
        ), None
    have = dict(zip((s for s, _, _ in needs), levels, strict=True))
    coverage = sum((min(Decimal(have[s]) / need, Decimal(1)) for s, _, need in needs), Decimal(0)) / len(needs)
    depth = sum((Decimal(have[s]) / 5 for s, _, _ in needs), Decimal(0)) / len(needs)
    gaps = [f"{name} {have[s]}/{need}" for s, name, need in needs if have[s] < need]
    detail = ", ".join(f"{name} {have[s]}/5 (needs {need})" for s, name, need in needs)
    points = WEIGHTS["skills"] * (coverage * 3 + depth) / 4
    return Term("skills", "Skills", points, WEIGHTS["skills"], detail), (
        "Skill gap: " + ", ".join(gaps) + " (has/needs)." if gaps else None
    )


def _overlap_term(ctx: Context, schedule: Schedule) -> tuple[Term, str | None, Overlap]:
    return _overlap_part(ctx.business, schedule, ctx.today, ctx.min_overlap, ctx.full_overlap)


@lru_cache(maxsize=4096)
def _overlap_part(
    business: Schedule, schedule: Schedule, today: datetime.date, min_overlap: Decimal, full_overlap: Decimal
) -> tuple[Term, str | None, Overlap]:
    """The overlap term of one schedule: a pure function of the two schedules and the day, cached."""
    overlap = overlap_for(business, schedule, today)
    hours = overlap.hours
    shown = hours.quantize(Decimal("0.1"))
    points = WEIGHTS["overlap"] * min(hours / full_overlap, Decimal(1)) if full_overlap else Decimal(0)
    term = Term(
        "overlap",
        "Time-zone overlap",
        points,
        WEIGHTS["overlap"],
        f"{shown} h a business day (minimum {min_overlap}).",
    )
    failure = None
    if not overlap.at_least(min_overlap):
        failure = f"Overlap {shown} h a day is below the minimum of {min_overlap} h."
    return term, failure, overlap


def _language_term(ctx: Context, language: tuple[int, str] | None) -> Part:
    if language and language[0] >= ctx.min_rank:
        points = WEIGHTS["language"] * Decimal(language[0]) / 6
        return Term("language", "Language", points, WEIGHTS["language"], language[1]), None
    shown = f"best is {language[1]}" if language else "none of your working languages"
    return (
        Term("language", "Language", Decimal(0), WEIGHTS["language"], shown.capitalize() + "."),
        f"No shared working language at the minimum level ({shown}).",
    )


def _vetting_term(status: str) -> Part:
    label = Freelancer.Status(status).label
    term = Term("vetting", "Vetting", Decimal(VETTING_POINTS.get(status, 0)), WEIGHTS["vetting"], label)
    return term, None if status in VETTED else f"Not vetted: the freelancer is {label.lower()}, not approved."


def _load_term(available: int) -> Term:
    points = WEIGHTS["load"] * min(Decimal(available) / FULL_AVAILABILITY_HOURS, Decimal(1))
    return Term("load", "Availability", points, WEIGHTS["load"], f"{available} h a week available.")


def _verdicts(ctx: Context, rate: Decimal | None, currency: str, country: str) -> tuple[str, ...]:
    if rate is None or not currency or not ctx.needs or ctx.book is None:
        return ("none",)
    key = ("bands", country, currency)
    bands = ctx.memo.get(key)
    if bands is None:
        bands = ctx.memo[key] = [_band(ctx, sid, country.upper(), currency.upper()) for sid, _, _ in ctx.needs]
    if any(b.reason for b in bands):
        return ("no rate", currency.upper())
    return tuple(b.classify(rate) for b in bands)


def _memo(ctx: Context, key: tuple[Any, ...], make: Any) -> Any:
    """Terms depend on a few values shared by many people: each distinct one is computed once."""
    found = ctx.memo.get(key)
    if found is None:
        found = ctx.memo[key] = make()
    return found


def score_candidate(
    ctx: Context,
    row: dict[str, Any],
    levels: dict[int, int],
    language: tuple[int, str] | None,
    ratings: Ratings,
    explain: bool = True,
) -> Candidate:
    level_key = tuple(levels[s] for s, _, _ in ctx.needs)
    days = tuple(row["work_days"] or ())
    zone, start, end = row["timezone"], row["work_start"], row["work_end"]
    skills = _memo(ctx, ("skills", level_key), lambda: _skills_term(ctx, level_key))
    overlap_term, overlap_failure, overlap = _memo(
        ctx, ("overlap", zone, start, end, days), lambda: _overlap_term(ctx, Schedule.of(zone, start, end, days))
    )
    lang = _memo(ctx, ("language", language), lambda: _language_term(ctx, language))
    vetting = _memo(ctx, ("vetting", row["status"]), lambda: _vetting_term(row["status"]))
    rated = _memo(ctx, ("ratings", ratings), lambda: ratings_term(ratings))
    available = int(row["availability_hours"] or 0)
    load = _memo(ctx, ("load", available), lambda: _load_term(available))
    rate, currency, country = row["hourly_rate"], row["rate_currency"] or "", row["country"]
    if explain:
        fair = fair_rate_term(ctx, rate, currency, country)
    else:  # the points depend only on the verdict per skill
        verdicts = _verdicts(ctx, rate, currency, country)
        fair = _memo(ctx, ("fair", verdicts), lambda: fair_rate_term(ctx, rate, currency, country, explain=False))
    terms = [skills[0], overlap_term, lang[0], vetting[0], rated, load, fair]
    failures = [f for f in (skills[1], overlap_failure, lang[1], vetting[1]) if f]
    total = sum((t.points for t in terms), Decimal(0))
    maximum = sum(t.max_points for t in terms) or 1
    score = int((total * 100 / maximum).quantize(Decimal(1)))
    return Candidate(
        freelancer_id=row["id"],
        name=row["name"],
        status=row["status"],
        country=row["country"],
        timezone=row["timezone"],
        score=max(0, min(100, score)),
        terms=terms,
        failures=failures,
        overlap=overlap,
        levels=levels,
    )
