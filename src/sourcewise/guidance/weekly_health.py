"""The weekly health email to owners (a notification source, registered when guidance loads).

Guidance sends the emails and sits above findings, so the email that reads the stored
findings lives here and reads them directly.

* `weekly_health` — to each owner, once per ISO week (the first `sourcewise notify` run of
  the week sends it; later runs find it in the `Notification` log, keyed by workspace and
  week): the score now against a week ago, the criticals that appeared in the last 7 days,
  and what was resolved. Plain text, with a simple HTML alternative. Only for a workspace
  with a snapshot at least a week old (nothing to compare before that), and with a score or
  something that moved.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass

from django.utils.html import escape

from sourcewise.findings.history import WeekChanges, week_changes
from sourcewise.findings.models import FindingRecord, HealthSnapshot
from sourcewise.findings.refresh import ensure_fresh
from sourcewise.guidance.models import Notification
from sourcewise.guidance.notifications import Message, link, notification_source
from sourcewise.workspaces.models import Membership, Workspace

KIND = "weekly_health"
LISTED = 10  # criticals and resolved findings named in the email; the rest are counted


def week_key(workspace: Workspace, today: datetime.date) -> str:
    year, week, _ = today.isocalendar()
    return f"health:{workspace.pk}:{year}-W{week:02d}"


@dataclass(frozen=True)
class WeeklyDigest:
    workspace: Workspace
    today: datetime.date
    score_now: HealthSnapshot | None
    score_before: HealthSnapshot | None  # the last snapshot at least 7 days old
    changes: WeekChanges
    new_criticals: list[FindingRecord]
    resolved: list[FindingRecord]

    @property
    def score_line(self) -> str:
        now, before = self.score_now, self.score_before
        if now is None or now.score is None:
            return "Score: not scored yet (no outsourced work)."
        if before is None or before.score is None:
            return f"Score: {now.score} (nothing recorded a week ago to compare with)."
        change = now.score - before.score
        moved = "unchanged" if change == 0 else f"{change:+d}"
        return f"Score: {before.score} → {now.score} ({moved}) since {before.day:%a %d %b}."

    @property
    def worth_sending(self) -> bool:
        scored = self.score_now is not None and self.score_now.score is not None
        return scored or bool(self.changes.new or self.changes.resolved)


def weekly_digest(workspace: Workspace, today: datetime.date) -> WeeklyDigest:
    """The week up to `today` from the stored findings and snapshots (a few queries)."""
    changes = week_changes(workspace, today=today)
    snapshots = HealthSnapshot.objects.filter(workspace=workspace)
    now = snapshots.filter(day__lte=today).order_by("-day").first()
    before = snapshots.filter(day__lte=today - datetime.timedelta(days=7)).order_by("-day").first()
    records = FindingRecord.objects.filter(workspace=workspace)
    criticals = list(
        records.filter(first_seen__gte=changes.since, severity="critical").order_by("first_seen", "pk")[:LISTED]
    )
    resolved = list(records.filter(resolved_at__gte=changes.since).order_by("severity_rank", "-resolved_at")[:LISTED])
    return WeeklyDigest(workspace, today, now, before, changes, criticals, resolved)


def _label(record: FindingRecord) -> str:
    return f"{record.title} — {record.subject_label}" if record.subject_label else record.title


def render_text(digest: WeeklyDigest, name: str) -> str:
    c = digest.changes
    lines = [f"Hello {name},", "", f"Your week in {digest.workspace.name}:", "", digest.score_line, ""]
    lines.append(f"New criticals this week: {c.new_critical}")
    for r in digest.new_criticals:
        lines.append(f"  - {_label(r)}{' (already resolved)' if r.resolved_at else ''}")
    if c.new_critical > len(digest.new_criticals):
        lines.append(f"  … and {c.new_critical - len(digest.new_criticals)} more")
    lines += ["", f"Resolved this week: {c.resolved}"]
    for r in digest.resolved:
        lines.append(f"  - {_label(r)}")
    if c.resolved > len(digest.resolved):
        lines.append(f"  … and {c.resolved - len(digest.resolved)} more")
    lines += [
        "",
        f"New findings this week (all severities): {c.new}",
        "",
        f"Dashboard: {link('findings:dashboard')}",
        "",
    ]
    return "\n".join(lines)


def render_html(digest: WeeklyDigest, name: str) -> str:
    c = digest.changes

    def items(records: list[FindingRecord], total: int, note_resolved: bool = False) -> str:
        if not records:
            return ""
        rows = "".join(
            f"<li>{escape(_label(r))}{' <em>(already resolved)</em>' if note_resolved and r.resolved_at else ''}</li>"
            for r in records
        )
        more = f"<li>… and {total - len(records)} more</li>" if total > len(records) else ""
        return f"<ul>{rows}{more}</ul>"

    return (
        f"<p>Hello {escape(name)},</p><p>Your week in <strong>{escape(digest.workspace.name)}</strong>:</p>"
        f"<p><strong>{escape(digest.score_line)}</strong></p>"
        f"<h3>New criticals this week: {c.new_critical}</h3>{items(digest.new_criticals, c.new_critical, True)}"
        f"<h3>Resolved this week: {c.resolved}</h3>{items(digest.resolved, c.resolved)}"
        f"<p>New findings this week (all severities): {c.new}</p>"
        f'<p><a href="{escape(link("findings:dashboard"))}">Open the dashboard</a></p>'
    )


@notification_source(KIND)
def weekly_health(workspace: Workspace, today: datetime.date) -> Iterator[Message]:
    """Each owner, once per ISO week: score change, new criticals, what was resolved."""
    owners = list(
        Membership.objects.filter(workspace=workspace, role="owner", user__is_active=True)
        .select_related("user")
        .order_by("id")
    )
    if not owners:
        return
    key = week_key(workspace, today)
    sent = set(
        Notification.objects.filter(
            kind=KIND, key=key, recipient__in=[o.user for o in owners], sent_at__isnull=False
        ).values_list("recipient_id", flat=True)
    )
    if all(o.user_id in sent for o in owners):
        # Sent to everyone this week: no refresh, no counting. The messages are still named so
        # `notify` reports them as already sent; each has its sent row, so none goes out again.
        for owner in owners:
            yield Message(recipient=owner.user, key=key, subject="(sent earlier this week)", body="")
        return
    week_ago = today - datetime.timedelta(days=7)
    if not HealthSnapshot.objects.filter(workspace=workspace, day__lte=week_ago).exists():
        return  # no week behind it yet (a new workspace): the first digest comes a week after the first use
    ensure_fresh(workspace, today=today)  # today's snapshot and the stored findings, current
    digest = weekly_digest(workspace, today)
    if not digest.worth_sending:
        return
    score = digest.score_now.score if digest.score_now is not None else None
    before = digest.score_before.score if digest.score_before is not None else None
    change = ""
    if score is not None and before is not None:
        change = f" ({score - before:+d})" if score != before else " (unchanged)"
    subject = (
        f"{workspace.name}: your week — score {score}{change}" if score is not None else f"{workspace.name}: your week"
    )
    for owner in owners:
        name = owner.user.display_name
        yield Message(
            recipient=owner.user,
            key=key,
            subject=subject,
            body=render_text(digest, name),
            html=render_html(digest, name),
        )
