"""Reads of guidance, documents, pulses and training (which SOPs reach whom: `audiences.py`)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, Subquery

from sourcewise.guidance.audiences import freelancers_reached_by, sops_reaching
from sourcewise.guidance.models import (
    SOP,
    DocumentType,
    FreelancerDocument,
    PulseResponse,
    SOPAcknowledgement,
    SOPVersion,
    TrainingRecord,
)
from sourcewise.talent.models import Freelancer
from sourcewise.tasks.models import Task
from sourcewise.workspaces.models import Membership, Workspace


def sops_applying_to_freelancers(freelancers: QuerySet[Freelancer]) -> QuerySet[SOP]:
    """SOPs that apply to any of `freelancers`, each once."""
    matching = SOP.objects.filter(sops_reaching(freelancers)).values("pk")
    return SOP.objects.filter(pk__in=matching)


def sops_for_freelancer(freelancer: Freelancer) -> QuerySet[SOP]:
    """SOPs that apply to a freelancer (for now: attached to a skill in their profile)."""
    return sops_applying_to_freelancers(Freelancer.objects.filter(pk=freelancer.pk)).filter(
        workspace_id=freelancer.workspace_id
    )


def freelancers_for_sops(sops: QuerySet[SOP]) -> QuerySet[Freelancer]:
    """Freelancers any of `sops` applies to, each once."""
    matching = Freelancer.objects.filter(freelancers_reached_by(sops)).values("pk")
    return Freelancer.objects.filter(pk__in=matching)


def sops_for_task(task: Task) -> QuerySet[SOP]:
    """SOPs attached to the task, or to any skill the task needs."""
    matching = SOP.objects.filter(Q(tasks=task) | Q(skills__task_needs__task=task)).values("pk")
    return SOP.objects.filter(workspace_id=task.workspace_id, pk__in=matching)


def tasks_without_sops(tasks: QuerySet[Task]) -> QuerySet[Task]:
    """Of `tasks`, those with no SOP at all (none on the task, none on a skill it needs): for NO_SOP."""
    on_task = SOP.objects.filter(tasks=OuterRef("pk"))
    on_skill = SOP.objects.filter(skills__task_needs__task=OuterRef("pk"))
    return tasks.exclude(Exists(on_task)).exclude(Exists(on_skill))


def _not_acknowledged_by(sops: QuerySet[SOP], freelancer: Freelancer) -> QuerySet[SOP]:
    acknowledged = SOPAcknowledgement.objects.filter(version_id=OuterRef("current_version_id"), freelancer=freelancer)
    return sops.filter(current_version__isnull=False).exclude(Exists(acknowledged))


def unacknowledged_sops(freelancer: Freelancer, task: Task | None = None) -> QuerySet[SOP]:
    """SOPs whose *current* version the freelancer has not acknowledged.

    With a task: the SOPs of that task (what an engagement must have acknowledged before it
    becomes active). Without: every SOP that applies to the freelancer.
    """
    sops = sops_for_task(task) if task is not None else sops_for_freelancer(freelancer)
    return with_current_version(_not_acknowledged_by(sops, freelancer))


def with_current_version(sops: QuerySet[SOP]) -> QuerySet[SOP]:
    return sops.select_related("current_version", "current_version__author")


def sop_list(sops: QuerySet[SOP]) -> QuerySet[SOP]:
    return with_current_version(sops).prefetch_related("skills", "tasks").order_by("title", "id")


def versions_of(sop: SOP) -> QuerySet[SOPVersion]:
    return sop.versions.select_related("author").order_by("-number")


@dataclass(frozen=True)
class AckRow:
    freelancer: Freelancer
    acknowledged_number: int | None  # the newest version they acknowledged, if any
    acknowledged_at: datetime.datetime | None

    def is_current(self, sop: SOP) -> bool:
        return sop.current_version is not None and self.acknowledged_number == sop.current_version.number


def acknowledgement_status(sop: SOP) -> list[AckRow]:
    """Everyone the SOP applies to (plus anyone who acknowledged it), newest acknowledgement each."""
    audience = freelancers_for_sops(SOP.objects.filter(pk=sop.pk)).filter(workspace_id=sop.workspace_id)
    acks = (
        SOPAcknowledgement.objects.filter(version__sop=sop)
        .select_related("version")
        .order_by("freelancer_id", "-version__number")
    )
    newest: dict[int, SOPAcknowledgement] = {}
    for ack in acks:
        newest.setdefault(ack.freelancer_id, ack)
    people = Freelancer.objects.filter(Q(pk__in=audience.values("pk")) | Q(pk__in=list(newest))).order_by("name")
    rows = []
    for person in people:
        ack = newest.get(person.pk)
        rows.append(AckRow(person, ack.version.number if ack else None, ack.acknowledged_at if ack else None))
    return rows


def acknowledged_current(sop: SOP) -> QuerySet[SOPAcknowledgement]:
    """Who acknowledged the SOP's current version, newest first (index sopack_version_recent)."""
    return (
        SOPAcknowledgement.objects.filter(version_id=sop.current_version_id)
        .select_related("freelancer")
        .order_by("-acknowledged_at", "-id")
    )


