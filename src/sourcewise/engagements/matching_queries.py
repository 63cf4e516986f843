"""Matching (SPEC G3), the reads: rank freelancers for a task (the scores: `matching_scores`).

Speed (SPEC P3, `bench/matching.py`): the database does the filtering.

1. Who is ready — vetted, every needed skill at the needed level — is read from
   FreelancerSkill's (skill, level, freelancer) and (freelancer, skill, level) indexes
   alone (a subquery), the rows then by primary key as plain tuples with only the columns
   scoring needs, the best working language read in the same query.
2. The nearest misses (`near_misses`, default `limit`; 0 skips them) — fewest misses first:
   not vetted counts one, each needed skill below its level or missing entirely one — are
   chosen in SQL from the skill index (people with at least one needed skill, grouped per
   person) and read in the same query; people with none of the skills are read only when
   the first can't fill the list (`_near_rows`). A few times `near_misses` are read.
3. A quick pass scores every row read (`matching_scores.quick_points`). Rate benchmarks and
   exchange rates are loaded once per ranking and read as thresholds per (skill, country,
   currency); ratings are batch-loaded. Only the people shown are then scored with their
   explanations. The overlap is computed once per distinct schedule (cached per day).

`rank_brute_force` explains and scores every freelancer with the task's skills in
Python; the tests check both rankings agree and that every quick score equals the
explained one.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import (
    Avg,
    BooleanField,
    Case,
    CharField,
    Count,
    Exists,
    FilteredRelation,
    IntegerField,
    Max,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Concat

from sourcewise.core.dates import server_today
from sourcewise.engagements.matching_scores import (
    COLUMNS,
    NO_RATINGS,
    VETTED,
    Candidate,
    Context,
    Ranking,
    Ratings,
    candidate_order,
    failing_order,
    quick_points,
    score_candidate,
    split_ranked,
)
from sourcewise.engagements.models import Engagement, Offboarding
from sourcewise.engagements.selectors import scorecard_for
from sourcewise.money.fairband import load_rate_book
from sourcewise.talent.models import (
    Freelancer,
    FreelancerLanguage,
    FreelancerSkill,
    Reference,
    TrialTask,
    cefr_rank,
)
from sourcewise.talent.overlap import business_schedule

EXCLUDED_STATUSES = ("rejected", "left")
NEAR_MISS_FACTOR = 5


def _needs(task: Any) -> tuple[list[tuple[int, str, int]], dict[int, Any]]:
    rows = list(task.skill_needs.select_related("skill").order_by("skill__name", "skill_id"))
    return [(n.skill_id, n.skill.name, n.level) for n in rows], {n.skill_id: n.skill for n in rows}


def _context(task: Any, today: datetime.date) -> Context:
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


def _with_levels(
    queryset: Any, needs: list[tuple[int, str, int]], condition: Q | None = None, *, outer: bool = False
) -> Any:
    """One inner join per needed skill (FreelancerSkill's (skill, level) index), filtered in one call so
    the joins are shared by every condition; `outer`: left joins (a missing skill reads as NULL)."""
    relations = {
        f"need_{sid}": FilteredRelation("skill_levels", condition=Q(skill_levels__skill_id=sid)) for sid, _, _ in needs
    }
    if outer:
        return queryset.annotate(**relations)
    joined = Q()
    for sid, _, _ in needs:
        joined &= Q(**{f"need_{sid}__level__isnull": False})
    return queryset.annotate(**relations).filter(joined & condition if condition is not None else joined)


def _rows(queryset: Any, needs: list[tuple[int, str, int]], languages: list[str]) -> list[tuple[Any, ...]]:
    """COLUMNS, the best working language ((rank A1 = 1 … C2 = 6, label) or None, read in the same query),
    the levels."""
    # The best working language as "C1 en": CEFR levels sort as text in their order (A1 < … < C2).
    best = (
        FreelancerLanguage.objects.filter(freelancer=OuterRef("pk"), language__in=languages)
        .order_by("-level", "language")
        .annotate(best=Concat("level", Value(" "), "language", output_field=CharField()))
        .values("best")[:1]
    )
    queryset = queryset.annotate(language_rank=Subquery(best, output_field=CharField()))
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
        (len(COLUMNS), _as_language, {}),
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


def _as_language(value: Any) -> tuple[int, str] | None:
    """ "C1 en" → (5, "en C1"): the rank (A1 = 1 … C2 = 6) and the label; None without one."""
    if not value:
        return None
    level, _, code = str(value).partition(" ")
    rank = cefr_rank(level)
    return (rank, f"{code} {level}") if rank else None


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


def _ready(needs: list[tuple[int, str, int]]) -> RawSQL:
    """`id IN (who has every needed skill at the needed level)`, read from FreelancerSkill's indexes alone.

    The rarest requirement (highest level) drives: a range of the (skill, level, freelancer)
    index, then one probe per person into (freelancer, skill, level) for each other skill.
    """
    table = FreelancerSkill._meta.db_table
    qn = connection.ops.quote_name
    ordered = sorted(needs, key=lambda n: (-n[2], n[0]))
    (first, _, first_level), others = ordered[0], ordered[1:]
    joins = "".join(
        f" JOIN {table} n{i} ON n{i}.freelancer_id = d.freelancer_id AND n{i}.skill_id = %s AND n{i}.level >= %s"
        for i in range(len(others))
    )
    params: list[int] = [v for sid, _, level in others for v in (sid, level)] + [first, first_level]
    sql = f"SELECT d.freelancer_id FROM {table} d{joins} WHERE d.skill_id = %s AND d.level >= %s"  # noqa: S608
    column = f"{qn(Freelancer._meta.db_table)}.{qn('id')}"
    return RawSQL(f"{column} IN ({sql})", params, output_field=BooleanField())  # noqa: S611


def _misses(row: tuple[Any, ...], needs: list[tuple[int, str, int]]) -> tuple[Any, ...]:
    """The order of near misses (see `_near_rows`) of one row read by `_rows`."""
    n = len(COLUMNS)
    levels = [int(level or 0) for level in row[n + 1 :]]
    misses = (row[2] not in VETTED) + sum(level < need for level, (_, _, need) in zip(levels, needs, strict=True))
    return (misses, -sum(levels), -int(row[8] or 0), row[1], row[0])


# Who is left out of a ranking (`rank_candidates(excluding=...)`): a condition given the name of
# the column holding the freelancer's id ("pk" on Freelancer, "freelancer_id" on FreelancerSkill).
Excluding = Callable[[str], Q]


def _considered(base: Any, workspace: Any, excluding: Excluding | None = None) -> Q | Exists:
    """Who may be considered, as a condition on FreelancerSkill rows: the whole `workspace` (given when
    the caller narrowed nothing) on the joined person's own columns, else each person checked by key."""
    if workspace is not None:
        whole = Q(freelancer__workspace=workspace) & ~Q(freelancer__status__in=EXCLUDED_STATUSES)
        return whole if excluding is None else whole & ~excluding("freelancer_id")
    return Exists(base.filter(pk=OuterRef("freelancer_id")))


def _near_rows(
    base: Any,
    needs: list[tuple[int, str, int]],
    limit: int,
    languages: list[str],
    *,
    workspace: Any = None,
    excluding: Excluding | None = None,
) -> list[tuple[Any, ...]]:
    """The rows of the `limit` people nearest to ready who are not ready: fewest misses first (not
    vetted counts one, each needed skill below its level or missing entirely one), then the deepest
    needed skills, the most available hours, the name.

    Not a sort of every freelancer: those with at least one needed skill are chosen in SQL from
    FreelancerSkill's (skill, level, freelancer) index, grouped per person, and read in the same
    query; those with none of the skills are read (a second query) only when the first can't fill
    the list before anyone missing every skill could rank.
    """
    if not needs:
        chosen = base.exclude(status__in=VETTED).order_by("-availability_hours", "name", "id")
        return _rows(base.filter(id__in=chosen.values("id")[:limit]), needs, languages)
    skill_ids = [sid for sid, _, _ in needs]
    met = Q()
    for sid, _, level in needs:
        met |= Q(skill_id=sid, level__gte=level)
    unvetted = Max(Case(When(freelancer__status__in=VETTED, then=0), default=1, output_field=IntegerField()))
    # Driven by the (skill, level, freelancer) index; who may be considered checked per row by key.
    some = (
        FreelancerSkill.objects.filter(skill_id__in=skill_ids)
        .filter(_considered(base, workspace, excluding))
        .values("freelancer_id")
        .annotate(misses=unvetted + len(needs) - Count("freelancer_id", filter=met), depth=Sum("level"))
        .filter(misses__gt=0)
        .order_by("misses", "-depth", "-freelancer__availability_hours", "freelancer__name", "freelancer_id")
        .values("freelancer_id")[:limit]
    )
    # Read by primary key (the ids are already scoped by `base`).
    rows = _rows(_with_levels(Freelancer.objects.filter(id__in=some), needs, outer=True), needs, languages)
    keys = sorted(_misses(row, needs) for row in rows)
    # Someone with none of the skills misses every one: len(needs), one more if not vetted.
    if len(keys) < limit or keys[-1][0] >= len(needs):
        none = (
            base.exclude(Exists(FreelancerSkill.objects.filter(freelancer=OuterRef("pk"), skill_id__in=skill_ids)))
            .annotate(misses=Case(When(status__in=VETTED, then=0), default=1))
            .order_by("misses", "-availability_hours", "name", "id")
            .values("id")[:limit]
        )
        rows += _rows(_with_levels(Freelancer.objects.filter(id__in=none), needs, outer=True), needs, languages)
    return sorted(rows, key=lambda row: _misses(row, needs))[:limit]


def rank_candidates(
    task: Any,
    *,
    today: datetime.date,
    limit: int = 20,
    freelancers: Any = None,
    near_misses: int | None = None,
    excluding: Excluding | None = None,
) -> Ranking:
    """The best `limit` candidates without a hard failure, and the best `near_misses` (default: `limit`)
    people with one, and why.

    `freelancers` narrows who is considered (a queryset of the task's workspace); `excluding`
    leaves some people of the workspace out, checked on each row read from the skill index
    (cheaper than a narrowed queryset, which is checked by key for each of them).
    `considered` counts the people read and scored: the ready ones and the nearest misses.
    """
    ctx = _context(task, today)
    needs = ctx.needs
    base = _base(task, freelancers)
    if excluding is not None:
        base = base.exclude(excluding("pk"))
    near_count = limit if near_misses is None else near_misses
    # Vetted, every needed skill at the needed level: only language and overlap can still fail.
    ready = base.filter(status__in=VETTED)
    ready_rows: list[tuple[Any, ...]] = []
    if needs:
        # Read by primary key from the skill indexes; who may be considered checked per row by key.
        chosen = Freelancer.objects.filter(_ready(needs)).filter(Exists(ready.filter(pk=OuterRef("pk"))))
        ready_rows = _rows(_with_levels(chosen, needs), needs, ctx.languages)
    else:
        ready_rows = _rows(ready, needs, ctx.languages)
    near_rows: list[tuple[Any, ...]] = []
    if near_count > 0:
        whole = task.workspace if freelancers is None else None
        near_rows = _near_rows(
            base, needs, near_count * NEAR_MISS_FACTOR, ctx.languages, workspace=whole, excluding=excluding
        )

    # Points of everyone read (each distinct term value computed once), then the explanations
    # of the people shown only.
    rows = ready_rows + near_rows
    ratings = load_ratings([r[0] for r in rows])
    ranked = [(*quick_points(ctx, r, ratings.get(r[0], NO_RATINGS)), r) for r in rows]
    ready = sorted((x for x in ranked if not x[1]), key=lambda x: (-x[0], x[2][1], x[2][0]))[:limit]
    misses = sorted((x for x in ranked if x[1]), key=lambda x: (x[1], -x[0], x[2][1], x[2][0]))[:near_count]
    shown = [x[2] for x in ready + misses]
    explained = _score_rows(ctx, shown, ratings=ratings)
    eligible, failing = split_ranked(explained, limit, near_count)
    return Ranking(task=task, eligible=eligible, failing=failing, considered=len(rows), needs=needs)


def rank_brute_force(task: Any, *, today: datetime.date, limit: int = 20, freelancers: Any = None) -> Ranking:
    """The reference ranking: every freelancer who may be considered (missing skills too) scored in Python."""
    ctx = _context(task, today)
    rows = _rows(_with_levels(_base(task, freelancers), ctx.needs, outer=True), ctx.needs, ctx.languages)
    candidates = _score_rows(ctx, rows)
    eligible = sorted((c for c in candidates if not c.failures), key=candidate_order)
    failing = sorted((c for c in candidates if c.failures), key=failing_order)
    return Ranking(task=task, eligible=eligible[:limit], failing=failing[:limit], considered=len(rows), needs=ctx.needs)


def _score_rows(
    ctx: Context,
    rows: list[tuple[Any, ...]],
    *,
    explain: bool = True,
    ratings: dict[int, Ratings] | None = None,
) -> list[Candidate]:
    ids = [r[0] for r in rows]
    ratings = load_ratings(ids) if ratings is None else ratings
    n = len(COLUMNS)
    candidates = []
    for r in rows:
        row = dict(zip(COLUMNS, r[:n], strict=True))
        levels = {sid: int(level or 0) for (sid, _, _), level in zip(ctx.needs, r[n + 1 :], strict=True)}
        candidates.append(score_candidate(ctx, row, levels, r[n], ratings.get(r[0], Ratings()), explain))
    return candidates


def load_ratings(freelancer_ids: Iterable[int]) -> dict[int, Ratings]:
    """Past ratings of many freelancers in at most four queries (none per person)."""
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


def replacement_candidates(
    engagement: Engagement, *, today: datetime.date | None = None, limit: int = 5
) -> list[Candidate]:
    """Who could take over this engagement, best first, by the G3 match score.

    Every other freelancer of the workspace who is not leaving themselves; those without a
    hard failure first (highest score first), then the best of those with one — shown with
    their failures (unvetted, skill gap, …), never hidden. At most `limit` in all.
    """

    def leaving(column: str) -> Q:
        # Checked on the rows read from the skill index (NOT EXISTS by key), not as a queryset of
        # everyone else, which the database would build first: every freelancer of the workspace.
        offboarded = Offboarding.objects.filter(freelancer_id=OuterRef(column))
        return Q(**{column: engagement.freelancer_id}) | Q(Exists(offboarded))

    ranking = rank_candidates(engagement.task, today=today or server_today(), limit=limit, excluding=leaving)
    return [*ranking.eligible, *ranking.failing][:limit]
