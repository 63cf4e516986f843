"""Findings kept in the database, so pages and the API read them instead of recomputing.

The rules (each app's `rules.py`) stay the truth: `findings.refresh` runs them and writes
what they say here. A row is one finding of one subject (its `fingerprint`); it is never
deleted while the subject exists — when the rule stops firing, `resolved_at` is set, and
when it fires again the row reopens. That is what gives a finding its age, "resolved this
week" and the history.
"""

from __future__ import annotations

import datetime

from django.db import models
from django.db.models import Q

from sourcewise.findings.codes import CODES, SEVERITY_ORDER, Severity


class FindingRecordQuerySet(models.QuerySet["FindingRecord"]):
    def unresolved(self) -> FindingRecordQuerySet:
        return self.filter(resolved_at__isnull=True)

    def counting(self, today: datetime.date) -> FindingRecordQuerySet:
        """Open findings that count in the score today: not accepted, not coming up."""
        return self.unresolved().exclude(Q(starts_on__gt=today)).exclude(accepted_until__gt=today)

    def accepted(self, today: datetime.date) -> FindingRecordQuerySet:
        return self.unresolved().filter(accepted_until__gt=today).exclude(starts_on__gt=today)

    def coming_up(self, today: datetime.date) -> FindingRecordQuerySet:
        return self.unresolved().filter(starts_on__gt=today)

    def fix_first_order(self) -> FindingRecordQuerySet:
        """Most points gained first; ties: critical first, then the oldest.

        The points follow from the severity (critical 15, warning 5, info 1), so ordering
        by severity rank is ordering by points — and it walks the `finding_open_rank`
        index in one direction, without sorting a large workspace's findings."""
        return self.order_by("severity_rank", "first_seen", "pk")


