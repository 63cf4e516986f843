"""Demo: the studio's work, core and non-core, showing every advisor verdict and every G1 finding.

The studio is at the growth stage. What each task shows:

* Brand strategy            core, in-house                      → keep_in_house
* Client account management core, in-house                      → keep_in_house
* Logo & identity design    core, outsourced, no justification  → keep_in_house + CORE_TASK_OUTSOURCED (warning)
* Client website builds     core, outsourced, justified, ready  → caution + CORE_TASK_OUTSOURCED (info)
* Blog copywriting          outsourced, no deliverables         → not_ready + NO_DELIVERABLES
* Social media scheduling   outsourced, checkpoints every 30 d  → not_ready + NO_CHECKPOINTS
* Bookkeeping, support, …   non-core, ready                     → outsource
* SEO audits                not assessed yet                    → not_ready
* outsourced hours > 60 % of monthly task hours                 → OUTSOURCING_EVERYTHING

That is the "Every classic mistake" workspace. Lumen Studio (`MAIN`) has fixed most of it:
the identity work is outsourced with a written justification (info, like the websites),
the blog has deliverables (keyword research stays in-house), social media a fortnightly
checkpoint, brand strategy needs no freelancer skill, and more of the hours stay in-house
(58 % outsourced).
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sourcewise.tasks.models import Deliverable, Task, TaskSkill
from sourcewise.tasks.task_templates import TEMPLATES

if TYPE_CHECKING:
    from sourcewise.demo.builder import DemoContext  # the demo app runs these steps

Y, N = True, False
# key: (name, description, {skill: level}, hours/month, in-house £/h, sourcing,
#       answers (differentiates, proprietary, revenue-critical, must own), checkpoint days, justification,
#       deliverables [(name, criteria)] or a template key)
TASKS = {
    "strategy": (
        "Brand strategy", "Positioning workshops and creative direction for clients.", {"strategy": 4},
        "24", "85.00", "in_house", (Y, Y, Y, N), None, "", [],
    ),
    "accounts": (
        "Client account management", "Weekly calls, proposals and renewals with our clients.", {},
        "30", "70.00", "in_house", (N, Y, Y, Y), 7, "", [],
    ),
    "identity": (
        "Logo & identity design", "Logos, palettes and brand guidelines for client launches.", {"design": 4},
        "20", "65.00", "outsource", (Y, Y, N, N), 7, "",
        [("Identity pack", "Logo in SVG/PNG, palette and a 4-page guideline PDF; two options, one revision round.")],
    ),
    "website": (
        "Client website builds", "Landing pages and small sites for client campaigns.", {"webdev": 4},
        "40", "60.00", "outsource", (Y, N, Y, N), 7,
        "Demand doubled this year; Priya builds to our design system and Sam reviews every release.",
        "web_development",
    ),
    "blog": (
        "Blog copywriting", "Two articles a week for clients' blogs.", {"copy": 4, "seo": 2},
        "32", "45.00", "outsource", (N, N, N, N), 14, "", [],
    ),
    "social": (
        "Social media scheduling", "Daily posts and replies across client channels.", {"social": 3},
        "28", "35.00", "outsource", (N, N, N, N), 30, "", "social_media",
    ),
    "books": (
        "Bookkeeping", "Invoices, expenses and VAT preparation for the studio.", {"bookkeeping": 3},
        "12", "40.00", "outsource", (N, N, N, Y), 7, "", "bookkeeping",
    ),
    "support": (
        "Client support inbox", "First answers to client requests within business hours.", {"support": 3},
        "40", "30.00", "outsource", (N, N, Y, N), 7, "", "customer_support",
    ),
    "video": (
        "Campaign video editing", "Short edits for social campaigns.", {"video": 3},
        "12", "45.00", "outsource", (N, N, N, N), 7, "", "video_editing",
    ),
    "seo": ("SEO audits", "Quarterly search audits for client sites.", {"seo": 3}, "6", None, "in_house",
            (None, None, None, None), None, "", []),
    "ppc": (
        "PPC campaign management", "Paid search and social campaigns for clients.", {"ppc": 3},
        "16", "50.00", "in_house", (N, N, Y, N), 14, "",
        [("Monthly campaign report", "Spend, clicks, conversions and cost per lead per campaign vs. target.")],
    ),
}  # fmt: skip

# Lumen Studio: (needs, hours, checkpoint days, justification, deliverables) where it differs.
MAIN: dict[str, dict[str, Any]] = {
    "strategy": {"needs": {}, "hours": "40"},
    "accounts": {"hours": "70"},
    "identity": {"why": "Launch season triples identity work; Lucía and Olena work from our brand platform "
                        "and every concept is chosen by Olivia."},
    "blog": {"needs": {"copy": 4}, "hours": "24", "deliverables": [
        ("Blog article", "900–1,200 words, on the agreed keyword, in the client's voice; one revision round."),
    ]},
    "social": {"hours": "20", "every": 14},
    "video": {"hours": "30"},
}  # fmt: skip


def build(ctx: DemoContext) -> None:
    for key, row in TASKS.items():
        name, description, needs, hours, cost, sourcing, answers, every, why, deliverables = row
        if not ctx.mistakes and key in MAIN:
            fixed = MAIN[key]
            needs, hours = fixed.get("needs", needs), fixed.get("hours", hours)
            every, why = fixed.get("every", every), fixed.get("why", why)
            deliverables = fixed.get("deliverables", deliverables)
        task = Task.objects.create(
            workspace=ctx.workspace,
            name=name,
            description=description,
            frequency=Task.Frequency.RECURRING,
            hours=Decimal(hours),
            inhouse_hourly_cost=Decimal(cost) if cost else None,
            inhouse_cost_currency=ctx.workspace.base_currency if cost else "",
            sourcing=sourcing,
            q_differentiates=answers[0],
            q_proprietary=answers[1],
            q_revenue_critical=answers[2],
            q_must_own=answers[3],
            checkpoint_every_days=every,
            justification=why,
        )
        TaskSkill.objects.bulk_create(TaskSkill(task=task, skill=ctx.skills[s], level=lvl) for s, lvl in needs.items())
        items = TEMPLATES[deliverables].deliverables if isinstance(deliverables, str) else deliverables
        Deliverable.objects.bulk_create(
            Deliverable(workspace=ctx.workspace, task=task, name=n, acceptance_criteria=c) for n, c in items
        )
        ctx.tasks[key] = task
    # A one-off project, archived once delivered: shows that archived tasks leave the advisor.
    # Kept out of ctx.tasks so other apps do not build engagements on a finished task.
    Task.objects.create(
        workspace=ctx.workspace,
        name="Studio website relaunch",
        description="One-off relaunch of our own website (done in spring).",
        frequency=Task.Frequency.ONE_OFF,
        hours=Decimal("80"),
        sourcing=Task.Sourcing.OUTSOURCE,
        q_differentiates=False,
        q_proprietary=False,
        q_revenue_critical=False,
        q_must_own=False,
        checkpoint_every_days=7,
        archived_at=ctx.workspace.created_at,
    )
