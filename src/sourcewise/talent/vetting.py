"""The vetting steps of G7 and whether a freelancer has done each of them.

`vetting_state(freelancer)` answers from the rows already loaded on the freelancer
(use `selectors.with_vetting`), so a board of candidates costs a fixed number of queries.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sourcewise.talent.models import Freelancer


@dataclass(frozen=True)
class Step:
    key: str
    label: str
    done: bool
    detail: str


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


def trial_evidence(freelancer: Freelancer) -> int | None:
    """The rating of the freelancer's most recent trial.

    Until engagements exist this is the recorded trial task; when trial engagements
    arrive, read the latest rated trial engagement here first and fall back to these rows.
    """
    trials = list(freelancer.trials.all())
    if not trials:
        return None
    latest = max(trials, key=lambda t: (t.completed_on, t.pk))
    return latest.rating


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
        trial_step = Step("trial", "Trial", False, "Record a small paid trial task and rate it.")
    elif trial < min_trial:
        trial_step = Step(
            "trial", "Trial", False, f"The trial was rated {trial}/5; approval needs at least {min_trial}/5."
        )
    else:
        trial_step = Step("trial", "Trial", True, f"Trial rated {trial}/5.")

    return VettingState(
        steps=[portfolio_step, ref_step, interview_step, trial_step],
        reference_average=average,
        reference_count=len(refs),
        trial_rating=trial,
    )
