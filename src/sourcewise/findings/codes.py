"""Every finding code of SPEC §2, with its guardrail and what it means."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Severity(StrEnum):
    INFO = "info"
    WARNING = "warning"
    CRITICAL = "critical"


SEVERITY_PENALTY = {Severity.CRITICAL: 15, Severity.WARNING: 5, Severity.INFO: 1}
SEVERITY_ORDER = {Severity.CRITICAL: 0, Severity.WARNING: 1, Severity.INFO: 2}


@dataclass(frozen=True)
class Guardrail:
    key: str
    title: str
    summary: str


GUARDRAILS: dict[str, Guardrail] = {
    g.key: g
    for g in (
        Guardrail("G1", "Keep the core in-house", "Outsource only what can be managed; keep what makes you you."),
        Guardrail("G2", "Your own managers", "Every engagement is managed by a trained member of your team."),
        Guardrail("G3", "Hire where it works", "Time zones, languages and skills that fit your business."),
        Guardrail("G4", "Fair pay", "Pay a fair rate, not the lowest price."),
        Guardrail("G5", "The true cost", "Track every cost and measure savings instead of assuming them."),
        Guardrail("G6", "Guidance and small starts", "Written SOPs, acknowledged; a trial before a full engagement."),
        Guardrail("G7", "Careful vetting", "References, portfolio, interview and trial before approval."),
        Guardrail("G8", "A network with backups", "No single freelancer the business cannot do without."),
        Guardrail("OPS", "Running the work", "Checkpoints, documents and a happy team."),
    )
}


@dataclass(frozen=True)
class CodeInfo:
    code: str
    guardrail: str
    title: str


CODES: dict[str, CodeInfo] = {
    c.code: c
    for c in (
        CodeInfo("CORE_TASK_OUTSOURCED", "G1", "A core task is outsourced"),
        CodeInfo("NO_DELIVERABLES", "G1", "Outsourced task without deliverables"),
        CodeInfo("NO_CHECKPOINTS", "G1", "Outsourced task without checkpoints"),
        CodeInfo("OUTSOURCING_EVERYTHING", "G1", "Too much of the business is outsourced"),
        CodeInfo("NO_MANAGER", "G2", "Engagement without a manager"),
        CodeInfo("MANAGER_UNTRAINED", "G2", "Manager without outsourcing training"),
        CodeInfo("MANAGER_OVERLOADED", "G2", "Manager with too many engagements"),
        CodeInfo("LOW_TZ_OVERLAP", "G3", "Too little working-hours overlap"),
        CodeInfo("NO_SHARED_LANGUAGE", "G3", "No shared working language"),
        CodeInfo("SKILL_GAP", "G3", "Skills below what the task needs"),
        CodeInfo("RATE_BELOW_MARKET", "G4", "Rate below the local market"),
        CodeInfo("RATE_UNDER_FAIR_FLOOR", "G4", "Rate under the fair floor"),
        CodeInfo("RATE_ABOVE_HOME", "G4", "Rate above the home market"),
        CodeInfo("NO_RATE_BENCHMARK", "G4", "No market benchmark for the rate"),
        CodeInfo("HIDDEN_COSTS_UNTRACKED", "G5", "Overhead costs not tracked"),
        CodeInfo("SAVINGS_OVERESTIMATED", "G5", "Savings smaller than expected"),
        CodeInfo("NEGATIVE_ROI", "G5", "Outsourcing costs more than in-house"),
        CodeInfo("NO_SOP", "G6", "Outsourced task without an SOP"),
        CodeInfo("SOP_NOT_ACKNOWLEDGED", "G6", "SOP not acknowledged"),
        CodeInfo("NO_TRIAL", "G6", "No trial before a full engagement"),
        CodeInfo("TRIAL_OVERRUN", "G6", "Trial running past its end date"),
        CodeInfo("UNVETTED_FREELANCER", "G7", "Unvetted freelancer engaged"),
        CodeInfo("WEAK_REFERENCES", "G7", "Weak references"),
        CodeInfo("NO_BACKUP", "G8", "No backup for an engagement"),
        CodeInfo("HIGH_CONCENTRATION", "G8", "Spend concentrated on few freelancers"),
        CodeInfo("CHECKPOINT_OVERDUE", "OPS", "Checkpoint overdue"),
        CodeInfo("UNHAPPY_FREELANCER", "OPS", "Unhappy freelancer"),
        CodeInfo("DOCUMENT_MISSING", "OPS", "Required document missing or expired"),
    )
}
