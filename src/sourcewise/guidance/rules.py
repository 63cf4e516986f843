"""Guardrail checks of guidance and people: documents, the pulse, manager training.

`NO_SOP` and `SOP_NOT_ACKNOWLEDGED` need the task's sourcing decision and engagements;
they are wired after those land, on top of `selectors.sops_for_task` and
`selectors.unacknowledged_sops`.
"""

from __future__ import annotations

from collections.abc import Iterator

from sourcewise.findings.codes import Severity
from sourcewise.findings.registry import CheckContext, Finding, check
from sourcewise.guidance.selectors import document_statuses, last_pulses, pulse_average, untrained_managers
from sourcewise.talent.models import Freelancer


def _freelancers_with_login(ctx: CheckContext) -> list[Freelancer]:
    # Until vetting lands, "approved or active" is read as "has a portal login".
    return ctx.memo(  # type: ignore[no-any-return]
        "guidance.freelancers_with_login",
        lambda: list(Freelancer.objects.filter(workspace=ctx.workspace, user__isnull=False).order_by("name", "id")),
    )


@check("DOCUMENT_MISSING")
def documents_missing_or_expired(ctx: CheckContext) -> Iterator[Finding]:
    people = _freelancers_with_login(ctx)
    if not people:
        return
    statuses = document_statuses(Freelancer.objects.filter(pk__in=[p.pk for p in people]), ctx.workspace, ctx.today)
    for person in people:
        missing = [s.document_type.name for s in statuses.get(person.pk, []) if s.state == "missing"]
        expired = [s for s in statuses.get(person.pk, []) if s.state == "expired"]
        if not missing and not expired:
            continue
        parts = []
        if missing:
            parts.append("missing: " + ", ".join(missing))
        if expired:
            parts.append(
                "expired: "
                + ", ".join(
                    f"{s.document_type.name} (on {s.document.expires_on:%d %b %Y})" for s in expired if s.document
                )
            )
        yield Finding(
            "DOCUMENT_MISSING",
            Severity.WARNING,
            "freelancer",
            person.pk,
            f"{person.name} has required documents {'; '.join(parts)}.",
            "Ask them to upload the document in their portal (Portal → Documents), or untick “required” "
            "on the document type if you no longer need it.",
            person.name,
        )


@check("UNHAPPY_FREELANCER")
def unhappy_freelancers(ctx: CheckContext) -> Iterator[Finding]:
    """Average of the last two pulse answers ≤ the workspace threshold (default 2).

    A freelancer who has answered only once is judged on that one answer: a first answer
    of 1 or 2 is already a signal worth a conversation.
    """
    threshold = ctx.workspace.unhappy_pulse_max
    people = Freelancer.objects.filter(workspace=ctx.workspace)
    latest = last_pulses(people, 2)
    if not latest:
        return
    names = dict(people.filter(pk__in=list(latest)).values_list("pk", "name"))
    for freelancer_id, answers in sorted(latest.items(), key=lambda item: names.get(item[0], "")):
        average = pulse_average([a.score for a in answers])
        if average is None or average > threshold:
            continue
        shown = " and ".join(f"{a.score}/5 in {a.month:%B %Y}" for a in answers)
        yield Finding(
            "UNHAPPY_FREELANCER",
            Severity.WARNING,
            "freelancer",
            freelancer_id,
            f"{names[freelancer_id]} is unhappy: {shown} (average {average:.1f}, alert at ≤ {threshold}).",
            "Talk with them this week: workload, pay, clarity of the brief, how they are managed. "
            "An unhappy freelancer does worse work and leaves without warning.",
            names[freelancer_id],
        )


@check("MANAGER_UNTRAINED")
def untrained_managers_check(ctx: CheckContext) -> Iterator[Finding]:
    """For now: every member with the manager role needs a training record (SPEC G2)."""
    for member in untrained_managers(ctx.workspace):
        name = member.user.display_name
        yield Finding(
            "MANAGER_UNTRAINED",
            Severity.WARNING,
            "member",
            member.pk,
            f"{name} manages outsourced work but has no outsourcing-management training on record.",
            "Record their training (Team → Training) — or plan it: briefing freelancers, "
            "checkpoints, feedback and acceptance of deliverables.",
            name,
        )
