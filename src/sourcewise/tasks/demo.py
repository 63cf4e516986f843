"""Demo: the studio's work, core and non-core."""

from __future__ import annotations

from sourcewise.tasks.models import Task, TaskSkill

# key: (name, description, {skill: level needed})
TASKS = {
    "strategy": ("Brand strategy", "Positioning workshops and creative direction for clients.", {"strategy": 4}),
    "accounts": ("Client account management", "Weekly calls, proposals and renewals with our clients.", {}),
    "identity": ("Logo & identity design", "Logos, palettes and brand guidelines for client launches.", {"design": 4}),
    "website": ("Client website builds", "Landing pages and small sites for client campaigns.", {"webdev": 4}),
    "blog": ("Blog copywriting", "Two articles a week for clients' blogs.", {"copy": 4, "seo": 2}),
    "social": ("Social media scheduling", "Daily posts and replies across client channels.", {"social": 3}),
    "books": ("Bookkeeping", "Invoices, expenses and VAT preparation for the studio.", {"bookkeeping": 3}),
    "support": ("Client support inbox", "First answers to client requests within business hours.", {"support": 3}),
    "video": ("Campaign video editing", "Short edits for social campaigns.", {"video": 3}),
    "seo": ("SEO audits", "Quarterly search audits for client sites.", {"seo": 3}),
    "ppc": ("PPC campaign management", "Paid search and social campaigns for clients.", {"ppc": 3}),
}


def build(ctx) -> None:  # type: ignore[no-untyped-def]
    for key, (name, description, needs) in TASKS.items():
        task = Task.objects.create(workspace=ctx.workspace, name=name, description=description)
        TaskSkill.objects.bulk_create(TaskSkill(task=task, skill=ctx.skills[s], level=lvl) for s, lvl in needs.items())
        ctx.tasks[key] = task