class FindingRecord(models.Model):
    """One finding of one subject, open or resolved (see the module docstring)."""

    workspace = models.ForeignKey("workspaces.Workspace", on_delete=models.CASCADE, related_name="finding_records")
    fingerprint = models.CharField(max_length=200, help_text="code:subject_type:subject_id[:key], unique per workspace")
    code = models.CharField(max_length=40)
    guardrail = models.CharField(max_length=8)
    severity = models.CharField(max_length=10, choices=[(str(s), str(s).title()) for s in Severity])
    severity_rank = models.PositiveSmallIntegerField(help_text="0 critical, 1 warning, 2 info (for ordering)")
    penalty = models.PositiveSmallIntegerField(help_text="Points this finding takes off the score")
    subject_type = models.CharField(max_length=20)
    subject_id = models.BigIntegerField(null=True, blank=True)
    subject_label = models.CharField(max_length=300, blank=True)
    message = models.TextField()
    fix = models.TextField()
    starts_on = models.DateField(
        null=True, blank=True, help_text="Set when the finding is coming up: it counts from this date"
    )
    first_seen = models.DateTimeField(help_text="Start of the current open spell")
    last_seen = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)
    accepted_reason = models.TextField(blank=True)
    accepted_until = models.DateField(null=True, blank=True, help_text="Review date: the finding counts again from it")
    accepted_by = models.ForeignKey(
        "workspaces.Membership", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    accepted_at = models.DateTimeField(null=True, blank=True)

    objects = FindingRecordQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "fingerprint"], name="finding_unique_fingerprint"),
        ]
        indexes = [
            # The dashboard's fix-first list and the paginated list (filters: severity, guardrail, age).
            # Only the open ones, in the fix-first order to the id: PostgreSQL reads the first page
            # straight from it. With `resolved_at` as a column instead, "resolved_at IS NULL" does
            # not count as fixing that column for the order, and it sorted every open finding of
            # the workspace (190 ms, not 0.1, at 275,000).
            models.Index(
                fields=["workspace", "severity_rank", "first_seen", "id"],
                name="finding_open_rank",
                condition=models.Q(resolved_at__isnull=True),
            ),
            # Open findings of some codes (a filter; the costs page's count per engagement): 1,300
            # rows read through it, not the 225,000 open findings on engagements.
            models.Index(
                fields=["workspace", "code", "subject_type"],
                name="finding_open_code",
                condition=models.Q(resolved_at__isnull=True),
            ),
            models.Index(fields=["workspace", "resolved_at", "guardrail"], name="finding_open_guardrail"),
            # A subject page's unresolved findings, and the refresh's "what is stored for these
            # subjects". resolved_at is in it so that SQLite, which keeps no statistics, prefers it
            # to finding_open_rank (which would walk every open finding of the workspace).
            models.Index(
                fields=["workspace", "subject_type", "subject_id", "resolved_at"], name="finding_subject_open"
            ),
            models.Index(fields=["workspace", "resolved_at", "first_seen"], name="finding_age"),
            # The few accepted and coming-up findings, subtracted from the tallies below.
            models.Index(fields=["workspace", "accepted_until"], name="finding_accepted"),
            models.Index(fields=["workspace", "starts_on"], name="finding_starts"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.subject_type}#{self.subject_id}"

    @property
    def title(self) -> str:
        return CODES[self.code].title

    def is_accepted(self, today: datetime.date) -> bool:
        return self.accepted_until is not None and self.accepted_until > today

    def is_coming_up(self, today: datetime.date) -> bool:
        return self.starts_on is not None and self.starts_on > today


def severity_rank(severity: str) -> int:
    return SEVERITY_ORDER[Severity(severity)]


class FindingTally(models.Model):
    """How many unresolved findings a workspace has, per code and severity.

    Kept by every refresh from the difference it writes (rebuilt by a full refresh), so
    the score and the counts of a workspace with 250,000 findings are read from a few
    dozen rows instead of counted on every page view. Accepted and coming-up findings are
    in the tally; the reads subtract them (they are few and indexed)."""

    workspace = models.ForeignKey("workspaces.Workspace", on_delete=models.CASCADE, related_name="+")
    code = models.CharField(max_length=40)
    severity = models.CharField(max_length=10)
    count = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workspace", "code", "severity"], name="finding_tally_unique")]

    def __str__(self) -> str:
        return f"{self.code} {self.severity}: {self.count}"


class FindingsState(models.Model):
    """Per workspace: when the stored findings were last fully recomputed."""

    workspace = models.OneToOneField("workspaces.Workspace", on_delete=models.CASCADE, related_name="findings_state")
    evaluated_on = models.DateField(null=True, blank=True, help_text="The workspace's date of the last full run")
    refreshed_at = models.DateTimeField(null=True, blank=True)
    wide_queued_at = models.DateTimeField(
        null=True, blank=True, help_text="A workspace-wide refresh is queued (cleared when it starts)"
    )
    wide_started_at = models.DateTimeField(
        null=True, blank=True, help_text="The latest workspace-wide refresh started computing then"
    )
    wide_seconds = models.FloatField(null=True, blank=True, help_text="How long the last workspace-wide run took")
    # A full run of a large workspace computes outside any lock (a minute at 100,000 rows) while
    # pages keep applying writes: these fields let the two meet without losing a write.
    full_seconds = models.FloatField(null=True, blank=True, help_text="How long the last full run took")
    full_queued_at = models.DateTimeField(
        null=True, blank=True, help_text="A full run is queued in the background (cleared when it starts)"
    )
    full_started_at = models.DateTimeField(
        null=True, blank=True, help_text="A full run is computing since then (cleared when it is stored)"
    )
    full_upto = models.BigIntegerField(default=0, help_text="The last marker the computing full run answers")
    applied_upto = models.BigIntegerField(
        default=0, help_text="Markers up to here are applied already (kept only while a full run computes)"
    )

    def __str__(self) -> str:
        return f"findings of workspace #{self.workspace_id} on {self.evaluated_on}"


class PendingRefresh(models.Model):
    """A subject a write touched, whose findings are refreshed before the next read.

    Written in the same transaction as the change, so a crash never leaves stored findings
    that disagree with the data without a marker saying so. `subject_type` "workspace"
    means: recompute everything.
    """

    # A plain id, not a foreign key: a marker written while its workspace is being deleted
    # must not block the delete (an orphan marker is dropped when read).
    workspace_id = models.BigIntegerField()
    subject_type = models.CharField(max_length=20)
    subject_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["workspace_id", "id"], name="pending_refresh_ws")]

    def __str__(self) -> str:
        return f"refresh {self.subject_type}#{self.subject_id} of workspace #{self.workspace_id}"


class HealthSnapshot(models.Model):
    """The score and counts of one workspace on one day (the trend chart and the weekly email)."""

    workspace = models.ForeignKey("workspaces.Workspace", on_delete=models.CASCADE, related_name="health_snapshots")
    day = models.DateField()
    score = models.PositiveSmallIntegerField(null=True, blank=True)
    critical = models.PositiveIntegerField(default=0)
    warning = models.PositiveIntegerField(default=0)
    info = models.PositiveIntegerField(default=0)
    accepted = models.PositiveIntegerField(default=0)
    by_guardrail = models.JSONField(default=dict, help_text="{guardrail: open findings}")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workspace", "day"], name="health_snapshot_unique_day")]
        ordering = ["day"]

    def __str__(self) -> str:
        return f"health of workspace #{self.workspace_id} on {self.day}: {self.score}"
