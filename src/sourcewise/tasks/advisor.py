"""The outsourcing advisor (SPEC §2 G1): one verdict per task, with the reasons that produced it.

`decide(...)` is the only place the verdict is decided, from five facts about a task;
`advise(task)` reads them from the task and adds the reasons (the task page,
`GET /api/v1/tasks/{id}/advice`, `sourcewise advise`); the outsourcing map page reads them
for every task in SQL (`fact_annotations`) and advises only the tasks it lists.

Rules, in order:

1. not assessed (no question answered, no explicit choice) → `not_ready`;
2. core while the workspace stage is `idea` or `startup` → `keep_in_house`;
3. core at `growth` / `established` without a written justification → `keep_in_house`
   (the reasons say a justification would allow it);
4. any readiness gap — no deliverable with written acceptance criteria, no checkpoint
   cadence or one longer than `workspace.checkpoint_max_days`, an SOP known to be
   missing — → `not_ready`;
5. core at `growth` / `established` with a justification → `caution`;
6. otherwise → `outsource`.

SOPs belong to another part of the product (guardrail G6): the SOP requirement is the
pluggable hook `sop_status`, a function of a task returning True (an SOP covers it), False
(none does: a readiness gap) or None (not known: a note only). The guidance app plugs in
its answer at start-up (`guidance/wiring.py`) with `register_sop_status(fn, annotations)`;
`annotations()` gives the queryset annotations that let `fn` answer without a query, which
`selectors.with_advice_data` adds so a list of tasks costs no query per task.

`outsourceable_gaps(task, workspace)` is the readiness without the SOP (SPEC G1
"outsourceable": deliverables with acceptance criteria and a checkpoint cadence); the
engagements app refuses to start work on a task that has any.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from django.db.models import (
    BooleanField,
    Case,
    Exists,
    ExpressionWrapper,
    IntegerField,
    OuterRef,
    Q,
    Value,
    When,
)
from django.db.models.lookups import GreaterThanOrEqual

from sourcewise.tasks.models import CORE_QUESTION_FIELDS, CORE_YES_NEEDED, Deliverable, Task
from sourcewise.workspaces.models import Workspace


class Verdict(StrEnum):
    OUTSOURCE = "outsource"
    KEEP_IN_HOUSE = "keep_in_house"
    NOT_READY = "not_ready"
    CAUTION = "caution"


VERDICT_LABELS = {
    Verdict.OUTSOURCE: "Outsource",
    Verdict.KEEP_IN_HOUSE: "Keep in-house",
    Verdict.NOT_READY: "Not ready",
    Verdict.CAUTION: "Caution",
}

EARLY_STAGES = frozenset({Workspace.Stage.IDEA, Workspace.Stage.STARTUP})


@dataclass(frozen=True)
class Reason:
    code: str
    message: str
    blocking: bool = False  # True when it stands between the task and outsourcing

    def as_dict(self) -> dict[str, object]:
        return {"code": self.code, "message": self.message, "blocking": self.blocking}


@dataclass(frozen=True)
class Advice:
    task_id: int
    verdict: Verdict
    reasons: list[Reason]
    core: bool
    suggested_core: bool | None
    ready: bool
    next_step: str
    gaps: list[Reason] = field(default_factory=list)

    @property
    def label(self) -> str:
        return VERDICT_LABELS[self.verdict]

    def as_dict(self) -> dict[str, object]:
        return {
            "task_id": self.task_id,
            "verdict": str(self.verdict),
            "label": self.label,
            "core": self.core,
            "suggested_core": self.suggested_core,
            "ready": self.ready,
            "next_step": self.next_step,
            "reasons": [r.as_dict() for r in self.reasons],
        }


SopStatus = Callable[[Task], bool | None]


def _sop_unknown(task: Task) -> bool | None:
    """Default SOP hook: SOPs are not tracked yet, so nobody can say."""
    return None


SopAnnotations = Callable[[], dict[str, Any]]


def _no_annotations() -> dict[str, Any]:
    return {}


SopMissing = Callable[[], Q]

_sop_status: list[SopStatus] = [_sop_unknown]
_sop_annotations: list[SopAnnotations] = [_no_annotations]
_sop_missing: list[SopMissing | None] = [None]


def register_sop_status(
    function: SopStatus, annotations: SopAnnotations = _no_annotations, missing: SopMissing | None = None
) -> None:
    """Plug in the SOP check (G6): True = an SOP covers the task, False = none, None = unknown.

    `annotations()` returns queryset annotations `function` reads when present (no query then).
    `missing()` is the same check in SQL: a condition on Task true exactly where `function`
    says False (None: the hook never says False), for `verdict_annotations`.
    """
    _sop_status[0] = function
    _sop_annotations[0] = annotations
    _sop_missing[0] = missing


def sop_status(task: Task) -> bool | None:
    return _sop_status[0](task)


def sop_annotations() -> dict[str, Any]:
    """Annotations for task querysets that let `sop_status` answer without a query per task."""
    return _sop_annotations[0]()


def _deliverables(task: Task) -> list[object]:
    # Uses the prefetched rows when the selector loaded them (no query per task).
    return list(task.deliverables.all())


def readiness_gaps(task: Task, workspace: Workspace) -> list[Reason]:
    """What stands between this task and being ready to outsource (empty = ready): the
    outsourceable gaps, and no SOP covering it."""
    gaps = outsourceable_gaps(task, workspace)
    if sop_status(task) is False:
        gaps.append(Reason("no_sop", "No SOP covers this task: write down how the work is done.", blocking=True))
    return gaps


def outsourceable_gaps(task: Task, workspace: Workspace) -> list[Reason]:
    """SPEC G1 "outsourceable": ≥1 deliverable with written acceptance criteria and a checkpoint
    cadence (at most `workspace.checkpoint_max_days`). Empty when the task is outsourceable."""
    gaps: list[Reason] = []
    deliverables = _deliverables(task)
    if not deliverables:
        gaps.append(
            Reason("no_deliverables", "No deliverables yet: write down what the work must produce.", blocking=True)
        )
    elif not any(d.has_criteria for d in deliverables):  # type: ignore[attr-defined]
        gaps.append(
            Reason(
                "no_acceptance_criteria",
                "No deliverable has written acceptance criteria: say how you will judge it done and good.",
                blocking=True,
            )
        )
    limit = workspace.checkpoint_max_days
    if task.checkpoint_every_days is None:
        gaps.append(
            Reason(
                "no_checkpoints",
                f"No checkpoint cadence: decide how often you review the work (every {limit} days or sooner).",
                blocking=True,
            )
        )
    elif task.checkpoint_every_days > limit:
        gaps.append(
            Reason(
                "checkpoints_too_rare",
                f"Checkpoints every {task.checkpoint_every_days} days are too far apart: "
                f"review at least every {limit} days.",
                blocking=True,
            )
        )
    return gaps


def _core_reasons(task: Task) -> list[Reason]:
    yes = task.yes_count
    suggestion = task.suggested_core
    if suggestion is None:
        suggested = "no suggestion yet (no question answered)"
    else:
        suggested = f"suggested {'core' if suggestion else 'non-core'} ({yes} of 4 yes; 2 or more means core)"
    if task.core_choice:
        chosen = "core" if task.is_core else "non-core"
        agree = "" if suggestion is None or suggestion == task.is_core else " — it differs from the suggestion"
        return [Reason("classification", f"You classified it as {chosen}{agree}; {suggested}.")]
    return [Reason("classification", f"Classification: {suggested}.")]


def _next_step(task: Task, verdict: Verdict, gaps: list[Reason]) -> str:
    if verdict == Verdict.NOT_READY:
        if not task.is_assessed and not task.core_choice:
            return "Answer the four core questions."
        return gaps[0].message if gaps else "Complete the task."
    if verdict == Verdict.KEEP_IN_HOUSE:
        if task.is_outsourced:
            return "Bring it back in-house" + (
                "." if not task.justification.strip() else ", or move on to the growth stage first."
            )
        return "Keep doing it yourselves; outsource the non-core work around it."
    if verdict == Verdict.CAUTION:
        if task.is_outsourced:
            return "Outsourced with a justification: review it at every checkpoint."
        return "You may outsource it with care: keep a close eye on it."
    if task.is_outsourced:
        return "Outsourced and manageable: keep the checkpoints."
    return "Ready to outsource: find a freelancer."


def decide(*, assessed: bool, core: bool, early_stage: bool, justified: bool, ready: bool) -> Verdict:
    """The verdict from five facts about a task, in the order of the rules above: the one place
    it is decided (`advise` for one task, the outsourcing map from facts read in SQL)."""
    if not assessed:
        return Verdict.NOT_READY
    if core and (early_stage or not justified):
        return Verdict.KEEP_IN_HOUSE
    if not ready:
        return Verdict.NOT_READY
    return Verdict.CAUTION if core else Verdict.OUTSOURCE


def advise(task: Task, workspace: Workspace | None = None) -> Advice:
    """The verdict for one task, with every reason that produced it."""
    ws = workspace if workspace is not None else task.workspace
    stage = ws.stage
    stage_label = Workspace.Stage(stage).label.lower() if stage in Workspace.Stage.values else stage
    reasons = _core_reasons(task)
    gaps = readiness_gaps(task, ws)
    core = task.is_core
    assessed = task.is_assessed or bool(task.core_choice)
    verdict = decide(
        assessed=assessed,
        core=core,
        early_stage=stage in EARLY_STAGES,
        justified=bool(task.justification.strip()),
        ready=not gaps,
    )

    if not assessed:
        reasons.append(
            Reason(
                "not_assessed",
                "Answer the four core questions first: they decide whether it may leave the business.",
                blocking=True,
            )
        )
    elif verdict == Verdict.KEEP_IN_HOUSE and stage in EARLY_STAGES:
        reasons.append(
            Reason(
                "core_early_stage",
                f"It is core and the business is at the {stage_label} stage: keep the core in-house.",
                blocking=True,
            )
        )
    elif verdict == Verdict.KEEP_IN_HOUSE:
        reasons.append(
            Reason(
                "core_without_justification",
                f"It is core. At the {stage_label} stage a core task may be outsourced only with a written "
                "justification.",
                blocking=True,
            )
        )
    elif verdict == Verdict.NOT_READY:
        if core:
            reasons.append(Reason("core_justified", "Core, but you wrote a justification for outsourcing it."))
        else:
            reasons.append(Reason("non_core", "Non-core: it can be outsourced once it is manageable from outside."))
    elif verdict == Verdict.CAUTION:
        reasons.append(
            Reason(
                "core_justified",
                f"Core, outsourced only with care: allowed at the {stage_label} stage because you wrote a "
                "justification.",
            )
        )
    else:
        reasons.append(Reason("non_core", "Non-core: someone outside can do it without weakening the business."))

    if verdict != Verdict.KEEP_IN_HOUSE:
        reasons.extend(gaps)
    if not gaps:
        reasons.append(
            Reason(
                "manageable",
                f"Manageable from outside: deliverables with acceptance criteria and checkpoints every "
                f"{task.checkpoint_every_days} days.",
            )
        )
    if sop_status(task) is None:
        reasons.append(Reason("sop_unknown", "SOPs are not tracked yet: write one before the work starts."))
    return Advice(
        task_id=task.pk,
        verdict=verdict,
        reasons=reasons,
        core=core,
        suggested_core=task.suggested_core,
        ready=not gaps,
        next_step=_next_step(task, verdict, gaps),
        gaps=gaps,
    )


# The facts of the rules in SQL, for pages that place many tasks at once (the outsourcing map):
# read per task as a few booleans, without loading the tasks and their deliverables, then given
# to `decide`. They must equal what `advise()` reads (tests compare both).

# str.strip() empties a text of whitespace only: "has a non-whitespace character" is the same
# test, as a regex both databases run (Django gives SQLite its REGEXP).
NOT_BLANK = r"\S"


def core_condition() -> Q:
    """`task.is_core` as a condition: the explicit choice, else ≥ CORE_YES_NEEDED answers yes."""
    yes = sum(
        (Case(When(Q(**{name: True}), then=Value(1)), default=Value(0)) for name in CORE_QUESTION_FIELDS),
        Value(0),
    )
    suggested_core = GreaterThanOrEqual(ExpressionWrapper(yes, output_field=IntegerField()), CORE_YES_NEEDED)
    return Q(core_choice=Task.CoreChoice.CORE) | (~Q(core_choice=Task.CoreChoice.NON_CORE) & Q(suggested_core))


def ready_condition(workspace: Workspace) -> Q:
    """No readiness gap (`readiness_gaps` empty): a deliverable with acceptance criteria, a
    checkpoint cadence within `workspace.checkpoint_max_days`, and no SOP known to be missing."""
    with_criteria = Deliverable.objects.filter(task=OuterRef("pk"), acceptance_criteria__regex=NOT_BLANK)
    # "is not null" written out: a NULL cadence must make the condition false, not unknown.
    cadence = Q(checkpoint_every_days__isnull=False, checkpoint_every_days__lte=workspace.checkpoint_max_days)
    ready = Q(Exists(with_criteria)) & cadence
    missing = _sop_missing[0]
    return ready if missing is None else ready & ~missing()


def fact_annotations(workspace: Workspace) -> dict[str, Any]:
    """The facts `decide` reads, as annotations: `advice_assessed`, `advice_core`,
    `advice_justified`, `advice_ready` (booleans equal to what `advise(task, workspace)` uses)."""
    none_answered = Q(*(Q(**{f"{name}__isnull": True}) for name in CORE_QUESTION_FIELDS))
    facts = {
        "advice_assessed": ~(Q(core_choice="") & none_answered),
        "advice_core": core_condition(),
        "advice_justified": Q(justification__regex=NOT_BLANK),
        "advice_ready": ready_condition(workspace),
    }
    return {name: ExpressionWrapper(condition, output_field=BooleanField()) for name, condition in facts.items()}
