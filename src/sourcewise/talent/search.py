"""Finding freelancers (issue 14 item 3): the filters of the freelancers page and the API list.

Every filter is one indexed condition, so a search costs the same at 100 freelancers and
at 100,000:

* `q` — part of the name or the email, any case (`icontains`; on PostgreSQL the trigram
  indexes of migration 0006 serve it, on SQLite a scan of the name index that stops at the
  first page's rows).
* `skill` at `skill_level` or better — FreelancerSkill's (skill, level, freelancer) index.
* `language` at `language_level` (CEFR) or better — FreelancerLanguage's (freelancer, language) key.
* `country`, `status` — the (workspace, country) and (workspace, status) indexes.
* `min_overlap` — hours a business day shared with the workspace (SPEC G3, the same 28-day
  average on the real calendar as the profile and matching, so daylight-saving changes on
  either side count). The overlap depends only on the schedule (zone, hours, days), which the
  database keeps as `schedule_key`: the distinct schedules of the workspace are read from
  the (workspace, schedule_key) index, each one's overlap is computed once (`overlap_for`,
  cached per day), and the people are selected by `schedule_key IN (the schedules that meet
  the minimum)` — an indexed condition, never Python over every row.

Lists are keyset-paginated (`after`: the last row's id; no OFFSET, no COUNT).
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from sourcewise.core.validators import CEFR_LEVELS
from sourcewise.talent.models import Freelancer, FreelancerLanguage, FreelancerSkill
from sourcewise.talent.overlap import Schedule, business_schedule, overlap_for

if TYPE_CHECKING:
    from sourcewise.workspaces.models import Workspace

PAGE_SIZE = 50
MAX_QUERY = 100


@dataclass(frozen=True)
class FreelancerSearch:
    """What a person looks for; empty values filter nothing."""

    q: str = ""
    status: str = ""
    skill: int | None = None  # a skill id of the workspace
    skill_level: int = 1
    language: str = ""  # ISO 639-1
    language_level: str = ""  # the lowest CEFR level accepted; "" = any
    country: str = ""
    min_overlap: Decimal | None = None  # hours a business day

    @property
    def active(self) -> bool:
        return any((self.q, self.status, self.skill, self.language, self.country, self.min_overlap is not None))


def levels_at_least(level: str) -> list[str]:
    """CEFR levels at `level` or above ("B2" → B2, C1, C2); every level for ""."""
    if level not in CEFR_LEVELS:
        return list(CEFR_LEVELS)
    return list(CEFR_LEVELS[CEFR_LEVELS.index(level) :])


def schedule_of_key(key: str) -> Schedule:
    """The Schedule a `schedule_key` stands for ("Asia/Manila|09:00:00|17:00:00|[0, 1, 2, 3, 4]")."""
    zone, start, end, days = key.split("|", 3)
    return Schedule.of(
        zone,
        datetime.time.fromisoformat(start),
        datetime.time.fromisoformat(end),
        json.loads(days) if days else [],
    )


def schedules_meeting(workspace: Workspace, minimum: Decimal, today: datetime.date) -> list[str]:
    """The schedule keys of the workspace whose overlap from `today` is at least `minimum` hours a
    business day: one index read of the distinct schedules, one overlap per schedule."""
    business = business_schedule(workspace)
    keys = Freelancer.objects.filter(workspace=workspace).order_by().values_list("schedule_key", flat=True).distinct()
    return [key for key in keys if overlap_for(business, schedule_of_key(key), today).at_least(minimum)]


def search_freelancers(
    freelancers: QuerySet[Freelancer], search: FreelancerSearch, *, workspace: Workspace, today: datetime.date
) -> QuerySet[Freelancer]:
    """`freelancers` (already scoped to the workspace and the member) narrowed by `search`."""
    queryset = freelancers.filter(workspace=workspace)
    q = search.q.strip()[:MAX_QUERY]
    if q:
        queryset = queryset.filter(Q(name__icontains=q) | Q(email__icontains=q))
    if search.status:
        queryset = queryset.filter(status=search.status)
    if search.country:
        queryset = queryset.filter(country=search.country.upper())
    if search.skill:
        queryset = queryset.filter(
            Exists(
                FreelancerSkill.objects.filter(
                    freelancer=OuterRef("pk"),
                    skill_id=search.skill,
                    skill__workspace=workspace,
                    level__gte=max(1, search.skill_level),
                )
            )
        )
    if search.language:
        queryset = queryset.filter(
            Exists(
                FreelancerLanguage.objects.filter(
                    freelancer=OuterRef("pk"),
                    language=search.language.lower(),
                    level__in=levels_at_least(search.language_level),
                )
            )
        )
    if search.min_overlap is not None and search.min_overlap > 0:
        queryset = queryset.filter(schedule_key__in=schedules_meeting(workspace, search.min_overlap, today))
    return queryset


@dataclass
class KeysetPage:
    """One page of a list in (name, id) order: the rows and the id to continue after."""

    rows: list[Any]
    next_after: int | None
    first: bool

    def __iter__(self) -> Any:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)


def page_by_name(queryset: QuerySet[Freelancer], after: int | None, size: int = PAGE_SIZE) -> KeysetPage:
    """The `size` rows after freelancer `after` in (name, id) order (the (workspace, name, id) index)."""
    queryset = queryset.order_by("name", "id")
    if after:
        last = queryset.prefetch_related(None).filter(pk=after).values_list("name", flat=True).first()
        if last is not None:
            queryset = queryset.filter(Q(name__gt=last) | Q(name=last, id__gt=after))
    rows = list(queryset[: size + 1])
    next_after = rows[size - 1].pk if len(rows) > size else None
    return KeysetPage(rows=rows[:size], next_after=next_after, first=not after)
