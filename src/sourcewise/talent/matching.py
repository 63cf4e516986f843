"""Matching (SPEC G3): rank freelancers for a task with an explained 0–100 score.

Terms and their weights (points out of 100):

| term       | points | full points when                                                    |
|------------|-------:|----------------------------------------------------------------------|
| skills     | 35     | every needed skill at ≥ the needed level (¾), and expert depth (¼)   |
| overlap    | 20     | average overlap ≥ twice the workspace minimum (capped at the business day) |
| language   | 10     | a working language at C2 (B2 = 6.7, C1 = 8.3 …)                      |
| vetting    | 10     | approved or active (vetting 4, inactive 5, prospect 0)               |
| ratings    | 15     | past ratings: until engagements exist, the trial and references (5/5) |
| load       | 10     | ≥ 20 hours a week available (until engagements exist: availability)  |
| fair rate  | 0      | hook `fair_rate_term` — filled by the fair-pay guardrail (G4); excluded until then |

Hard failures are never hidden: unvetted, skill gap, no shared language at the minimum
level, overlap below the minimum. Candidates without a failure are ranked first.

Speed (SPEC P3): one SQL query reads only the columns needed, prefiltered in the
database to freelancers who have at least one of the task's skills and are not rejected
or gone; one more reads their working-language levels. Overlap is computed once per
distinct (zone, hours, days) schedule, never per person.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Avg, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from sourcewise.talent.models import (
    Freelancer,
    FreelancerLanguage,
    FreelancerSkill,
    Reference,
    TrialTask,
    cefr_rank,
)
from sourcewise.talent.overlap import Overlap, Schedule, business_schedule, overlap_for

WEIGHTS = {"skills": 35, "overlap": 20, "language": 10, "vetting": 10, "ratings": 15, "load": 10, "fair_rate": 0}
VETTING_POINTS = {"approved": 10, "active": 10, "inactive": 5, "vetting": 4, "prospect": 0}
FULL_AVAILABILITY_HOURS = 20
EXCLUDED_STATUSES = ("rejected", "left")


@dataclass(frozen=True)
class Term:
    key: str
    label: str
    points: Decimal
    max_points: int
    detail: str


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


def fair_rate_term(row: dict[str, Any], task: Any) -> Term | None:
    """Hook for G4 'rate inside the fair band'. Returns None (weight 0, excluded) until
    rate benchmarks exist; the fair-pay work fills this in and gives it points."""
    return None


FAIR_RATE_HOOK: Callable[[dict[str, Any], Any], Term | None] = fair_rate_term


@dataclass
class Ranking:
    task: Any
    eligible: list[Candidate]
    failing: list[Candidate]
    considered: int
    needs: list[tuple[int, str, int]]  # (skill id, skill name, level needed)


def _needs(task: Any) -> list[tuple[int, str, int]]:
    return [
        (n.skill_id, n.skill.name, n.level) for n in task.skill_needs.select_related("skill").order_by("skill__name")
    ]


def rank_candidates(task: Any, *, today: datetime.date, limit: int = 20, freelancers: Any = None) -> Ranking:
    """The best `limit` candidates without a hard failure, and the best `limit` with one (and why)."""
    workspace = task.workspace
    needs = _needs(task)
    business = business_schedule(workspace)
    min_overlap = Decimal(workspace.min_tz_overlap_hours)
    min_rank = cefr_rank(workspace.min_language_level)
    languages = [str(code) for code in workspace.working_languages]

    queryset = freelancers if freelancers is not None else Freelancer.objects.in_workspace(workspace)
    queryset = queryset.exclude(status__in=EXCLUDED_STATUSES)
    if needs:
        queryset = queryset.filter(skill_levels__skill_id__in=[n[0] for n in needs]).distinct()
    annotations: dict[str, Any] = {
        f"lvl_{skill_id}": Coalesce(
            Subquery(
                FreelancerSkill.objects.filter(freelancer=OuterRef("pk"), skill_id=skill_id).values("level")[:1],
                output_field=IntegerField(),
            ),
            Value(0),
        )
        for skill_id, _, _ in needs
    }
    annotations["ref_avg"] = Subquery(
        Reference.objects.filter(freelancer=OuterRef("pk"))
        .values("freelancer")
        .annotate(a=Avg("rating"))
        .values("a")[:1]
    )
    annotations["trial_rating"] = Subquery(
        TrialTask.objects.filter(freelancer=OuterRef("pk")).order_by("-completed_on", "-id").values("rating")[:1]
    )
    rows = list(
        queryset.annotate(**annotations).values(
            "id",
            "name",
            "status",
            "country",
            "timezone",
            "work_start",
            "work_end",
            "work_days",
            "availability_hours",
            "hourly_rate",
            "rate_currency",
            *annotations.keys(),
        )
    )
    ids = [r["id"] for r in rows]
    best_language: dict[int, tuple[int, str]] = {}
    if ids:
        language_rows = FreelancerLanguage.objects.filter(language__in=languages)
        language_rows = (
            language_rows.filter(freelancer_id__in=ids)
            if len(ids) <= 500
            else language_rows.filter(freelancer__in=queryset.values("pk"))  # type: ignore[misc]
        )
        for fid, code, level in language_rows.values_list("freelancer_id", "language", "level"):
            rank = cefr_rank(level)
            if rank > best_language.get(fid, (0, ""))[0]:
                best_language[fid] = (rank, f"{code} {level}")

    eligible: list[Candidate] = []
    failing: list[Candidate] = []
    business_hours = business.hours_per_day
    full_overlap = min(max(min_overlap * 2, Decimal(1)), business_hours)
    for row in rows:
        schedule = Schedule.of(row["timezone"], row["work_start"], row["work_end"], row["work_days"] or [])
        overlap = overlap_for(business, schedule, today)
        candidate = _score(row, task, needs, overlap, full_overlap, min_overlap, best_language.get(row["id"]), min_rank)
        (failing if candidate.failures else eligible).append(candidate)
    order = lambda c: (-c.score, c.name, c.freelancer_id)  # noqa: E731
    eligible.sort(key=order)
    failing.sort(key=lambda c: (len(c.failures), -c.score, c.name, c.freelancer_id))
    return Ranking(task=task, eligible=eligible[:limit], failing=failing[:limit], considered=len(rows), needs=needs)


def _score(
    row: dict[str, Any],
    task: Any,
    needs: list[tuple[int, str, int]],
    overlap: Overlap,
    full_overlap: Decimal,
    min_overlap: Decimal,
    language: tuple[int, str] | None,
    min_rank: int,
) -> Candidate:
    failures: list[str] = []
    terms: list[Term] = []

    # Skills: coverage of the needed levels (¾) and depth towards expert (¼).
    levels = {skill_id: int(row[f"lvl_{skill_id}"] or 0) for skill_id, _, _ in needs}
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

    hours = overlap.hours
    terms.append(
        Term(
            "overlap",
            "Time-zone overlap",
            WEIGHTS["overlap"] * min(hours / full_overlap, Decimal(1)) if full_overlap else Decimal(0),
            WEIGHTS["overlap"],
            f"{hours.quantize(Decimal('0.1'))} h a business day (minimum {min_overlap}).",
        )
    )
    if not overlap.at_least(min_overlap):
        failures.append(f"Overlap {hours.quantize(Decimal('0.1'))} h a day is below the minimum of {min_overlap} h.")

    if language and language[0] >= min_rank:
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
    terms.append(
        Term(
            "vetting",
            "Vetting",
            Decimal(VETTING_POINTS.get(status, 0)),
            WEIGHTS["vetting"],
            Freelancer.Status(status).label,
        )
    )
    if status not in ("approved", "active"):
        failures.append(f"Not vetted: the freelancer is {Freelancer.Status(status).label.lower()}, not approved.")

    ratings = [Decimal(v) for v in (row["trial_rating"], row["ref_avg"]) if v is not None]
    if ratings:
        average = sum(ratings, Decimal(0)) / len(ratings)
        terms.append(
            Term(
                "ratings",
                "Past ratings",
                WEIGHTS["ratings"] * (average - 1) / 4,
                WEIGHTS["ratings"],
                f"{average.quantize(Decimal('0.1'))}/5 from the trial and references.",
            )
        )
    else:
        terms.append(Term("ratings", "Past ratings", Decimal(0), WEIGHTS["ratings"], "No ratings yet."))

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
    rate = FAIR_RATE_HOOK(row, task)
    if rate is not None:
        terms.append(rate)
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
