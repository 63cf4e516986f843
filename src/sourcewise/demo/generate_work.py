"""The work inside generated engagements, for the speed budgets of the work pages (SPEC §6 P6).

`generate()` makes freelancers, tasks and engagements; the engagement pages also read what
happens inside an engagement. For `work` started engagements (active, completed or ended
early, spread evenly over the workspace and so over its managers) this writes what a
manager would see after some weeks:

- two milestones each (accepted when the engagement is over; on an active one the first is
  handed in or accepted, the second open; an engagement ended early has one sent back),
- one to three checkpoint reviews each, two weeks apart, by the engagement's manager,
- two to five time entries each: approved, a few sent back, and on an active engagement the
  latest one or two waiting for approval (the "Hours to approve" queue),
- an offboarding for one freelancer in fifty of those, with a handover of their engagement:
  done with a replacement when the engagement has ended, open while it is active.

Modest and believable volumes (at the standard 20,000: about 40,000 milestones, 40,000
reviews, 70,000 time entries of which about 8,000 wait, 400 offboardings), bulk inserts,
deterministic for a seed. A trial's hours stay under its cap.
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from sourcewise.core.dates import server_today
from sourcewise.demo.generate_batches import Progress, insert_in_batches
from sourcewise.engagements.models import CheckpointReview, Engagement, Handover, Milestone, Offboarding, TimeEntry
from sourcewise.workspaces.models import Membership, Workspace

OFFBOARD_ONE_IN = 50
MILESTONES = ("First delivery", "Handover of the month")
NOTES = ("Drafts and revisions", "Client calls", "Weekly report", "Fixes after review", "Research")


@transaction.atomic
def generate_work(
    workspace: Workspace, *, engagements: int, seed: int = 2026, progress: Progress | None = None
) -> dict[str, int]:
    """Write the work of `engagements` started engagements of `workspace`; returns the counts."""
    if engagements <= 0:
        return {}
    rng = random.Random(seed * 31 + 7)
    today = server_today()
    now = timezone.now()
    started = list(
        Engagement.objects.filter(workspace=workspace)
        .exclude(state__in=[Engagement.State.DRAFT, Engagement.State.CANCELLED])
        .order_by("pk")
        .values_list("pk", "state", "kind", "start_date", "manager_id", "freelancer_id")
    )
    if not started:
        return {}
    # A random sample, in id order: an even step would alias with the generator's cycles of state
    # and manager (every third started engagement has the same state).
    chosen = sorted(rng.sample(started, min(engagements, len(started))))
    users = dict(Membership.objects.filter(workspace=workspace).values_list("pk", "user_id"))
    others = sorted({row[5] for row in started})
    next_of = {f: others[(i + 1) % len(others)] for i, f in enumerate(others)}  # a replacement

    milestones: list[Milestone] = []
    reviews: list[CheckpointReview] = []
    entries: list[TimeEntry] = []
    offboardings: list[Offboarding] = []
    handover_of: list[tuple[int, int, str]] = []  # (freelancer, engagement, state)
    leaving: set[int] = set()
    for index, (pk, state, kind, start, manager_id, freelancer_id) in enumerate(chosen):
        reviewer = users.get(manager_id)
        active = state == Engagement.State.ACTIVE
        ended = not active
        trial = kind == Engagement.Kind.TRIAL
        # Milestones: two, a fortnight apart from the start.
        for n, title in enumerate(MILESTONES):
            due = start + datetime.timedelta(days=14 * (n + 1))
            stage = Milestone.Status.OPEN
            note = ""
            if state == Engagement.State.COMPLETED or (active and n == 0 and due <= today):
                stage = Milestone.Status.ACCEPTED if (ended or rng.random() < 0.6) else Milestone.Status.SUBMITTED
            elif state == Engagement.State.TERMINATED and n == 0:
                stage, note = Milestone.Status.RETURNED, "Not what was agreed: see the acceptance criteria."
            handed_in = stage != Milestone.Status.OPEN
            reviewed = stage in (Milestone.Status.ACCEPTED, Milestone.Status.RETURNED)
            milestones.append(
                Milestone(
                    workspace=workspace,
                    engagement_id=pk,
                    title=title,
                    acceptance_criteria="Delivered on the agreed template, reviewed by the manager.",
                    due_date=due,
                    status=stage,
                    deliverable_text="Done, see the link." if handed_in else "",
                    deliverable_link=f"https://files.example.com/d/{pk}-{n}" if handed_in else "",
                    submitted_at=now if handed_in else None,
                    reviewed_at=now if reviewed else None,
                    reviewed_by_id=reviewer if reviewed else None,
                    return_note=note,
                )
            )
        # Checkpoint reviews: every 14 days from the start, up to three, none in the future.
        for n in range(rng.randint(1, 3)):
            day = start + datetime.timedelta(days=14 * (n + 1))
            if day > today:
                break
            reviews.append(
                CheckpointReview(
                    workspace=workspace,
                    engagement_id=pk,
                    reviewer_id=reviewer,
                    date=day,
                    quality=rng.randint(2, 5),
                    timeliness=rng.randint(2, 5),
                    communication=rng.randint(2, 5),
                    notes="On track." if n else "",
                )
            )
        # Time: a few days of hours; a trial stays within its 20-hour cap (at most 5 × 3 h).
        days = rng.randint(2, 5)
        span = max((today - start).days, 0)
        for n in range(days):
            day = start + datetime.timedelta(days=span * (n + 1) // (days + 1))
            waiting = active and n >= days - rng.randint(1, 2)
            returned = not waiting and rng.random() < 0.05
            status = (
                TimeEntry.Status.SUBMITTED
                if waiting
                else TimeEntry.Status.RETURNED
                if returned
                else TimeEntry.Status.APPROVED
            )
            entries.append(
                TimeEntry(
                    workspace=workspace,
                    engagement_id=pk,
                    date=day,
                    hours=Decimal(rng.randint(2, 12)) / 4 if trial else Decimal(rng.randint(4, 32)) / 4,
                    note=rng.choice(NOTES),
                    status=status,
                    reviewed_by_id=None if waiting else reviewer,
                    reviewed_at=None if waiting else now,
                    return_note="Please split these by deliverable." if returned else "",
                )
            )
        if index % OFFBOARD_ONE_IN == OFFBOARD_ONE_IN - 1 and freelancer_id not in leaving:
            leaving.add(freelancer_id)  # one offboarding a freelancer
            handover_of.append((freelancer_id, pk, state))

    insert_in_batches(Milestone, milestones, progress, "milestones")
    insert_in_batches(CheckpointReview, reviews, progress, "checkpoint reviews")
    insert_in_batches(TimeEntry, entries, progress, "time entries")

    owner_user = next(iter(users.values()))  # the first member made is the owner
    for freelancer_id, _pk, state in handover_of:
        # A handover is done with a replacement once the engagement has ended; open while it runs.
        done = state != Engagement.State.ACTIVE and next_of[freelancer_id] != freelancer_id
        offboardings.append(
            Offboarding(
                workspace=workspace,
                freelancer_id=freelancer_id,
                reason="Moving on to a full-time role.",
                leaving_on=today + datetime.timedelta(days=rng.randint(-60, 30)),
                status=Offboarding.Status.DONE if done else Offboarding.Status.IN_PROGRESS,
                started_by_id=owner_user,
            )
        )
    insert_in_batches(Offboarding, offboardings, progress, "offboardings")
    made = dict(
        Offboarding.objects.filter(workspace=workspace, freelancer_id__in=[f for f, _, _ in handover_of]).values_list(
            "freelancer_id", "pk"
        )
    )
    handovers = []
    for freelancer_id, pk, state in handover_of:
        done = state != Engagement.State.ACTIVE and next_of[freelancer_id] != freelancer_id
        handovers.append(
            Handover(
                workspace=workspace,
                offboarding_id=made[freelancer_id],
                engagement_id=pk,
                status=Handover.Status.DONE if done else Handover.Status.OPEN,
                replacement_id=next_of[freelancer_id] if done else None,
                notes="Files and logins handed to the replacement." if done else "",
            )
        )
    insert_in_batches(Handover, handovers, progress, "handovers")
    return {
        "milestones": len(milestones),
        "checkpoint reviews": len(reviews),
        "time entries": len(entries),
        "time entries waiting": sum(1 for e in entries if e.status == TimeEntry.Status.SUBMITTED),
        "offboardings": len(offboardings),
    }
