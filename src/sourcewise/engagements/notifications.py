"""Engagement emails (found by guidance's `autodiscover_modules("notifications")`).

* `milestone_due` — an open (or sent back) milestone of an active engagement due within the
  next `MILESTONE_NOTICE_DAYS` days: to the freelancer (with a portal login) and the manager.
  Keyed by milestone and due date, so each is sent once — again only if the date moves.
* `checkpoint_overdue` — an active engagement whose checkpoint review is overdue: to its
  manager (to the owners while it has none). Keyed by engagement and due date: once per
  overdue review; a new review sets a new due date.

`sourcewise notify` never sends the same (kind, recipient, key) twice.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator

from sourcewise.engagements.models import Engagement, Milestone
from sourcewise.engagements.selectors import checkpoint_cadence_days, checkpoint_due_on, last_review_dates
from sourcewise.guidance.notifications import Message, link, notification_source
from sourcewise.workspaces.models import Membership, Workspace

MILESTONE_NOTICE_DAYS = 3


@notification_source("milestone_due")
def milestones_due(workspace: Workspace, today: datetime.date) -> Iterator[Message]:
    """Open milestones due between today and today + 3 days (both included), one query."""
    milestones = (
        Milestone.objects.filter(
            workspace=workspace,
            engagement__state=Engagement.State.ACTIVE,
            status__in=(Milestone.Status.OPEN, Milestone.Status.RETURNED),
            due_date__gte=today,
            due_date__lte=today + datetime.timedelta(days=MILESTONE_NOTICE_DAYS),
        )
        .select_related("engagement__freelancer__user", "engagement__task", "engagement__manager__user")
        .order_by("due_date", "id")
    )
    for milestone in milestones:
        e = milestone.engagement
        days = (milestone.due_date - today).days
        when = "today" if days == 0 else "tomorrow" if days == 1 else f"in {days} days"
        subject = f"Due {when}: {milestone.title} ({e.task})"
        recipients = []
        freelancer_user = e.freelancer.user
        if freelancer_user is not None and freelancer_user.is_active:
            recipients.append((freelancer_user, e.freelancer.name))
        if e.manager is not None and e.manager.user.is_active:
            recipients.append((e.manager.user, e.manager.user.display_name))
        for user, name in recipients:
            yield Message(
                recipient=user,
                key=f"milestone:{milestone.pk}:{milestone.due_date.isoformat()}",
                subject=subject,
                body=(
                    f"Hello {name},\n\nThe milestone “{milestone.title}” of {e.freelancer} on {e.task} is due "
                    f"{when} ({milestone.due_date:%d %b %Y}).\n\nAcceptance criteria: {milestone.acceptance_criteria}"
                    f"\n\nOpen it here: {link('engagements:engagement_detail', e.pk)}\n"
                ),
            )


@notification_source("checkpoint_overdue")
def checkpoints_overdue(workspace: Workspace, today: datetime.date) -> Iterator[Message]:
    """Active engagements whose review is overdue (today after last review or start + cadence)."""
    active = list(
        Engagement.objects.filter(workspace=workspace, state=Engagement.State.ACTIVE)
        .select_related("workspace", "task", "freelancer", "manager__user")
        .order_by("id")
    )
    last = last_review_dates(active)
    overdue = [(e, checkpoint_due_on(e, last.get(e.pk))) for e in active]
    overdue = [(e, due) for e, due in overdue if today > due]
    if not overdue:
        return
    owners = [
        m.user
        for m in Membership.objects.filter(workspace=workspace, role="owner", user__is_active=True)
        .select_related("user")
        .order_by("id")
    ]
    for e, due in overdue:
        managed = e.manager is not None and e.manager.user.is_active
        for user in [e.manager.user] if managed and e.manager is not None else owners:
            yield Message(
                recipient=user,
                key=f"checkpoint:{e.pk}:{due.isoformat()}",
                subject=f"Checkpoint overdue: {e.freelancer} on {e.task}",
                body=(
                    f"Hello {user.display_name},\n\nThe checkpoint review of {e.freelancer} on {e.task} was due on "
                    f"{due:%d %b %Y} (every {checkpoint_cadence_days(e)} days).\n\n"
                    "Rate quality, timeliness and communication and write a note: "
                    f"{link('engagements:engagement_detail', e.pk)}\n"
                ),
            )