def _waiting(sop: SOP, people: QuerySet[Freelancer]) -> QuerySet[Freelancer]:
    readers = SOPAcknowledgement.objects.filter(version__sop=sop).values("freelancer_id")
    # The audiences' id conditions directly on the people read (not wrapped in a query of the
    # audience first): one pass over the workspace's freelancers instead of three.
    audience = freelancers_reached_by(SOP.objects.filter(pk=sop.pk))
    people = people.filter(audience | Q(pk__in=readers))
    if sop.current_version_id is not None:
        current = SOPAcknowledgement.objects.filter(version_id=sop.current_version_id).values("freelancer_id")
        people = people.exclude(pk__in=current)
    return people


def waiting_for(sop: SOP) -> QuerySet[Freelancer]:
    """Everyone the SOP applies to (or who acknowledged an older version) who has not
    acknowledged its current version, by name; each with `acknowledged_number`, the newest
    version they did acknowledge (None: never). The same people as the rows of
    `acknowledgement_status` that are not current, as one query to paginate."""
    newest = (
        SOPAcknowledgement.objects.filter(version__sop=sop, freelancer=OuterRef("pk"))
        .order_by("-version__number")
        .values("version__number")[:1]
    )
    people = _waiting(sop, Freelancer.objects.filter(workspace_id=sop.workspace_id))
    return people.annotate(acknowledged_number=Subquery(newest)).order_by("name", "id")


def waiting_count(sop: SOP) -> int:
    """How many `waiting_for(sop)` lists. Counted from the audiences' id lists, each person found
    checked to be of the workspace: compared as `workspace_id + 0`, which no index serves, SQLite
    stops reading every freelancer of the workspace through that index to test them (half the
    time at 100,000); PostgreSQL plans it the same."""
    return _waiting(sop, Freelancer.objects.in_workspace_unindexed(sop.workspace_id)).count()


# Documents -----------------------------------------------------------------------------


def freelancers_with_login(freelancers: QuerySet[Freelancer]) -> QuerySet[Freelancer]:
    """Of `freelancers`, those with a portal login, as few columns as a list needs.

    Found through the index on the login (a few thousand rows), not by reading every
    freelancer of the workspace to test it: an id subquery the planner starts from."""
    with_login = Freelancer.objects.filter(user__isnull=False).values("pk")
    return freelancers.filter(pk__in=with_login).only("pk", "name", "user_id", "workspace_id")


def required_document_types(workspace: Workspace) -> QuerySet[DocumentType]:
    return DocumentType.objects.filter(workspace=workspace, required=True).order_by("name", "id")


@dataclass(frozen=True)
class DocumentStatus:
    document_type: DocumentType
    document: FreelancerDocument | None
    today: datetime.date

    @property
    def state(self) -> str:
        if self.document is None:
            return "missing"
        if self.document_type.expires and self.document.expires_on is not None:
            if self.document.expires_on < self.today:
                return "expired"
            if self.document.expires_on <= self.today + datetime.timedelta(days=30):
                return "expiring"
        return "ok"

    @property
    def is_problem(self) -> bool:
        return self.state in {"missing", "expired"}

    @property
    def lapses_on(self) -> datetime.date | None:
        """The first day the document counts as expired (the day after `expires_on`), if it expires."""
        if self.document is None or not self.document_type.expires or self.document.expires_on is None:
            return None
        return self.document.expires_on + datetime.timedelta(days=1)


