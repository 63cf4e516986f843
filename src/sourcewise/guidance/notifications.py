"""Email notifications: a registry of sources and an idempotent sender.

A *source* is a function `(workspace, today) -> Iterable[Message]` registered under a kind:

    @notification_source("milestone_due")
    def milestones_due(workspace, today): yield Message(recipient=..., key=f"milestone:{m.pk}", ...)

`send_pending()` (the `sourcewise notify` command) asks every source, and for each message
not yet in the `Notification` log: commits a claim row, *then* sends the email, then marks
the row sent. So an email is never sent twice — a rerun skips every claimed row — and never
sent for a claim that was rolled back. A send that fails with an error releases its claim
(the next run tries again); a run killed between the send and the mark leaves an
"unconfirmed" row that is reported and only resent with `--retry-unconfirmed`.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from sourcewise.audit.services import record
from sourcewise.core.dates import server_today
from sourcewise.core.links import site_url
from sourcewise.findings.codes import Severity
from sourcewise.findings.engine import evaluate
from sourcewise.guidance.models import SOP, Notification, SOPAcknowledgement
from sourcewise.guidance.selectors import document_statuses, freelancers_for_sops, unacknowledged_sops
from sourcewise.talent.models import Freelancer
from sourcewise.workspaces.models import Membership, Workspace

if TYPE_CHECKING:
    from sourcewise.accounts.models import User

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Message:
    recipient: Any  # a User
    key: str  # what it is about, unique per kind and recipient (e.g. "sopversion:12")
    subject: str
    body: str
    html: str = ""  # an HTML alternative of `body` (optional; `body` is always sent)


NotificationSource = Callable[[Workspace, datetime.date], Iterable[Message]]
_SOURCES: dict[str, NotificationSource] = {}


def notification_source(kind: str) -> Callable[[NotificationSource], NotificationSource]:
    def register(function: NotificationSource) -> NotificationSource:
        _SOURCES[kind] = function
        return function

    return register


def notification_sources() -> dict[str, NotificationSource]:
    return dict(_SOURCES)


def link(name: str, *args: Any) -> str:
    return f"{site_url()}{reverse(name, args=args)}"


@notification_source("sop_to_acknowledge")
def sops_to_acknowledge(workspace: Workspace, today: datetime.date) -> Iterator[Message]:
    """Each freelancer with a portal login, for each current SOP version that applies to them
    and that they have not acknowledged."""
    sops = SOP.objects.filter(workspace=workspace, current_version__isnull=False).select_related("current_version")
    for sop in sops.order_by("id"):
        version = sop.current_version
        assert version is not None
        acknowledged = SOPAcknowledgement.objects.filter(version=version).values("freelancer_id")
        people = (
            freelancers_for_sops(SOP.objects.filter(pk=sop.pk))
            .filter(workspace=workspace, user__isnull=False, user__is_active=True)
            .exclude(pk__in=acknowledged)
            .select_related("user")
            .order_by("id")
        )
        for person in people:
            yield _acknowledge_message(workspace, sop, person)


def _acknowledge_message(workspace: Workspace, sop: SOP, person: Any, *, key_suffix: str = "") -> Message:
    version = sop.current_version
    assert version is not None
    again = " (a new version)" if version.number > 1 else ""
    return Message(
        recipient=person.user,
        key=f"sopversion:{version.pk}{key_suffix}",
        subject=f"Please read and acknowledge: {sop.title}{again}",
        body=(
            f"Hello {person.name},\n\n{workspace.name} asks you to read “{sop.title}” "
            f"(version {version.number}) and confirm you have read it.\n\n"
            f"What changed: {version.change_note}\n\nRead it here: {link('portal:sop_read', sop.pk)}\n"
        ),
    )


REMINDER = "sop_reminder"


def remind_to_acknowledge(*, engagement: Any, actor: User | None, today: datetime.date) -> int:
    """Email the engagement's freelancer again about each SOP of its task they have not
    acknowledged (the fix of SOP_NOT_ACKNOWLEDGED). At most one reminder per SOP version
    a day: the notification log's key carries the date, so a double click sends one.

    Returns how many emails were sent; 0 when the freelancer has no portal login (nothing
    to read the SOP in) or every reminder went out today already.
    """

    person = engagement.freelancer
    user = person.user
    if user is None or not user.is_active or not user.email:
        return 0
    report = NotifyReport()
    sops = unacknowledged_sops(person, engagement.task).select_related("current_version").order_by("title", "pk")
    for sop in sops:
        message = _acknowledge_message(engagement.workspace, sop, person, key_suffix=f":{today.isoformat()}")
        claim = _claim(engagement.workspace, REMINDER, message)
        if claim is not None:
            _deliver(claim, message, report)
    if report.sent:
        record(
            actor=actor,
            workspace=engagement.workspace,
            action="sop.acknowledgement_requested",
            target=engagement,
            changes={"sops": [n.subject for n in report.sent]},
        )
    return len(report.sent)


DOCUMENT_REQUEST = "document_request"


def request_documents(*, freelancer: Any, actor: User | None, today: datetime.date) -> int:
    """Email a freelancer the list of their missing or expired required documents (the fix of
    DOCUMENT_MISSING). One email a day at most (the log's key carries the date).

    Returns 1 when an email went out; 0 without a portal login, with nothing missing, or
    when they were asked today already.
    """

    user = freelancer.user
    if user is None or not user.is_active or not user.email:
        return 0
    workspace = freelancer.workspace
    statuses = document_statuses(Freelancer.objects.filter(pk=freelancer.pk), workspace, today).get(freelancer.pk, [])
    wanted = [s for s in statuses if s.state in ("missing", "expired")]
    if not wanted:
        return 0
    listed = "\n".join(f"- {s.document_type.name} ({s.state})" for s in wanted)
    message = Message(
        recipient=user,
        key=f"documents:{freelancer.pk}:{today.isoformat()}",
        subject=f"{workspace.name} needs a document from you",
        body=(
            f"Hello {freelancer.name},\n\n{workspace.name} needs these documents from you:\n{listed}\n\n"
            f"Upload them here: {link('portal:documents')}\n"
        ),
    )
    report = NotifyReport()
    claim = _claim(workspace, DOCUMENT_REQUEST, message)
    if claim is not None:
        _deliver(claim, message, report)
    if report.sent:
        record(
            actor=actor,
            workspace=workspace,
            action="document.requested",
            target=freelancer,
            changes={"documents": [s.document_type.name for s in wanted]},
        )
    return len(report.sent)


@notification_source("critical_finding")
def critical_findings(workspace: Workspace, today: datetime.date) -> Iterator[Message]:
    """Each owner, once per critical finding (keyed by code and subject)."""

    criticals = [f for f in evaluate(workspace, today=today).findings if f.severity == Severity.CRITICAL]
    if not criticals:
        return
    owners = list(
        Membership.objects.filter(workspace=workspace, role="owner", user__is_active=True)
        .select_related("user")
        .order_by("id")
    )
    for finding in criticals:
        for owner in owners:
            yield Message(
                recipient=owner.user,
                key=f"{finding.code}:{finding.subject_type}:{finding.subject_id}",
                subject=f"Critical: {finding.title} — {finding.subject_label or workspace.name}",
                body=(
                    f"Hello {owner.user.display_name},\n\nSourcewise found a critical problem in {workspace.name}:\n\n"
                    f"{finding.message}\n\nFix: {finding.fix}\n\nDashboard: {link('findings:dashboard')}\n"
                ),
            )


@dataclass
class NotifyReport:
    sent: list[Notification] = field(default_factory=list)
    skipped: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)  # (recipient, error)
    unconfirmed: list[Notification] = field(default_factory=list)


def _claim(workspace: Workspace, kind: str, message: Message) -> Notification | None:
    try:
        with transaction.atomic():
            return Notification.objects.create(
                workspace=workspace,
                recipient=message.recipient,
                kind=kind,
                key=message.key[:200],
                subject=message.subject[:200],
            )
    except IntegrityError:  # claimed meanwhile by another run
        return None


def _send(message: Message) -> None:
    send_mail(
        message.subject,
        message.body,
        None,
        [message.recipient.email],
        fail_silently=False,
        html_message=message.html or None,
    )


def _mark_sent(notification: Notification) -> None:
    notification.sent_at = timezone.now()
    Notification.objects.filter(pk=notification.pk).update(sent_at=notification.sent_at)


def _deliver(notification: Notification, message: Message, report: NotifyReport) -> None:
    try:
        _send(message)
    except Exception as exc:  # the mail server refused: release the claim so the next run retries
        logger.warning("notify: sending %s to %s failed: %s", notification.kind, message.recipient.email, exc)
        Notification.objects.filter(pk=notification.pk, sent_at__isnull=True).delete()
        report.failed.append((message.recipient.email, str(exc)))
        return
    _mark_sent(notification)
    report.sent.append(notification)


def send_pending(
    *,
    workspaces: Iterable[Workspace] | None = None,
    kinds: Iterable[str] | None = None,
    today: datetime.date | None = None,
    retry_unconfirmed: bool = False,
) -> NotifyReport:
    """Send every notification not sent before. Safe to run again at any time."""
    report = NotifyReport()
    sources = notification_sources()
    wanted = set(kinds) if kinds is not None else set(sources)
    for workspace in workspaces if workspaces is not None else Workspace.objects.order_by("id"):
        day = today or server_today()
        for kind, source in sources.items():
            if kind not in wanted:
                continue
            for message in source(workspace, day):
                if not getattr(message.recipient, "email", ""):
                    continue
                existing = Notification.objects.filter(kind=kind, recipient=message.recipient, key=message.key[:200])
                previous = existing.first()
                if previous is not None:
                    if previous.sent_at is None and retry_unconfirmed:
                        _deliver(previous, message, report)
                    elif previous.sent_at is None:
                        report.unconfirmed.append(previous)
                    else:
                        report.skipped += 1
                    continue
                claim = _claim(workspace, kind, message)
                if claim is None:
                    report.skipped += 1
                    continue
                _deliver(claim, message, report)
    return report
