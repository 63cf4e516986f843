"""Guardrail checks of the talent network (G3, G7).

Each code applies to the subject it can honestly judge (each check's docstring says which).
`UNVETTED_FREELANCER` is raised on freelancers (an incomplete vetting record) here and on
engagements (the engaged freelancer is not approved) in engagements/rules.py, with
`SKILL_GAP` (tasks nobody vetted can do) and `NO_BACKUP` (built on the bench selectors
here): the checks that read engagements or tasks are the engagements app's.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch

from sourcewise.findings.codes import Severity
from sourcewise.findings.registry import COMING_UP_DAYS, CheckContext, Finding, check
from sourcewise.talent.models import VETTED_STATUSES, Freelancer, FreelancerLanguage, cefr_rank
from sourcewise.talent.overlap import business_schedule, freelancer_schedule, overlap_drop, overlap_for
from sourcewise.talent.selectors import with_vetting
from sourcewise.talent.vetting import vetting_state


def vetted_freelancers(ctx: CheckContext) -> list[Freelancer]:
    """Approved and active freelancers (only the scope's in a scoped run)."""

    def load() -> list[Freelancer]:
        queryset = ctx.limit(
            Freelancer.objects.in_workspace(ctx.workspace).filter(status__in=VETTED_STATUSES), "freelancer"
        )
        return list(with_vetting(queryset).prefetch_related(Prefetch("languages", FreelancerLanguage.objects.all())))

    return ctx.memo("talent.vetted", load)


def _finding(code: str, severity: Severity, subject: Any, message: str, fix: str, kind: str = "freelancer") -> Finding:
    return Finding(code, severity, kind, subject.pk, message, fix, str(subject))


@check("LOW_TZ_OVERLAP")
def low_time_zone_overlap(ctx: CheckContext) -> Iterator[Finding]:
    """Subject: each approved or active freelancer (the people you may engage) whose average
    overlap with your business hours over the next 28 days is below the minimum.

    Coming up: when today's overlap meets the minimum but a clock change (either side) makes
    the 28-day overlap from one of the next 14 days fall below it, the finding is yielded with
    `starts_on` that day — same fingerprint, so the stored row just turns live on that day."""
    workspace = ctx.workspace
    business = business_schedule(workspace)
    minimum = Decimal(workspace.min_tz_overlap_hours)
    fix = "Agree shifted working hours for shared time, or give them work that needs no live contact."
    for freelancer in vetted_freelancers(ctx):
        schedule = freelancer_schedule(freelancer)
        overlap = overlap_for(business, schedule, ctx.today)
        if not overlap.at_least(minimum):
            yield _finding(
                "LOW_TZ_OVERLAP",
                Severity.WARNING,
                freelancer,
                f"{freelancer.name} overlaps your business hours {overlap.display} h a business day "
                f"(minimum {minimum} h).",
                fix,
            )
            continue
        drop = overlap_drop(business, schedule, minimum, ctx.today, within=COMING_UP_DAYS)
        if drop is not None:
            changed = " and ".join(drop.change_zones)
            yield replace(
                _finding(
                    "LOW_TZ_OVERLAP",
                    Severity.WARNING,
                    freelancer,
                    f"From {drop.starts_on:%d %b %Y}, {freelancer.name} will overlap your business hours "
                    f"{drop.overlap.display} h a business day (minimum {minimum} h, {overlap.display} h today): "
                    f"the clocks change in {changed} on {drop.change_on:%d %b %Y}.",
                    fix,
                ),
                starts_on=drop.starts_on,
            )


@check("NO_SHARED_LANGUAGE")
def no_shared_language(ctx: CheckContext) -> Iterator[Finding]:
    """Subject: each approved or active freelancer without one of the workspace's working
    languages at the minimum CEFR level."""
    workspace = ctx.workspace
    minimum = cefr_rank(workspace.min_language_level)
    working = {str(code) for code in workspace.working_languages}
    for freelancer in vetted_freelancers(ctx):
        ok = [
            lang for lang in freelancer.languages.all() if lang.language in working and cefr_rank(lang.level) >= minimum
        ]
        if not ok:
            yield _finding(
                "NO_SHARED_LANGUAGE",
                Severity.WARNING,
                freelancer,
                f"{freelancer.name} has none of your working languages ({', '.join(sorted(working))}) "
                f"at {workspace.min_language_level} or better.",
                "Record their language levels, or test them before giving them client-facing work.",
            )


@check("UNVETTED_FREELANCER")
def unvetted_freelancers(ctx: CheckContext) -> Iterator[Finding]:
    """Subject: each approved or active freelancer whose vetting record is incomplete today
    (e.g. active before vetting was recorded, or a threshold was raised since). Critical for
    active ones, who are working unvetted; a warning for approved ones. Engagements have
    their own check (engagements/rules.py)."""
    for freelancer in vetted_freelancers(ctx):
        state = vetting_state(freelancer)
        if state.complete:
            continue
        missing = "; ".join(f"{s.label}: {s.detail}" for s in state.missing)
        active = freelancer.status == Freelancer.Status.ACTIVE
        yield _finding(
            "UNVETTED_FREELANCER",
            Severity.CRITICAL if active else Severity.WARNING,
            freelancer,
            f"{freelancer.name} is {freelancer.get_status_display().lower()} but not fully vetted — {missing}",
            "Finish the missing vetting steps on their profile before giving them more work.",
        )


@check("WEAK_REFERENCES")
def weak_references(ctx: CheckContext) -> Iterator[Finding]:
    """Subject: each freelancer in vetting, approved or active whose references average below
    the minimum (with at least one reference recorded)."""
    workspace = ctx.workspace
    minimum = Decimal(workspace.min_reference_average)
    queryset = ctx.limit(
        Freelancer.objects.in_workspace(workspace).filter(status__in=("vetting", *VETTED_STATUSES)), "freelancer"
    )
    for freelancer in queryset.prefetch_related("references"):
        ratings = [r.rating for r in freelancer.references.all()]
        if not ratings:
            continue
        average = Decimal(sum(ratings)) / len(ratings)
        if average < minimum:
            yield _finding(
                "WEAK_REFERENCES",
                Severity.WARNING,
                freelancer,
                f"{freelancer.name}'s {len(ratings)} reference(s) average {average.quantize(Decimal('0.01'))}/5, "
                f"below {minimum}.",
                "Ask for more references or a longer trial before relying on them.",
            )
