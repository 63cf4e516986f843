"""The guardrails of SPEC §2: the vocabulary the settings, the findings and the guide share."""

from __future__ import annotations

from dataclasses import dataclass


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
