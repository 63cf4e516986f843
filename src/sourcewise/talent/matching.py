"""Matching (SPEC G3): rank freelancers for a task with an explained 0–100 score.

Terms and their weights (points out of 100):

| term       | points | full points when                                                      |
|------------|-------:|------------------------------------------------------------------------|
| skills     | 30     | every needed skill at ≥ the needed level (¾), and expert depth (¼)     |
| overlap    | 20     | average overlap ≥ twice the workspace minimum (capped at the business day) |
| language   | 10     | a working language at C2 (B2 = 6.7, C1 = 8.3 …)                        |
| vetting    | 10     | approved or active (vetting 4, inactive 5, prospect 0)                 |
| ratings    | 10     | a 5/5 track record: checkpoint reviews and completed trials; without them the trial task and references |
| load       | 10     | ≥ 20 hours a week available                                            |
| fair rate  | 10     | the hourly rate is inside the fair band (G4) for every needed skill    |

Fair rate per needed skill: fair 10, under the fair floor 6, above the home market 4,
below the local market 2; the term is the average over the skills with a verdict. No
hourly rate, no benchmark or a missing exchange rate → the term is excluded (0 of 0
points, the explanation says why) and the score is the share of the remaining 90.

The score is round(points × 100 / maximum), half to even. Hard failures are never
hidden: unvetted, skill gap, no shared language at the minimum level, overlap below the
minimum. Candidates without a failure are ranked first.

Speed (SPEC P3, `bench/matching.py`): the database does the filtering. One query reads,
as plain tuples, only the columns scoring needs of the freelancers who are vetted and
have every needed skill at the needed level (joined through the (skill, level) index);
a second reads the nearest misses — every needed skill at some level — ordered in SQL
by their skill and vetting failures and limited to a few times `limit`. Overlap is
computed once per distinct (zone, hours, days) schedule and cached; rate benchmarks
and exchange rates are loaded once per ranking; languages and ratings are batch-loaded
for the rows read. `rank_brute_force` scores every freelancer in Python: the tests
check both agree.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Avg, Case, F, FilteredRelation, IntegerField, Q, Value, When

from sourcewise.talent.models import (
    Freelancer,
    FreelancerLanguage,
    Reference,
    TrialTask,
    cefr_rank,
)
from sourcewise.talent.overlap import Overlap, Schedule, business_schedule, overlap_for

WEIGHTS = {"skills": 30, "overlap": 20, "language": 10, "vetting": 10, "ratings": 10, "load": 10, "fair_rate": 10}
VETTING_POINTS = {"approved": 10, "active": 10, "inactive": 5, "vetting": 4, "prospect": 0}
# Fair-rate points per classification (out of WEIGHTS["fair_rate"]); "unknown" has no verdict.
RATE_POINTS = {"fair": 10, "under_floor": 6, "above_home": 4, "below_market": 2}
FULL_AVAILABILITY_HOURS = 20
EXCLUDED_STATUSES = ("rejected", "left")
VETTED = ("approved", "active")
NEAR_MISS_FACTOR = 5
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
    _rates: dict[tuple[str, Decimal, str], Term] = field(default_factory=dict)


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


def _with_levels(queryset: Any, needs: list[tuple[int, str, int]]) -> Any:
    """One inner join per needed skill (through FreelancerSkill's (skill, level) index)."""
    relations = {
        f"need_{sid}": FilteredRelation("skill_levels", condition=Q(skill_levels__skill_id=sid)) for sid, _, _ in needs
    }
    queryset = queryset.annotate(**relations)
    for sid, _, _ in needs:
        queryset = queryset.filter(**{f"need_{sid}__level__isnull": False})
    return queryset


def _rows(queryset: Any, needs: list[tuple[int, str, int]]) -> list[tuple[Any, ...]]:
    return list(queryset.values_list(*COLUMNS, *(f"need_{sid}__level" for sid, _, _ in needs)))


def rank_candidates(task: Any, *, today: datetime.date, limit: int = 20, freelancers: Any = None) -> Ranking:
    """The best `limit` candidates without a hard failure, and the best `limit` near misses (and why).

    `freelancers` narrows who is considered (a queryset of the task's workspace).
    """
    ctx = _context(task, today)
    needs = ctx.needs
    base = _base(task, freelancers)
    with_levels = _with_levels(base, needs)
    # Vetted, every needed skill at the needed level: only language and overlap can still fail.
    ready = with_levels.filter(status__in=VETTED)
    for sid, _, level in needs:
        ready = ready.filter(**{f"need_{sid}__level__gte": level})
    ready_rows = _rows(ready, needs)
    # Nearest misses: fewest vetting and skill failures first, then the deepest skills.
    misses: Any = Value(0, output_field=IntegerField())
    depth: Any = Value(0, output_field=IntegerField())
    for sid, _, level in needs:
        misses = misses + Case(When(**{f"need_{sid}__level__lt": level}, then=1), default=0)
        depth = depth + F(f"need_{sid}__level")
    misses = misses + Case(When(status__in=VETTED, then=0), default=1)
    near = (
        with_levels.exclude(pk__in=[r[0] for r in ready_rows] if len(ready_rows) <= 500 else ready.values("pk"))
        .alias(misses=misses, depth=depth)
        .order_by("misses", "-depth", "-availability_hours", "name", "id")
    )[: max(limit, 1) * NEAR_MISS_FACTOR]
    near_rows = _rows(near, needs)
    considered = with_levels.count()

    candidates = _score_rows(ctx, ready_rows + near_rows)
    eligible = sorted((c for c in candidates if not c.failures), key=_order)
    failing = sorted((c for c in candidates if c.failures), key=_failing_order)
    return Ranking(task=task, eligible=eligible[:limit], failing=failing[:limit], considered=considered, needs=needs)


def rank_brute_force(task: Any, *, today: datetime.date, limit: int = 20, freelancers: Any = None) -> Ranking:
    """The reference ranking: every freelancer with every needed skill scored in Python, then sorted."""
    ctx = _context(task, today)
    rows = _rows(_with_levels(_base(task, freelancers), ctx.needs), ctx.needs)
    candidates = _score_rows(ctx, rows)
    eligible = sorted((c for c in candidates if not c.failures), key=_order)
    failing = sorted((c for c in candidates if c.failures), key=_failing_order)
    return Ranking(task=task, eligible=eligible[:limit], failing=failing[:limit], considered=len(rows), needs=ctx.needs)


def _order(c: Candidate) -> tuple[Any, ...]:
    return (-c.score, c.name, c.freelancer_id)


def _failing_order(c: Candidate) -> tuple[Any, ...]:
    return (len(c.failures), -c.score, c.name, c.freelancer_id)


def _score_rows(ctx: Context, rows: list[tuple[Any, ...]]) -> list[Candidate]:
    ids = [r[0] for r in rows]
    languages = _best_languages(ids, ctx.languages)
    ratings = load_ratings(ids)
    n = len(COLUMNS)
    candidates = []
    for r in rows:
        row = dict(zip(COLUMNS, r[:n], strict=True))
        levels = {sid: int(level or 0) for (sid, _, _), level in zip(ctx.needs, r[n:], strict=True)}
        candidates.append(_score(ctx, row, levels, languages.get(r[0]), ratings.get(r[0], Ratings())))
    return candidates


def _best_languages(ids: list[int], languages: list[str]) -> dict[int, tuple[int, str]]:
    best: dict[int, tuple[int, str]] = {}
    if not ids:
        return best
    rows = FreelancerLanguage.objects.filter(freelancer_id__in=ids, language__in=languages)
    for fid, code, level in rows.values_list("freelancer_id", "language", "level"):
        rank = cefr_rank(level)
        if rank > best.get(fid, (0, ""))[0]:
            best[fid] = (rank, f"{code} {level}")
    return best


def load_ratings(freelancer_ids: Iterable[int]) -> dict[int, Ratings]:
    """Past ratings of many freelancers in four queries (none per person)."""
    from sourcewise.engagements.models import Engagement
    from sourcewise.engagements.selectors import scorecard_for

    ids = list(freelancer_ids)
    if not ids:
        return {}
    found: dict[int, dict[str, Any]] = {}
    for fid, card in scorecard_for(ids).items():
        found.setdefault(fid, {}).update(reviews=card.reviews, review_average=card.overall)
    trials = (
        Engagement.objects.filter(freelancer_id__in=ids, kind="trial", state="completed", trial_rating__isnull=False)
        .order_by("freelancer_id", "end_date", "id")
        .values_list("freelancer_id", "trial_rating")
    )
    for fid, rating in trials:
        entry = found.setdefault(fid, {})
        entry["trials"] = (*entry.get("trials", ()), int(rating))
    tasks = TrialTask.objects.filter(freelancer_id__in=ids).order_by("freelancer_id", "-completed_on", "-id")
    for fid, rating in tasks.values_list("freelancer_id", "rating"):
        found.setdefault(fid, {}).setdefault("trial_task", int(rating))
    references = (
        Reference.objects.filter(freelancer_id__in=ids).values("freelancer_id").annotate(a=Avg("rating")).order_by()
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


def fair_rate_term(ctx: Context, rate: Decimal | None, currency: str, country: str) -> Term:
    """G4 'rate inside the fair band', averaged over the task's skills; excluded (0 of 0) without a verdict.

    Memoised per (country, rate, currency) within one ranking: the RateBook is in memory.
    """
    key = (country, rate if rate is not None else Decimal(-1), currency)
    cached = ctx._rates.get(key)
    if cached is None:
        cached = ctx._rates[key] = _fair_rate(ctx, rate, currency, country)
    return cached


def _excluded(detail: str) -> Term:
    return Term("fair_rate", "Fair rate", Decimal(0), 0, detail + " Not counted in the score.")


def _fair_rate(ctx: Context, rate: Decimal | None, currency: str, country: str) -> Term:
    from sourcewise.money.conversion import MissingExchangeRate
    from sourcewise.money.fairband import RateClass

    if rate is None or not currency:
        return _excluded("No hourly rate recorded.")
    if not ctx.needs or ctx.book is None:
        return _excluded("The task lists no skills to benchmark the rate against.")
    points: list[Decimal] = []
    parts: list[str] = []
    unknown: list[str] = []
    for sid, name, _ in ctx.needs:
        try:
            band = ctx.book.classify(
                skill=ctx.skills[sid], country=country, rate=rate, currency=currency, on_date=ctx.today
            )
        except MissingExchangeRate as missing:
            return _excluded(missing.messages[0])
        if band.classification is RateClass.UNKNOWN:
            unknown.append(name)
            continue
        points.append(Decimal(RATE_POINTS[band.classification.value]))
        parts.append(f"{name}: {band.label.lower()} — {band.explanation}")
    if not points:
        return _excluded(f"No market benchmark to judge {rate} {currency}/h for {', '.join(unknown)} in {country}.")
    if unknown:
        parts.append(f"No benchmark for {', '.join(unknown)} (not counted).")
    weight = WEIGHTS["fair_rate"]
    return Term("fair_rate", "Fair rate", sum(points, Decimal(0)) / len(points), weight, " ".join(parts))


def _score(
    ctx: Context, row: dict[str, Any], levels: dict[int, int], language: tuple[int, str] | None, ratings: Ratings
) -> Candidate:
    failures: list[str] = []
    terms: list[Term] = []
    needs = ctx.needs

    # Skills: coverage of the needed levels (¾) and depth towards expert (¼).
    coverage: Decimal
    depth: Decimal
    if needs:
        coverage = sum((min(Decimal(levels[s]) / need, Decimal(1)) for s, _, need in needs), Decimal(0)) / len(needs)
        depth = sum((Decimal(levels[s]) / 5 for s, _, _ in needs), Decimal(0)) / len(needs)
        gaps = [f"{name} {levels[s]}/{need}" for s, name, need in needs if levels[s] < need]
        if gaps:
            failures.append("Skill gap: " + ", ".join(gaps) + " (has/needs).")
        detail = ", ".join(f"{name} {levels[s]}/5 (needs {need})" for s, name, need in needs)
    else:
        coverage, depth, detail = Decimal(1), Decimal(1), "The task lists no skills."
    terms.append(Term("skills", "Skills", WEIGHTS["skills"] * (coverage * 3 + depth) / 4, WEIGHTS["skills"], detail))

    schedule = Schedule.of(row["timezone"], row["work_start"], row["work_end"], row["work_days"] or [])
    overlap = overlap_for(ctx.business, schedule, ctx.today)
    hours = overlap.hours
    terms.append(
        Term(
            "overlap",
            "Time-zone overlap",
            WEIGHTS["overlap"] * min(hours / ctx.full_overlap, Decimal(1)) if ctx.full_overlap else Decimal(0),
            WEIGHTS["overlap"],
            f"{hours.quantize(Decimal('0.1'))} h a business day (minimum {ctx.min_overlap}).",
        )
    )
    if not overlap.at_least(ctx.min_overlap):
        failures.append(
            f"Overlap {hours.quantize(Decimal('0.1'))} h a day is below the minimum of {ctx.min_overlap} h."
        )

    if language and language[0] >= ctx.min_rank:
        terms.append(
            Term(
                "language", "Language", WEIGHTS["language"] * Decimal(language[0]) / 6, WEIGHTS["language"], language[1]
            )
        )
    else:
        shown = f"best is {language[1]}" if language else "none of your working languages"
        terms.append(Term("language", "Language", Decimal(0), WEIGHTS["language"], shown.capitalize() + "."))
        failures.append(f"No shared working language at the minimum level ({shown}).")

    status = row["status"]
    label = Freelancer.Status(status).label
    terms.append(Term("vetting", "Vetting", Decimal(VETTING_POINTS.get(status, 0)), WEIGHTS["vetting"], label))
    if status not in VETTED:
        failures.append(f"Not vetted: the freelancer is {label.lower()}, not approved.")

    terms.append(ratings_term(ratings))

    available = int(row["availability_hours"] or 0)
    terms.append(
        Term(
            "load",
            "Availability",
            WEIGHTS["load"] * min(Decimal(available) / FULL_AVAILABILITY_HOURS, Decimal(1)),
            WEIGHTS["load"],
            f"{available} h a week available.",
        )
    )
    terms.append(fair_rate_term(ctx, row["hourly_rate"], row["rate_currency"] or "", row["country"]))
    total = sum((t.points for t in terms), Decimal(0))
    maximum = sum(t.max_points for t in terms) or 1
    score = int((total * 100 / maximum).quantize(Decimal(1)))
    return Candidate(
        freelancer_id=row["id"],
        name=row["name"],
        status=status,
        country=row["country"],
        timezone=row["timezone"],
        score=max(0, min(100, score)),
        terms=terms,
        failures=failures,
        overlap=overlap,
        levels=levels,
    )
