"""The outsourcing advisor (SPEC §2 G1): one verdict per task, with the reasons that produced it.

`advise(task)` is the only place the verdict is computed; the task page, the
outsourcing map, `GET /api/v1/tasks/{id}/advice` and `sourcewise advise` all call it.

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

from sourcewise.tasks.models import Task
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


_sop_status: list[SopStatus] = [_sop_unknown]
_sop_annotations: list[SopAnnotations] = [_no_annotations]


def register_sop_status(function: SopStatus, annotations: SopAnnotations = _no_annotations) -> None:
    """Plug in the SOP check (G6): True = an SOP covers the task, False = none, None = unknown.

    `annotations()` returns queryset annotations `function` reads when present (no query then).
    """
    _sop_status[0] = function
    _sop_annotations[0] = annotations


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


def advise(task: Task, workspace: Workspace | None = None) -> Advice:
    """The verdict for one task, with every reason that produced it."""
    ws = workspace if workspace is not None else task.workspace
    stage = ws.stage
    stage_label = Workspace.Stage(stage).label.lower() if stage in Workspace.Stage.values else stage
    reasons = _core_reasons(task)
    gaps = readiness_gaps(task, ws)
    core = task.is_core
    has_justification = bool(task.justification.strip())

    if not task.is_assessed and not task.core_choice:
        reasons.append(
            Reason(
                "not_assessed",
                "Answer the four core questions first: they decide whether it may leave the business.",
                blocking=True,
            )
        )
        verdict = Verdict.NOT_READY
    elif core and stage in EARLY_STAGES:
        reasons.append(
            Reason(
                "core_early_stage",
                f"It is core and the business is at the {stage_label} stage: keep the core in-house.",
                blocking=True,
            )
        )
        verdict = Verdict.KEEP_IN_HOUSE
    elif core and not has_justification:
        reasons.append(
            Reason(
                "core_without_justification",
                f"It is core. At the {stage_label} stage a core task may be outsourced only with a written "
                "justification.",
                blocking=True,
            )
        )
        verdict = Verdict.KEEP_IN_HOUSE
    elif gaps:
        if core:
            reasons.append(Reason("core_justified", "Core, but you wrote a justification for outsourcing it."))
        else:
            reasons.append(Reason("non_core", "Non-core: it can be outsourced once it is manageable from outside."))
        verdict = Verdict.NOT_READY
    elif core:
        reasons.append(
            Reason(
                "core_justified",
                f"Core, outsourced only with care: allowed at the {stage_label} stage because you wrote a "
                "justification.",
            )
        )
        verdict = Verdict.CAUTION
    else:
        reasons.append(Reason("non_core", "Non-core: someone outside can do it without weakening the business."))
        verdict = Verdict.OUTSOURCE

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
