"""The fair band of a rate for each of several skills: agreed rates and freelancer profiles.

One band per skill; a missing exchange rate is kept with its skill (`SkillBand.error`),
never raised: a missing rate never becomes a silent 1.0. The engagement parts (which
skills and which date an engagement's rate is judged on, its findings, the engagement
form's partial) are in `engagements/agreed_rates.py`; the decisions are in docs/money.md.

* **Freelancer profiles.** The profile rate is what a freelancer asks, not an agreed rate:
  it is classified on the freelancer page for each of their skills (today), but produces
  no finding. Agreed rates do.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.utils.safestring import SafeString

from sourcewise.money.charts import fair_band_svg
from sourcewise.money.conversion import MissingExchangeRate
from sourcewise.money.fairband import FairBand, RateBook, load_rate_book
from sourcewise.money.forms import EngagementBandForm
from sourcewise.money.models import RateBenchmark

if TYPE_CHECKING:
    from sourcewise.talent.models import Freelancer, Skill
    from sourcewise.tasks.models import Task
    from sourcewise.workspaces.models import Workspace


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


def engagement_band_context(workspace: Workspace, data: Mapping[str, Any] | None) -> dict[str, Any]:
    """What `money/includes/rate_bands.html` needs for the rate on an engagement form.

    `data` holds the form's fields (freelancer, task, rate, currency, start_date): the
    query string of the htmx request, the POSTed form, or an engagement's values
    (`engagements.agreed_rates.engagement_values`). Until the first four are filled in, the
    partial shows a hint; invalid values show the errors. It reads no engagement: only the
    rate a freelancer would be paid for a task.
    """
    complete = data is not None and all(str(data.get(name) or "").strip() for name in EngagementBandForm.FIELDS)
    form = EngagementBandForm(data if complete else None, workspace=workspace)
    context: dict[str, Any] = {"band_form": form, "bands": None, "complete": complete}
    if not complete or not form.is_valid():
        return context
    values = form.cleaned_data
    task, freelancer = values["task"], values["freelancer"]
    skills = task_skills(task)
    on_date = values["start_date"] or workspace.today()
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


def freelancer_rate_context(freelancer: Freelancer, today: datetime.date) -> dict[str, Any]:
    """The freelancer page's fair-pay card: the profile rate per skill, today (two queries)."""
    if freelancer.hourly_rate is None or not freelancer.rate_currency:
        return {"bands": None, "complete": False, "band_on": today}
    skill_ids = [level.skill_id for level in freelancer.skill_levels.all()]
    book = load_rate_book(freelancer.workspace, skill_ids=skill_ids)
    return {"bands": freelancer_bands(book, freelancer, today), "band_on": today, "complete": True}
