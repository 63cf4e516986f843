"""The vetting steps of G7 and whether a freelancer has done each of them.

`vetting_state(freelancer)` answers from the rows already loaded on the freelancer
(use `selectors.with_vetting`), so a board of candidates costs a fixed number of queries.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.db.models import QuerySet
from django.utils import timezone

from sourcewise.talent.models import Freelancer


def completed_trial_engagements() -> QuerySet[Any]:
    """Completed trial engagements (engagements sit above talent: the model is looked up by name)."""
    engagement = apps.get_model("engagements", "Engagement")
    return engagement.objects.filter(kind="trial", state="completed", trial_rating__isnull=False).select_related("task")


@dataclass(frozen=True)
class Step:
    key: str
    label: str
    done: bool
    detail: str
    engagement_id: int | None = None  # the trial engagement that is the evidence, if any


@dataclass(frozen=True)
class VettingState:
    steps: list[Step]
    reference_average: Decimal | None
    reference_count: int
    trial_rating: int | None

    @property
    def missing(self) -> list[Step]:
        return [s for s in self.steps if not s.done]

    @property
    def complete(self) -> bool:
        return not self.missing

    @property
    def done_count(self) -> int:
        return sum(1 for s in self.steps if s.done)


def reference_average(freelancer: Freelancer) -> Decimal | None:
    ratings = [r.rating for r in freelancer.references.all()]
    if not ratings:
        return None
    return Decimal(sum(ratings)) / Decimal(len(ratings))


@dataclass(frozen=True)
class TrialEvidence:
    rating: int
    detail: str
    engagement_id: int | None = None


def _trial_engagements(freelancer: Freelancer) -> list[Any]:
    """Completed, rated trial engagements of the freelancer (prefetched by `with_vetting`)."""
    loaded = getattr(freelancer, "completed_trials", None)
    if loaded is not None:
        return list(loaded)
    return list(completed_trial_engagements().filter(freelancer=freelancer))


def trial_evidence(freelancer: Freelancer) -> TrialEvidence | None:
    """The trial that counts for vetting (G6/G7).

    A completed trial engagement rated ≥ `trial_min_rating` is the evidence (the newest such);
    without one, the newest completed trial engagement or recorded trial task, whichever
    ended last (so a poor rating shows until a good trial follows).
    """
    minimum = freelancer.workspace.trial_min_rating
    engagements = sorted(_trial_engagements(freelancer), key=lambda e: (_ended(e), e.pk))
    good = [e for e in engagements if e.trial_rating >= minimum]
    if good:
        return _engagement_evidence(good[-1])
    candidates: list[tuple[datetime.date, int, TrialEvidence]] = []
    if engagements:
        candidates.append((_ended(engagements[-1]), 1, _engagement_evidence(engagements[-1])))
    trials = list(freelancer.trials.all())
    if trials:
        latest = max(trials, key=lambda t: (t.completed_on, t.pk))
        candidates.append(
            (latest.completed_on, 0, TrialEvidence(latest.rating, f"The trial was rated {latest.rating}/5."))
        )
    if not candidates:
        return None
    return max(candidates, key=lambda c: (c[0], c[1]))[2]


def _ended(engagement: Any) -> datetime.date:
    moment = engagement.ended_at or engagement.updated_at
    return timezone.localdate(moment) if moment else engagement.start_date


def _engagement_evidence(engagement: Any) -> TrialEvidence:
    return TrialEvidence(
        engagement.trial_rating,
        f"The trial engagement on {engagement.task} (completed {_ended(engagement):%d %b %Y}) was rated "
        f"{engagement.trial_rating}/5.",
        engagement.pk,
    )


def vetting_state(freelancer: Freelancer) -> VettingState:
    workspace = freelancer.workspace
    min_refs = workspace.min_references
    min_avg = Decimal(workspace.min_reference_average)
    min_trial = workspace.trial_min_rating

    portfolio = list(freelancer.portfolio.all())
    rated = [p for p in portfolio if p.rating is not None]
    if rated:
        best = max(p.rating for p in rated if p.rating is not None)
        portfolio_step = Step("portfolio", "Portfolio reviewed", True, f"{len(rated)} item(s) rated, best {best}/5.")
    elif portfolio:
        portfolio_step = Step("portfolio", "Portfolio reviewed", False, "Rate at least one portfolio item.")
    else:
        portfolio_step = Step("portfolio", "Portfolio reviewed", False, "Add at least one portfolio item and rate it.")

    refs = list(freelancer.references.all())
    average = reference_average(freelancer)
    if len(refs) < min_refs:
        ref_step = Step(
            "references",
            "References",
            False,
            f"{len(refs)} of the {min_refs} references needed from previous clients.",
        )
    elif average is not None and average < min_avg:
        ref_step = Step(
            "references",
            "References",
            False,
            f"Average reference rating {average.quantize(Decimal('0.01'))} is below {min_avg}.",
        )
    else:
        shown = average.quantize(Decimal("0.01")) if average is not None else "—"
        ref_step = Step("references", "References", True, f"{len(refs)} references, average {shown}/5.")

    interviews = list(freelancer.interviews.all())
    if interviews:
        latest = max(interviews, key=lambda i: (i.held_on, i.pk))
        interview_step = Step(
            "interview",
            "Interview",
            True,
            f"{latest.held_on:%d %b %Y}: communication {latest.communication}/5, culture fit {latest.culture_fit}/5.",
        )
    else:
        interview_step = Step(
            "interview", "Interview", False, "Record an interview with communication and culture-fit ratings."
        )

    trial = trial_evidence(freelancer)
    if trial is None:
        trial_step = Step(
            "trial", "Trial", False, "Run a small paid trial engagement (or record a trial task) and rate it."
        )
    elif trial.rating < min_trial:
        trial_step = Step(
            "trial",
            "Trial",
            False,
            f"{trial.detail.rstrip('.')}; approval needs at least {min_trial}/5.",
            trial.engagement_id,
        )
    else:
        trial_step = Step("trial", "Trial", True, trial.detail, trial.engagement_id)

    return VettingState(
        steps=[portfolio_step, ref_step, interview_step, trial_step],
        reference_average=average,
        reference_count=len(refs),
        trial_rating=trial.rating if trial else None,
    )