def latest_documents(freelancers: QuerySet[Freelancer]) -> dict[tuple[int, int], FreelancerDocument]:
    """{(freelancer id, document type id): newest upload} in one query."""
    latest: dict[tuple[int, int], FreelancerDocument] = {}
    rows = (
        FreelancerDocument.objects.filter(freelancer__in=freelancers)
        .select_related("document_type")
        .order_by("freelancer_id", "document_type_id", "-uploaded_at", "-id")
    )
    for doc in rows:
        latest.setdefault((doc.freelancer_id, doc.document_type_id), doc)
    return latest


def document_statuses(
    freelancers: QuerySet[Freelancer], workspace: Workspace, today: datetime.date
) -> dict[int, list[DocumentStatus]]:
    """Per freelancer id: the status of each required document (two queries whatever the size)."""
    types = list(required_document_types(workspace))
    latest = latest_documents(freelancers)
    return {f.pk: [DocumentStatus(t, latest.get((f.pk, t.pk)), today) for t in types] for f in freelancers.only("pk")}


def documents_of(freelancer: Freelancer) -> QuerySet[FreelancerDocument]:
    return freelancer.documents.select_related("document_type", "uploaded_by").order_by("-uploaded_at", "-id")


# Pulse ---------------------------------------------------------------------------------


def month_of(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def pulse_average(scores: list[int]) -> Decimal | None:
    if not scores:
        return None
    return Decimal(sum(scores)) / Decimal(len(scores))


def last_pulses(freelancers: QuerySet[Freelancer], count: int = 2) -> dict[int, list[PulseResponse]]:
    """Each freelancer's `count` newest answers, newest first."""
    result: dict[int, list[PulseResponse]] = {}
    for pulse in PulseResponse.objects.filter(freelancer__in=freelancers).order_by("freelancer_id", "-month", "-id"):
        answers = result.setdefault(pulse.freelancer_id, [])
        if len(answers) < count:
            answers.append(pulse)
    return result


def pulse_month(answers: QuerySet[PulseResponse], asked: str) -> datetime.date | None:
    """The month a pulse page shows: `asked` ("2026-11") when it names one, else the newest
    month anybody answered (None when nobody has). Index pulse_workspace_month answers it."""
    try:
        year, month = (int(part) for part in asked.split("-"))
        return datetime.date(year, month, 1)
    except ValueError:
        return answers.order_by("-month").values_list("month", flat=True).first()


def pulse_neighbours(answers: QuerySet[PulseResponse], month: datetime.date) -> dict[str, datetime.date | None]:
    """The answered months just before and after `month` (for the page's links)."""
    return {
        "earlier": answers.filter(month__lt=month).order_by("-month").values_list("month", flat=True).first(),
        "later": answers.filter(month__gt=month).order_by("month").values_list("month", flat=True).first(),
    }


def pulse_responses(queryset: QuerySet[PulseResponse]) -> QuerySet[PulseResponse]:
    return queryset.select_related("freelancer").order_by("-month", "freelancer__name", "-id")


# Training ------------------------------------------------------------------------------


def internal_members(workspace: Workspace) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(workspace=workspace, role__in=["owner", "manager"])
        .select_related("user")
        .prefetch_related(Prefetch("training_records", TrainingRecord.objects.order_by("-date", "-id")))
        .order_by("role", "user__full_name", "id")
    )


def untrained_managers(workspace: Workspace) -> QuerySet[Membership]:
    """Managers without any training record. Engagements extend this to whoever manages one."""
    return (
        Membership.objects.filter(workspace=workspace, role="manager")
        .exclude(Exists(TrainingRecord.objects.filter(member_id=OuterRef("pk"))))
        .select_related("user")
        .order_by("id")
    )
