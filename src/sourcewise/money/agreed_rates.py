"""The fair band of agreed rates: engagements, the engagement form and freelancer profiles.

Decisions (SPEC G4, documented in docs/money.md):

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
* **Freelancer profiles.** The profile rate is what a freelancer asks, not an agreed rate:
  it is classified on the freelancer page for each of their skills (today), but produces
  no finding. Agreed rates do.
"""

from __future__ import annotations

import dataclasses
import datetime
import zoneinfo
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Prefetch, prefetch_related_objects
from django.utils import timezone
from django.utils.safestring import SafeString

from sourcewise.findings.codes import Severity
from sourcewise.findings.registry import Finding
from sourcewise.money.charts import fair_band_svg
from sourcewise.money.conversion import MissingExchangeRate
from sourcewise.money.fairband import FairBand, RateBook, load_rate_book, rate_finding
from sourcewise.money.models import RateBenchmark

if TYPE_CHECKING:
    from sourcewise.engagements.models import Engagement
    from sourcewise.talent.models import Freelancer, Skill
    from sourcewise.tasks.models import Task
    from sourcewise.workspaces.models import Workspace

SUBJECT = "engagement"


@dataclass(frozen=True)
class SkillBand:
    """The fair band of one rate for one skill, or why it cannot be computed."""

    skill: Skill
    band: FairBand | None = None
    error: MissingExchangeRate | None = None

    @property
    def svg(self) -> SafeString | None:
        return fair_band_svg(self.band, uid=f"-{self.skill.pk}") if self.band is not None else None

    @property
    def benchmark(self) -> RateBenchmark | None:
        """The benchmark the local market came from (the home one when it is an estimate)."""
        if self.band is None or self.band.market is None:
            return None
        return self.band.market.benchmark

    @property
    def classification(self) -> str:
        return str(self.band.classification) if self.band is not None else "missing_exchange_rate"

    @property
    def label(self) -> str:
        return self.band.label if self.band is not None else "Missing exchange rate"

    @property
    def message(self) -> str:
        if self.band is not None:
            return self.band.explanation
        return self.error.messages[0] if self.error is not None else ""


def workspace_today(workspace: Workspace) -> datetime.date:
    """Today in the workspace's time zone (the date the health evaluation uses)."""
    try:
        zone: datetime.tzinfo = zoneinfo.ZoneInfo(workspace.timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = datetime.UTC
    return timezone.localdate(timezone=zone)


def rate_date(engagement: Engagement, today: datetime.date) -> datetime.date:
    """The date an engagement's rate is classified on: its start date while a draft, else today."""
    from sourcewise.engagements.models import Engagement

    return engagement.start_date if engagement.state == Engagement.State.DRAFT else today


def task_skills(task: Task) -> list[Skill]:
    """The skills a task needs, by name (uses the prefetched `skill_needs` when there; else one query)."""
    prefetched = "skill_needs" in getattr(task, "_prefetched_objects_cache", {})
    needs = task.skill_needs.all() if prefetched else task.skill_needs.select_related("skill")
    return sorted((need.skill for need in needs), key=lambda s: (s.name.lower(), s.pk))


def bands_for(
    book: RateBook, *, skills: Iterable[Skill], country: str, rate: Decimal, currency: str, on_date: datetime.date
) -> list[SkillBand]:
    """One band per skill; a missing exchange rate is kept with its skill, never raised."""
    result = []
    for skill in skills:
        try:
            band = book.classify(skill=skill, country=country, rate=rate, currency=currency, on_date=on_date)
        except MissingExchangeRate as exc:
            result.append(SkillBand(skill=skill, error=exc))
        else:
            result.append(SkillBand(skill=skill, band=band))
    return result


def engagement_bands(book: RateBook, engagement: Engagement, today: datetime.date) -> list[SkillBand]:
    return bands_for(
        book,
        skills=task_skills(engagement.task),
        country=engagement.freelancer.country,
        rate=engagement.rate,
        currency=engagement.currency,
        on_date=rate_date(engagement, today),
    )


def freelancer_bands(book: RateBook, freelancer: Freelancer, on_date: datetime.date) -> list[SkillBand]:
    """The profile rate against each of the freelancer's skills (none without a rate)."""
    if freelancer.hourly_rate is None or not freelancer.rate_currency:
        return []
    skills = sorted((level.skill for level in freelancer.skill_levels.all()), key=lambda s: (s.name.lower(), s.pk))
    return bands_for(
        book,
        skills=skills,
        country=freelancer.country,
        rate=freelancer.hourly_rate,
        currency=freelancer.rate_currency,
        on_date=on_date,
    )


def open_engagements(workspace: Workspace, ids: Iterable[int] | None = None) -> list[Engagement]:
    """Draft and active engagements (only `ids` when given) with what their bands need: two
    queries in all.

    Engagements of one task share one Task instance, its skill needs prefetched once: at
    20,000 engagements on 300 tasks that is 300 prefetched lists, not 20,000."""
    from sourcewise.engagements.models import Engagement
    from sourcewise.tasks.models import TaskSkill

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
            Finding(
                code="NO_RATE_BENCHMARK",
                severity=Severity.INFO,
                subject_type=SUBJECT,
                subject_id=engagement.pk,
                subject_label=label,
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
                Finding(
                    code="NO_RATE_BENCHMARK",
                    severity=Severity.INFO,
                    subject_type=SUBJECT,
                    subject_id=engagement.pk,
                    subject_label=label,
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


def engagement_band_context(workspace: Workspace, data: Mapping[str, Any] | None) -> dict[str, Any]:
    """What `money/includes/rate_bands.html` needs for the rate on an engagement form.

    `data` holds the form's fields (freelancer, task, rate, currency, start_date): the
    query string of the htmx request, the POSTed form, or an engagement's values. Until
    the first four are filled in, the partial shows a hint; invalid values show the errors.
    """
    from sourcewise.money.forms import EngagementBandForm

    complete = data is not None and all(str(data.get(name) or "").strip() for name in EngagementBandForm.FIELDS)
    form = EngagementBandForm(data if complete else None, workspace=workspace)
    context: dict[str, Any] = {"band_form": form, "bands": None, "complete": complete}
    if not complete or not form.is_valid():
        return context
    values = form.cleaned_data
    task, freelancer = values["task"], values["freelancer"]
    skills = task_skills(task)
    on_date = values["start_date"] or workspace_today(workspace)
    book = load_rate_book(workspace, skill_ids=[s.pk for s in skills])
    context.update(
        bands=bands_for(
            book,
            skills=skills,
            country=freelancer.country,
            rate=values["rate"],
            currency=values["currency"],
            on_date=on_date,
        ),
        band_task=task,
        band_freelancer=freelancer,
        band_on=on_date,
    )
    return context


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
    today = workspace_today(workspace)
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


def freelancer_rate_context(freelancer: Freelancer, today: datetime.date) -> dict[str, Any]:
    """The freelancer page's fair-pay card: the profile rate per skill, today (two queries)."""
    if freelancer.hourly_rate is None or not freelancer.rate_currency:
        return {"bands": None, "complete": False, "band_on": today}
    skill_ids = [level.skill_id for level in freelancer.skill_levels.all()]
    book = load_rate_book(freelancer.workspace, skill_ids=skill_ids)
    return {"bands": freelancer_bands(book, freelancer, today), "band_on": today, "complete": True}
