"""Synthetic data at scale, for the speed budgets of SPEC §6 (`sourcewise generate`).

Not the demo: the demo is a believable business to read; this is volume to measure —
a workspace with up to hundreds of thousands of freelancers and engagements, written
with bulk inserts in batches, deterministic for a given seed. Rows are valid (real
countries, zones, currencies, levels) so every page and rule works on them.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from sourcewise.core.access import MANAGER, OWNER
from sourcewise.core.dates import server_today
from sourcewise.demo import generate_costs
from sourcewise.demo.generate_batches import Progress, insert_in_batches
from sourcewise.demo.generate_guidance import generate_guidance
from sourcewise.demo.generate_work import generate_work
from sourcewise.engagements.models import Engagement
from sourcewise.findings import tracking
from sourcewise.findings.refresh import refresh_full
from sourcewise.talent.models import Freelancer, FreelancerLanguage, FreelancerSkill, Skill
from sourcewise.tasks.models import Deliverable, Task, TaskSkill
from sourcewise.workspaces.models import Membership, Workspace

PLACES = [  # (country, zone, currency, hourly rate range in that currency)
    ("IN", "Asia/Kolkata", "INR", (900, 3500)),
    ("PH", "Asia/Manila", "PHP", (500, 2000)),
    ("PL", "Europe/Warsaw", "PLN", (80, 250)),
    ("MX", "America/Mexico_City", "MXN", (250, 900)),
    ("KE", "Africa/Nairobi", "KES", (1500, 6000)),
    ("PT", "Europe/Lisbon", "EUR", (18, 60)),
    ("NP", "Asia/Kathmandu", "NPR", (1500, 5000)),
    ("AU", "Australia/Adelaide", "AUD", (45, 140)),
    ("CA", "America/Toronto", "CAD", (40, 130)),
    ("GB", "Europe/London", "GBP", (30, 110)),
]
SKILLS = [
    "Bookkeeping", "Copywriting", "SEO", "Logo design", "Web development", "Customer support", "Video editing",
    "Paid ads", "Social media", "Illustration", "Data entry", "Translation", "UX research", "QA testing",
    "Email marketing", "Photography", "Recruiting", "Legal review", "Payroll", "Analytics",
]  # fmt: skip
LEVELS = ["B1", "B2", "C1", "C2"]


@dataclass
class Generated:
    workspace: Workspace
    counts: dict[str, int] = field(default_factory=dict)


def generate(
    *,
    name: str = "Scale test",
    freelancers: int = 1000,
    tasks: int = 100,
    engagements: int = 1000,
    seed: int = 2026,
    progress: Progress | None = None,
    cost_entries: int = 0,
    audit_events: int = 0,
    work: int = 0,
) -> Generated:
    """Create one workspace holding the requested volume, then store its findings, so the
    workspace is ready to read (pages and the API read the stored findings).

    With `audit_events`, also SOPs, documents, pulses, training, portal logins and that many
    audit rows (generate_guidance.py);
    `work`: how many started engagements get milestones, reviews, hours and some offboardings
    (`generate_work`)."""

    # Bulk writes leave no markers: the full refresh below answers for all of them.
    with tracking.paused():
        result = _generate(
            name=name,
            freelancers=freelancers,
            tasks=tasks,
            engagements=engagements,
            seed=seed,
            progress=progress,
            cost_entries=cost_entries,
        )
        result.counts.update(generate_work(result.workspace, engagements=work, seed=seed, progress=progress))
        if audit_events:
            generate_guidance(result, audit_events=audit_events, seed=seed, progress=progress)
    if progress:
        progress("findings", 0, 1)
    refresh_full(result.workspace)
    if progress:
        progress("findings", 1, 1)
    return result


@transaction.atomic
def _generate(
    *,
    name: str = "Scale test",
    freelancers: int = 1000,
    tasks: int = 100,
    engagements: int = 1000,
    seed: int = 2026,
    progress: Progress | None = None,
    cost_entries: int = 0,
) -> Generated:
    """Create one workspace holding the requested volume; all or nothing."""
    rng = random.Random(seed)
    User = get_user_model()
    slug = "".join(c for c in name.lower() if c.isalnum()) or "scale"
    workspace = Workspace.objects.create(
        name=name, home_country="GB", base_currency="GBP", timezone="Europe/London", stage=Workspace.Stage.GROWTH
    )
    owner, _ = User.objects.get_or_create(email=f"owner@{slug}.generated.test", defaults={"full_name": "Owner"})
    members = [Membership.objects.create(user=owner, workspace=workspace, role=OWNER)]
    for i in range(5):
        user, _ = User.objects.get_or_create(
            email=f"manager{i}@{slug}.generated.test", defaults={"full_name": f"Manager {i}"}
        )
        members.append(Membership.objects.create(user=user, workspace=workspace, role=MANAGER))
    skills = Skill.objects.bulk_create([Skill(workspace=workspace, name=n) for n in SKILLS])

    now = timezone.now()
    statuses = [s for s, _ in Freelancer.Status.choices]
    people = []
    for i in range(freelancers):
        country, zone, currency, (low, high) = PLACES[i % len(PLACES)]
        first_hour = 6 + rng.randrange(6)
        people.append(
            Freelancer(
                workspace=workspace,
                name=f"Freelancer {i:06d}",
                email=f"f{i}@{slug}.generated.test",
                country=country,
                timezone=zone,
                status=rng.choice(statuses),
                status_changed_at=now,
                work_start=datetime.time(first_hour, 0),
                work_end=datetime.time(first_hour + 8, 0),
                work_days=[0, 1, 2, 3, 4] if i % 7 else [1, 2, 3, 4, 5],
                hourly_rate=Decimal(rng.randint(low, high)),
                rate_currency=currency,
                availability_hours=rng.choice([10, 20, 30, 40]),
            )
        )
    insert_in_batches(Freelancer, people, progress, "freelancers")
    people = list(Freelancer.objects.filter(workspace=workspace).order_by("pk").only("pk"))
    levels = []
    languages = []
    for person in people:
        for skill in rng.sample(skills, 2):
            levels.append(FreelancerSkill(freelancer_id=person.pk, skill=skill, level=rng.randint(1, 5)))
        languages.append(
            FreelancerLanguage(workspace=workspace, freelancer_id=person.pk, language="en", level=rng.choice(LEVELS))
        )
    insert_in_batches(FreelancerSkill, levels, progress, "skill levels")
    insert_in_batches(FreelancerLanguage, languages, progress, "languages")

    work = Task.objects.bulk_create(
        [
            Task(
                workspace=workspace,
                name=f"Task {i:04d}",
                hours=Decimal(rng.randint(5, 80)),
                inhouse_hourly_cost=Decimal(rng.randint(25, 70)),
                inhouse_cost_currency="GBP",
                sourcing=Task.Sourcing.OUTSOURCE if i % 3 else Task.Sourcing.IN_HOUSE,
                checkpoint_every_days=rng.choice([7, 14]),
            )
            for i in range(tasks)
        ]
    )
    TaskSkill.objects.bulk_create(
        [TaskSkill(task=t, skill=s, level=rng.randint(2, 4)) for t in work for s in rng.sample(skills, 2)]
    )
    Deliverable.objects.bulk_create(
        [
            Deliverable(workspace=workspace, task=t, name="Monthly report", acceptance_criteria="Delivered on time.")
            for t in work
        ]
    )
    states = [Engagement.State.ACTIVE, Engagement.State.COMPLETED, Engagement.State.DRAFT, Engagement.State.TERMINATED]
    today = server_today()
    deals = []
    for i in range(engagements):
        person = people[i % len(people)]
        state = states[i % len(states)]
        start = today - datetime.timedelta(days=rng.randint(0, 400))
        trial = i % 5 == 0
        deals.append(
            Engagement(
                workspace=workspace,
                freelancer_id=person.pk,
                task=work[i % len(work)],
                manager=members[i % len(members)],
                kind=Engagement.Kind.TRIAL if trial else Engagement.Kind.FULL,
                state=state,
                rate=Decimal(rng.randint(10, 80)),
                currency="GBP",
                budget_cap=Decimal(20) if trial else None,
                start_date=start,
                end_date=start + datetime.timedelta(days=13) if trial else None,
                trial_rating=rng.randint(1, 5) if trial and state == Engagement.State.COMPLETED else None,
                activated_at=now if state != Engagement.State.DRAFT else None,
            )
        )
    insert_in_batches(Engagement, deals, progress, "engagements")
    result = Generated(workspace)
    result.counts = {
        "freelancers": freelancers,
        "skill levels": len(levels),
        "tasks": tasks,
        "engagements": engagements,
    }
    result.counts |= generate_costs.for_workspace(
        workspace, count=cost_entries, today=today, seed=seed, progress=progress
    )
    return result
