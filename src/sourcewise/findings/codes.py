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
class CodeInfo:
    code: str
    guardrail: str
    title: str
    # What the rule looks at — and so what can never raise it (shown in the guardrail guide).
    scope: str = ""


CODES: dict[str, CodeInfo] = {
    c.code: c
    for c in (
        CodeInfo(
            "CORE_TASK_OUTSOURCED",
            "G1",
            "A core task is outsourced",
            "Outsourced tasks that are not archived and are core (explicitly or by the suggestion).",
        ),
        CodeInfo(
            "NO_DELIVERABLES",
            "G1",
            "Outsourced task without deliverables",
            "Outsourced tasks that are not archived. Tasks kept in-house are never judged.",
        ),
        CodeInfo(
            "NO_CHECKPOINTS",
            "G1",
            "Outsourced task without checkpoints",
            "Outsourced tasks that are not archived. Tasks kept in-house are never judged.",
        ),
        CodeInfo(
            "OUTSOURCING_EVERYTHING",
            "G1",
            "Too much of the business is outsourced",
            "The whole workspace: the monthly hours of its tasks that are not archived.",
        ),
        CodeInfo(
            "NO_MANAGER",
            "G2",
            "Engagement without a manager",
            "Draft and active engagements (work running or about to start).",
        ),
        CodeInfo(
            "MANAGER_UNTRAINED",
            "G2",
            "Manager without outsourcing training",
            (
                "Owners and managers who manage at least one draft or active engagement. A member who manages "
                "nothing is never judged."
            ),
        ),
        CodeInfo(
            "MANAGER_OVERLOADED",
            "G2",
            "Manager with too many engagements",
            "Owners and managers, counting their active engagements.",
        ),
        CodeInfo(
            "LOW_TZ_OVERLAP",
            "G3",
            "Too little working-hours overlap",
            "Approved and active freelancers (the people you may engage), over the next 28 days.",
        ),
        CodeInfo(
            "NO_SHARED_LANGUAGE",
            "G3",
            "No shared working language",
            "Approved and active freelancers (the people you may engage).",
        ),
        CodeInfo(
            "SKILL_GAP",
            "G3",
            "Skills below what the task needs",
            (
                "Tasks that are outsourced (not archived) or have a draft or active engagement, against every "
                "approved or active freelancer. Tasks kept in-house are never judged."
            ),
        ),
        CodeInfo(
            "RATE_BELOW_MARKET",
            "G4",
            "Rate below the local market",
            "The agreed rate of draft and active engagements (a draft on its start date).",
        ),
        CodeInfo(
            "RATE_UNDER_FAIR_FLOOR",
            "G4",
            "Rate under the fair floor",
            "The agreed rate of draft and active engagements (a draft on its start date).",
        ),
        CodeInfo(
            "RATE_ABOVE_HOME",
            "G4",
            "Rate above the home market",
            "The agreed rate of draft and active engagements (a draft on its start date).",
        ),
        CodeInfo(
            "NO_RATE_BENCHMARK",
            "G4",
            "No market benchmark for the rate",
            ("The agreed rate of draft and active engagements whose task's skills have no benchmark or exchange rate."),
        ),
        CodeInfo(
            "HIDDEN_COSTS_UNTRACKED",
            "G5",
            "Overhead costs not tracked",
            "Active engagements running for longer than the workspace's limit with fees in the ledger.",
        ),
        CodeInfo(
            "SAVINGS_OVERESTIMATED",
            "G5",
            "Savings smaller than expected",
            "Active engagements with at least a month of work in the last 90 days and an expected saving.",
        ),
        CodeInfo(
            "NEGATIVE_ROI",
            "G5",
            "Outsourcing costs more than in-house",
            "Active engagements with at least a month of work in the last 90 days and an in-house baseline.",
        ),
        CodeInfo(
            "NO_SOP",
            "G6",
            "Outsourced task without an SOP",
            "Outsourced tasks that are not archived. Tasks kept in-house are never judged.",
        ),
        CodeInfo(
            "SOP_NOT_ACKNOWLEDGED",
            "G6",
            "SOP not acknowledged",
            "Active engagements, against the current version of each SOP of their task or its skills.",
        ),
        CodeInfo(
            "NO_TRIAL",
            "G6",
            "No trial before a full engagement",
            "Draft and active full engagements.",
        ),
        CodeInfo(
            "TRIAL_OVERRUN",
            "G6",
            "Trial running past its end date",
            "Active trials whose end date has passed.",
        ),
        CodeInfo(
            "UNVETTED_FREELANCER",
            "G7",
            "Unvetted freelancer engaged",
            (
                "Approved and active freelancers with an incomplete vetting record; draft (warning) and active "
                "(critical) engagements of a freelancer who is not approved."
            ),
        ),
        CodeInfo(
            "WEAK_REFERENCES",
            "G7",
            "Weak references",
            "Freelancers in vetting, approved or active with at least one reference.",
        ),
        CodeInfo(
            "NO_BACKUP",
            "G8",
            "No backup for an engagement",
            "Active engagements whose task needs skills, against the bench of approved and active freelancers.",
        ),
        CodeInfo(
            "HIGH_CONCENTRATION",
            "G8",
            "Spend concentrated on few freelancers",
            (
                "Freelancer spend of the last 90 days across the workspace. When one freelancer holds all of it, "
                "one finding (on them), not two."
            ),
        ),
        CodeInfo(
            "CHECKPOINT_OVERDUE",
            "OPS",
            "Checkpoint overdue",
            "Active engagements.",
        ),
        CodeInfo(
            "UNHAPPY_FREELANCER",
            "OPS",
            "Unhappy freelancer",
            "Freelancers who have not left or been rejected, on their last two pulse answers.",
        ),
        CodeInfo(
            "DOCUMENT_MISSING",
            "OPS",
            "Required document missing or expired",
            "Freelancers with a portal login, against the required document types.",
        ),
    )
}
