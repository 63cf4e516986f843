"""Guardrail checks of guidance and people: SOPs, documents, the pulse.

`NO_SOP` reads the tasks' sourcing decision (`selectors.tasks_without_sops`). The checks
that read engagements — `SOP_NOT_ACKNOWLEDGED` (the same SOPs as `selectors.sops_for_task`,
for every active engagement at once) and `MANAGER_UNTRAINED` — are in engagements/rules.py.
"""

from __future__ import annotations

from collections.abc import Iterator

from sourcewise.findings.codes import Severity
from sourcewise.findings.registry import CheckContext, Finding, check, coming_up
from sourcewise.guidance.selectors import (
    document_statuses,
    last_pulses,
    pulse_average,
    tasks_without_sops,
)
from sourcewise.talent.models import Freelancer
from sourcewise.tasks.models import Task


def _freelancers_with_login(ctx: CheckContext) -> list[Freelancer]:
    # Until vetting lands, "approved or active" is read as "has a portal login".
    return ctx.memo(
        "guidance.freelancers_with_login",
        lambda: list(
            ctx.limit(Freelancer.objects.filter(workspace=ctx.workspace, user__isnull=False), "freelancer").order_by(
                "name", "id"
            )
        ),
    )


@check("NO_SOP")
def outsourced_tasks_without_sop(ctx: CheckContext) -> Iterator[Finding]:
    """G6: an outsourced (not archived) task with no SOP on it nor on any skill it needs.
    Tasks kept in-house are never judged."""
    tasks = ctx.limit(
        Task.objects.in_workspace(ctx.workspace).filter(sourcing=Task.Sourcing.OUTSOURCE, archived_at__isnull=True),
        "task",
    )
    for task in tasks_without_sops(tasks).order_by("name", "id"):
        yield Finding(
            "NO_SOP",
            Severity.WARNING,
            "task",
            task.pk,
            f"{task.name} is outsourced but no SOP says how the work is done.",
            "Write an SOP (Guidance → SOPs) and attach it to the task or to a skill it needs; "
            "freelancers acknowledge it before they start.",
            task.name,
        )


@check("DOCUMENT_MISSING")
def documents_missing_or_expired(ctx: CheckContext) -> Iterator[Finding]:
    """G6: a freelancer with a portal login missing a required document, or whose newest one
    has expired (a document is valid through its `expires_on`).

    Coming up: with nothing missing or expired, a required document expiring within the next
    14 days yields the finding with `starts_on` the day it lapses (the day after it expires) —
    same fingerprint, so the stored row turns live that day unless a renewal was uploaded. A
    live finding names documents about to lapse too, so one upload request covers them."""
    people = _freelancers_with_login(ctx)
    if not people:
        return
    statuses = document_statuses(Freelancer.objects.filter(pk__in=[p.pk for p in people]), ctx.workspace, ctx.today)
    fix = (
        "Ask them to upload the document in their portal, or untick “required” on the document type "
        "(Guidance → Documents) if you no longer need it."
    )
    for person in people:
        mine = statuses.get(person.pk, [])
        missing = [s.document_type.name for s in mine if s.state == "missing"]
        expired = [s for s in mine if s.state == "expired"]
        lapsing = [s for s in mine if s.state == "expiring" and s.lapses_on and coming_up(ctx.today, s.lapses_on)]
        soon = ", ".join(f"{s.document_type.name} (on {s.document.expires_on:%d %b %Y})" for s in lapsing if s.document)
        if not missing and not expired:
            if lapsing:
                yield Finding(
                    "DOCUMENT_MISSING",
                    Severity.WARNING,
                    "freelancer",
                    person.pk,
                    f"{person.name}'s required documents expire soon: {soon}.",
                    "Ask them to upload the renewed document in their portal before it expires.",
                    person.name,
                    starts_on=min(s.lapses_on for s in lapsing if s.lapses_on),
                )
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
        if lapsing:
            parts.append("expiring soon: " + soon)
        yield Finding(
            "DOCUMENT_MISSING",
            Severity.WARNING,
            "freelancer",
            person.pk,
            f"{person.name} has required documents {'; '.join(parts)}.",
            fix,
            person.name,
        )


@check("UNHAPPY_FREELANCER")
def unhappy_freelancers(ctx: CheckContext) -> Iterator[Finding]:
    """Subject: each freelancer who has not left nor been rejected (the people who work or may
    work for you) whose last two pulse answers average ≤ the workspace threshold (default 2).

    A freelancer who has answered only once is judged on that one answer: a first answer
    of 1 or 2 is already a signal worth a conversation.
    """
    threshold = ctx.workspace.unhappy_pulse_max
    people = ctx.limit(
        Freelancer.objects.filter(workspace=ctx.workspace).exclude(
            status__in=(Freelancer.Status.LEFT, Freelancer.Status.REJECTED)
        ),
        "freelancer",
    )
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
