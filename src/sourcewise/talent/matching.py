"""Matching (SPEC G3): rank freelancers for a task with an explained 0–100 score.

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

Speed (SPEC P3, `bench/matching.py`): the database does the filtering.

1. Who is ready — vetted, every needed skill at the needed level — is read from
   FreelancerSkill's (skill, level, freelancer) and (freelancer, skill, level) indexes
   alone; their rows are then read as plain tuples with only the columns scoring needs
   and the best working-language rank computed in the same query.
2. The nearest misses (`near_misses`, default `limit`; 0 skips them) — every needed
   skill at some level — are ordered in SQL by their skill and vetting failures and
   limited to a few times that number.
3. A quick pass scores every row read: each term depends on a few values shared by many
   people (levels, schedule, status, availability, the fair-rate verdicts), so each
   distinct value is computed once; overlap once per distinct (zone, hours, days)
   schedule, cached across rankings. Rate benchmarks and exchange rates are loaded once
   per ranking and read as thresholds per (skill, country, currency); ratings are
   batch-loaded. Only the people shown are then scored with their explanations.

`rank_brute_force` explains and scores every freelancer with the task's skills in
Python; the tests check both rankings agree and that every quick score equals the
explained one.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from typing import Any

from django.db import connection
from django.db.models import (
    Avg,
    BooleanField,
    Case,
    F,
    FilteredRelation,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.expressions import RawSQL

from sourcewise.core.validators import CEFR_LEVELS
from sourcewise.talent.models import (
    Freelancer,
    FreelancerLanguage,
    FreelancerSkill,
    Reference,
    TrialTask,
    cefr_rank,
)
from sourcewise.talent.overlap import Overlap, Schedule, business_schedule, overlap_for

WEIGHTS = {"skills": 30, "overlap": 20, "language": 10, "vetting": 10, "ratings": 10, "load": 10, "fair_rate": 10}
COUNTED_ALWAYS = sum(points for key, points in WEIGHTS.items() if key != "fair_rate")  # 90
VETTING_POINTS = {"approved": 10, "active": 10, "inactive": 5, "vetting": 4, "prospect": 0}
# Fair-rate points per classification (out of WEIGHTS["fair_rate"]); "unknown" has no verdict.
RATE_POINTS = {"fair": 10, "under_floor": 6, "above_home": 4, "below_market": 2}
FULL_AVAILABILITY_HOURS = 20
EXCLUDED_STATUSES = ("rejected", "left")
VETTED = ("approved", "active")
NEAR_MISS_FACTOR = 5
ID_BATCH = 5000
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


def _needs(task: Any) -> tuple[list[tuple[int, str, int]], dict[int, Any]]:
    rows = list(task.skill_needs.select_related("skill").order_by("skill__name", "skill_id"))
    return [(n.skill_id, n.skill.name, n.level) for n in rows], {n.skill_id: n.skill for n in rows}


def _context(task: Any, today: datetime.date) -> Context:
    from sourcewise.money.fairband import load_rate_book

    workspace = task.workspace
    needs, skills = _needs(task)
    business = business_schedule(workspace)
    min_overlap = Decimal(workspace.min_tz_overlap_hours)
    return Context(
        task=task,
        today=today,
        needs=needs,
        skills=skills,
        business=business,
        min_overlap=min_overlap,
        full_overlap=min(max(min_overlap * 2, Decimal(1)), business.hours_per_day),
        min_rank=cefr_rank(workspace.min_language_level),
        languages=[str(code) for code in workspace.working_languages],
        book=load_rate_book(workspace, skill_ids=list(skills)) if skills else None,
    )


def _base(task: Any, freelancers: Any) -> Any:
    queryset = freelancers if freelancers is not None else Freelancer.objects.in_workspace(task.workspace)
    return queryset.filter(workspace=task.workspace).exclude(status__in=EXCLUDED_STATUSES)


def _with_levels(queryset: Any, needs: list[tuple[int, str, int]], condition: Q | None = None) -> Any:
    """One inner join per needed skill (FreelancerSkill's (skill, level) index), filtered in one call so
    the joins are shared by every condition."""
    relations = {
        f"need_{sid}": FilteredRelation("skill_levels", condition=Q(skill_levels__skill_id=sid)) for sid, _, _ in needs
    }
    joined = Q()
    for sid, _, _ in needs:
        joined &= Q(**{f"need_{sid}__level__isnull": False})
    return queryset.annotate(**relations).filter(joined & condition if condition is not None else joined)


def _rows(queryset: Any, needs: list[tuple[int, str, int]], languages: list[str]) -> list[tuple[Any, ...]]:
    """COLUMNS, the best working-language rank (A1 = 1 … C2 = 6, read in the same query), the levels."""
    rank = Case(*(When(level=level, then=i + 1) for i, level in enumerate(CEFR_LEVELS)), default=0)
    best = (
        FreelancerLanguage.objects.filter(freelancer=OuterRef("pk"), language__in=languages)
        .annotate(rank=rank)
        .order_by("-rank")
        .values("rank")[:1]
    )
    queryset = queryset.annotate(language_rank=Subquery(best, output_field=IntegerField()))
    names = (*COLUMNS, "language_rank", *(f"need_{sid}__level" for sid, _, _ in needs))
    query = queryset.values_list(*names).query
    # Django ≥ 5.2 selects in the order asked (query.selected); older versions fields first.
    selected = list(getattr(query, "selected", None) or ())
    selected = selected or [*query.extra_select, *query.values_select, *query.annotation_select]
    order = [selected.index(name) for name in names]
    sql, params = query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        raw = cursor.fetchall()
    # Read as plain tuples; the few distinct times, day lists and rates converted once each.
    converters: tuple[tuple[int, Callable[[Any], object], dict[object, object]], ...] = (
        (5, _as_time, {}),
        (6, _as_time, {}),
        (7, _as_days, {}),
        (9, _as_rate, {}),
    )
    rows = []
    for found in raw:
        row = [found[i] for i in order]
        for index, function, memo in converters:
            value = row[index]
            converted = memo.get(value, memo)
            if converted is memo:
                converted = memo[value] = function(value)
            row[index] = converted
        rows.append(tuple(row))
    return rows


def _as_time(value: Any) -> datetime.time:
    return value if isinstance(value, datetime.time) else datetime.time.fromisoformat(str(value))


def _as_days(value: Any) -> tuple[int, ...]:
    return tuple(json.loads(value) if isinstance(value, str) else value or ())


def _as_rate(value: Any) -> Decimal | None:
    if value is None:
        return None
    return (value if isinstance(value, Decimal) else Decimal(str(value))).quantize(Decimal("0.01"))


def _id_in(model: Any, column: str, ids: list[int]) -> RawSQL:
    """`column IN (1, 2, …)` with the integers written out: Django's `__in` costs ~10 µs a value."""
    qn = connection.ops.quote_name
    listed = ",".join(str(int(i)) for i in ids)
    return RawSQL(f"{qn(model._meta.db_table)}.{qn(column)} IN ({listed})", [], output_field=BooleanField())  # noqa: S611


def _ready_ids(needs: list[tuple[int, str, int]]) -> list[int]:
    """Who has every needed skill at the needed level, read from FreelancerSkill's indexes alone.

    The rarest requirement (highest level) drives: a range of the (skill, level, freelancer)
    index, then one probe per person into (freelancer, skill, level) for each other skill.
    """
    table = FreelancerSkill._meta.db_table
    ordered = sorted(needs, key=lambda n: (-n[2], n[0]))
    (first, _, first_level), others = ordered[0], ordered[1:]
    joins = "".join(
        f" JOIN {table} n{i} ON n{i}.freelancer_id = d.freelancer_id AND n{i}.skill_id = %s AND n{i}.level >= %s"
        for i in range(len(others))
    )
    params: list[int] = [v for sid, _, level in others for v in (sid, level)] + [first, first_level]
    with connection.cursor() as cursor:
        sql = f"SELECT d.freelancer_id FROM {table} d{joins} WHERE d.skill_id = %s AND d.level >= %s"  # noqa: S608
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


def rank_candidates(
    task: Any, *, today: datetime.date, limit: int = 20, freelancers: Any = None, near_misses: int | None = None
) -> Ranking:
    """The best `limit` candidates without a hard failure, and the best `near_misses` (default: `limit`)
    people with one, and why.

    `freelancers` narrows who is considered (a queryset of the task's workspace).
    `considered` counts the people read and scored: the ready ones and the nearest misses.
    """
    ctx = _context(task, today)
    needs = ctx.needs
    base = _base(task, freelancers)
    near_count = limit if near_misses is None else near_misses
    # Vetted, every needed skill at the needed level: only language and overlap can still fail.
    ready = base.filter(status__in=VETTED)
    ready_rows: list[tuple[Any, ...]] = []
    if needs:
        ids = _ready_ids(needs)
        for first in range(0, len(ids), ID_BATCH):
            batch = ids[first : first + ID_BATCH]
            ready_rows += _rows(
                _with_levels(ready.filter(_id_in(Freelancer, "id", batch)), needs), needs, ctx.languages
            )
    else:
        ready_rows = _rows(ready, needs, ctx.languages)
    near_rows: list[tuple[Any, ...]] = []
    if near_count > 0:
        # Nearest misses: fewest vetting and skill failures first, then the deepest skills.
        near_filter = Q(status__in=[s for s in Freelancer.Status.values if s not in VETTED + EXCLUDED_STATUSES])
        misses: Any = Case(When(status__in=VETTED, then=0), default=1)
        depth: Any = Value(0, output_field=IntegerField())
        for sid, _, level in needs:
            near_filter |= Q(**{f"need_{sid}__level__lt": level})
            misses = misses + Case(When(**{f"need_{sid}__level__lt": level}, then=1), default=0)
            depth = depth + F(f"need_{sid}__level")
        near = (
            _with_levels(base, needs, near_filter)
            .alias(misses=misses, depth=depth)
            .order_by("misses", "-depth", "-availability_hours", "name", "id")
        )
        near_rows = _rows(near[: near_count * NEAR_MISS_FACTOR], needs, ctx.languages)

    # Points of everyone read (each distinct term value computed once), then the explanations
    # of the people shown only.
    rows = ready_rows + near_rows
    ratings = load_ratings([r[0] for r in rows])
    ranked = [(*_quick_points(ctx, r, ratings.get(r[0], NO_RATINGS)), r) for r in rows]
    ready = sorted((x for x in ranked if not x[1]), key=lambda x: (-x[0], x[2][1], x[2][0]))[:limit]
    misses = sorted((x for x in ranked if x[1]), key=lambda x: (x[1], -x[0], x[2][1], x[2][0]))[:near_count]
    shown = [x[2] for x in ready + misses]
    explained = _score_rows(
        ctx, shown, languages=_best_languages([r[0] for r in shown], ctx.languages), ratings=ratings
    )
    eligible, failing = _split(explained, limit, near_count)
    return Ranking(task=task, eligible=eligible, failing=failing, considered=len(rows), needs=needs)


def _quick_points(ctx: Context, r: tuple[Any, ...], ratings: Ratings) -> tuple[int, int]:
    """(score, number of hard failures) of one row: the same terms as `_score`, each distinct
    value computed once per ranking, and no explanation built."""
    n = len(COLUMNS)
    memo = ctx.memo
    levels = r[n + 1 :]  # inner joins: never NULL
    key: tuple[Any, ...] = ("skills", levels)
    skills = memo.get(key) or memo.setdefault(key, _skills_term(ctx, levels))
    days = r[7]  # a tuple (see _rows)
    key = ("overlap", r[4], r[5], r[6], days)
    overlap = memo.get(key) or memo.setdefault(key, _overlap_term(ctx, Schedule.of(r[4], r[5], r[6], days)))
    rank = int(r[n] or 0)
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
    # The same additions in the same order as `_score`, so the same Decimal result.
    total = Decimal(0) + skills[0].points + overlap[0].points + language[0].points + vetting[0].points
    total = total + rated.points + load.points + fair.points
    maximum = COUNTED_ALWAYS + fair.max_points
    score = max(0, min(100, int((total * 100 / maximum).quantize(Decimal(1)))))
    return score, (skills[1] is not None) + (overlap[1] is not None) + (language[1] is not None) + (
        vetting[1] is not None
    )


def _split(candidates: list[Candidate], limit: int, near: int) -> tuple[list[Candidate], list[Candidate]]:
    eligible = sorted((c for c in candidates if not c.failures), key=_order)
    failing = sorted((c for c in candidates if c.failures), key=_failing_order)
    return eligible[:limit], failing[:near]


def rank_brute_force(task: Any, *, today: datetime.date, limit: int = 20, freelancers: Any = None) -> Ranking:
    """The reference ranking: every freelancer with every needed skill scored in Python, then sorted."""
    ctx = _context(task, today)
    rows = _rows(_with_levels(_base(task, freelancers), ctx.needs), ctx.needs, ctx.languages)
    candidates = _score_rows(ctx, rows)
    eligible = sorted((c for c in candidates if not c.failures), key=_order)
    failing = sorted((c for c in candidates if c.failures), key=_failing_order)
    return Ranking(task=task, eligible=eligible[:limit], failing=failing[:limit], considered=len(rows), needs=ctx.needs)


def _order(c: Candidate) -> tuple[Any, ...]:
    return (-c.score, c.name, c.freelancer_id)


def _failing_order(c: Candidate) -> tuple[Any, ...]:
    return (len(c.failures), -c.score, c.name, c.freelancer_id)


def _score_rows(
    ctx: Context,
    rows: list[tuple[Any, ...]],
    *,
    explain: bool = True,
    languages: dict[int, tuple[int, str]] | None = None,
    ratings: dict[int, Ratings] | None = None,
) -> list[Candidate]:
    ids = [r[0] for r in rows]
    languages = _best_languages(ids, ctx.languages) if languages is None else languages
    ratings = load_ratings(ids) if ratings is None else ratings
    n = len(COLUMNS)
    candidates = []
    for r in rows:
        row = dict(zip(COLUMNS, r[:n], strict=True))
        levels = {sid: int(level or 0) for (sid, _, _), level in zip(ctx.needs, r[n + 1 :], strict=True)}
        candidates.append(_score(ctx, row, levels, languages.get(r[0]), ratings.get(r[0], Ratings()), explain))
    return candidates


def _best_languages(ids: list[int], languages: list[str]) -> dict[int, tuple[int, str]]:
    best: dict[int, tuple[int, str]] = {}
    if not ids:
        return best
    rows = FreelancerLanguage.objects.filter(_id_in(FreelancerLanguage, "freelancer_id", ids), language__in=languages)
    for fid, code, level in rows.values_list("freelancer_id", "language", "level"):
        rank = cefr_rank(level)
        if rank > best.get(fid, (0, ""))[0]:
            best[fid] = (rank, f"{code} {level}")
    return best


def load_ratings(freelancer_ids: Iterable[int]) -> dict[int, Ratings]:
    """Past ratings of many freelancers in at most four queries (none per person)."""
    from sourcewise.engagements.models import Engagement
    from sourcewise.engagements.selectors import scorecard_for

    ids = list(freelancer_ids)
    if not ids:
        return {}
    found: dict[int, dict[str, Any]] = {}
    engagements = (
        Engagement.objects.filter(_id_in(Engagement, "freelancer_id", ids))
        .order_by("freelancer_id", "end_date", "id")
        .values_list("freelancer_id", "kind", "state", "trial_rating")
    )
    engaged: set[int] = set()
    for fid, kind, state, rating in engagements:
        engaged.add(fid)
        if kind == "trial" and state == "completed" and rating is not None:
            entry = found.setdefault(fid, {})
            entry["trials"] = (*entry.get("trials", ()), int(rating))
    for fid, card in scorecard_for(sorted(engaged)).items() if engaged else ():
        found.setdefault(fid, {}).update(reviews=card.reviews, review_average=card.overall)
    tasks = TrialTask.objects.filter(_id_in(TrialTask, "freelancer_id", ids)).order_by(
        "freelancer_id", "-completed_on", "-id"
    )
    for fid, rating in tasks.values_list("freelancer_id", "rating"):
        found.setdefault(fid, {}).setdefault("trial_task", int(rating))
    references = (
        Reference.objects.filter(_id_in(Reference, "freelancer_id", ids))
        .values("freelancer_id")
        .annotate(a=Avg("rating"))
        .order_by()
    )
    for ref in references:
        found.setdefault(ref["freelancer_id"], {})["reference_average"] = Decimal(str(ref["a"]))
    return {fid: Ratings(**values) for fid, values in found.items()}


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
    from sourcewise.money.conversion import MissingExchangeRate

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


def _score(
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
