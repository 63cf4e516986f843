"""The fair band of agreed rates: engagements and the engagement form (SPEC G4).

The bands themselves (one per skill, a missing exchange rate kept with its skill) are
money's (`money/agreed_rates.py`); what is about engagements is here. Decisions
(documented in docs/money.md):

* **Which skills.** An engagement's rate is classified against **every skill its task
  needs** (`TaskSkill`), one band per skill: the rate is paid for all of that work, and a
  task that mixes a cheap and an expensive skill should show both. The engagement page,
  the engagement form and the findings all use this same list, in skill-name order.
  A task that lists no skill cannot be benchmarked: `NO_RATE_BENCHMARK`.
* **Which date.** A draft is classified on its **start date** (the exchange rates and the
  benchmarks valid when the rate starts to be paid); an active engagement on **today**
  (what it costs now). The engagement form uses the start date it shows, else today.
* **Missing exchange rate.** The band of that skill carries the `MissingExchangeRate`
  instead of a classification; the finding is `NO_RATE_BENCHMARK` whose message names the
  currency and the date. Never a silent 1.0, and the other checks still run.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.db.models import Prefetch, prefetch_related_objects

from sourcewise.engagements.models import Engagement
from sourcewise.findings.codes import Severity
from sourcewise.findings.registry import Finding
from sourcewise.money.agreed_rates import SkillBand, bands_for, task_skills
from sourcewise.money.fairband import RateBook, load_rate_book, rate_finding
from sourcewise.tasks.models import TaskSkill

if TYPE_CHECKING:
    from sourcewise.tasks.models import Task
    from sourcewise.workspaces.models import Workspace

SUBJECT = "engagement"


def rate_date(engagement: Engagement, today: datetime.date) -> datetime.date:
    """The date an engagement's rate is classified on: its start date while a draft, else today."""
    return engagement.start_date if engagement.state == Engagement.State.DRAFT else today


def engagement_bands(book: RateBook, engagement: Engagement, today: datetime.date) -> list[SkillBand]:
    return bands_for(
        book,
        skills=task_skills(engagement.task),
        country=engagement.freelancer.country,
        rate=engagement.rate,
        currency=engagement.currency,
        on_date=rate_date(engagement, today),
    )


def open_engagements(workspace: Workspace, ids: Iterable[int] | None = None) -> list[Engagement]:
    """Draft and active engagements (only `ids` when given) with what their bands need: two
    queries in all.

    Engagements of one task share one Task instance, its skill needs prefetched once: at
    20,000 engagements on 300 tasks that is 300 prefetched lists, not 20,000."""
    engagements = Engagement.objects.filter(
        workspace=workspace, state__in=(Engagement.State.DRAFT, Engagement.State.ACTIVE)
    )
    if ids is not None:
        engagements = engagements.filter(pk__in=sorted(ids))
    rows = list(engagements.select_related("freelancer", "task").order_by("pk"))
    tasks: dict[int, Task] = {}
    cache_task = Engagement._meta.get_field("task").set_cached_value
    for engagement in rows:
        cache_task(engagement, tasks.setdefault(engagement.task_id, engagement.task))
    prefetch_related_objects(
        list(tasks.values()), Prefetch("skill_needs", queryset=TaskSkill.objects.select_related("skill"))
    )
    return rows


def engagement_findings(book: RateBook, engagement: Engagement, today: datetime.date) -> list[Finding]:
    """The G4 findings of one engagement's agreed rate (none when every band is fair)."""
    label = str(engagement)
    bands = engagement_bands(book, engagement, today)
    if not bands:
        return [
            _no_benchmark(
                engagement,
                message=(
                    f"{label}: the task {engagement.task.name} lists no skill, so its rate cannot be "
                    "compared with any market benchmark."
                ),
                fix="Add the skills the task needs on the task page; then add benchmarks for them if missing.",
            )
        ]
    findings = []
    for sb in bands:
        if sb.band is not None:
            finding = rate_finding(sb.band, subject_type=SUBJECT, subject_id=engagement.pk, subject_label=label)
            if finding is not None:
                # One finding per skill of the task: the skill tells them apart when stored.
                findings.append(dataclasses.replace(finding, key=f"skill-{sb.skill.pk}"))
        elif sb.error is not None:
            exc = sb.error
            findings.append(
                _no_benchmark(
                    engagement,
                    message=(
                        f"{label}: the {sb.skill.name} rate cannot be compared with its market benchmark. "
                        f"{exc.messages[0]}"
                    ),
                    fix=(
                        f"Add a {exc.currency} exchange rate valid from {exc.on_date.isoformat()} or earlier "
                        "under Money → Exchange rates."
                    ),
                    key=f"skill-{sb.skill.pk}",
                )
            )
    return findings


def _no_benchmark(engagement: Engagement, *, message: str, fix: str, key: str = "") -> Finding:
    """NO_RATE_BENCHMARK on an engagement: its rate has nothing to be compared with."""
    return Finding(
        code="NO_RATE_BENCHMARK",
        severity=Severity.INFO,
        subject_type=SUBJECT,
        subject_id=engagement.pk,
        subject_label=str(engagement),
        message=message,
        fix=fix,
        key=key,
    )


def engagement_values(engagement: Engagement) -> dict[str, Any]:
    """An engagement's fields as the engagement form sends them."""
    return {
        "freelancer": engagement.freelancer_id,
        "task": engagement.task_id,
        "rate": engagement.rate,
        "currency": engagement.currency,
        "start_date": engagement.start_date,
    }


def engagement_rate_context(engagement: Engagement) -> dict[str, Any]:
    """The engagement page's fair-pay card: the same bands as its findings (three queries)."""
    workspace = engagement.workspace
    today = workspace.today()
    skills = task_skills(engagement.task)
    book = load_rate_book(workspace, skill_ids=[s.pk for s in skills])
    return {
        "bands": bands_for(
            book,
            skills=skills,
            country=engagement.freelancer.country,
            rate=engagement.rate,
            currency=engagement.currency,
            on_date=rate_date(engagement, today),
        ),
        "band_on": rate_date(engagement, today),
        "band_task": engagement.task,
        "complete": True,
    }
